package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

const tokenName = "lm_api_token.test"

func tokenConfig(e *acctest.Env, body string) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_api_token" "test" {
  admin_id = %d
  %s
}
`, e.AdminID, body)
}

// stateAttr reads one attribute of a resource from the state.
func stateAttr(s *terraform.State, name, attr string) (string, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return "", fmt.Errorf("%s not in state", name)
	}
	return rs.Primary.Attributes[attr], nil
}

func TestAccAPIToken_lifecycle(t *testing.T) {
	e := acctest.New(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameKey := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(e, `note = "ci pipeline"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(tokenName, tfjsonpath.New("id")),
					sameKey.AddStateValue(tokenName, tfjsonpath.New("access_key")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("note"), knownvalue.StringExact("ci pipeline")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("type"), knownvalue.StringExact("lmv1")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("on_destroy"), knownvalue.StringExact("delete")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("access_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{20}$`))),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("access_key"), knownvalue.StringRegexp(regexp.MustCompile(`^.{40}$`))),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("created_on"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("last_used_on"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.TokenExists(tokenName, true),
					resource.TestCheckResourceAttrSet(tokenName, "admin_name"),
				),
			},
			{
				// Note and status change in place: same token, same key.
				Config: tokenConfig(e, `
  note    = "ci pipeline (paused)"
  enabled = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(tokenName, tfjsonpath.New("id")),
					sameKey.AddStateValue(tokenName, tfjsonpath.New("access_key")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
				Check: e.TokenExists(tokenName, false),
			},
			{
				// A re-plan of the same config is empty: no perpetual diff.
				Config: tokenConfig(e, `
  note    = "ci pipeline (paused)"
  enabled = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:            tokenName,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access_key"},
			},
			{
				ResourceName: tokenName,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					id, err := stateAttr(s, tokenName, "id")
					return fmt.Sprintf("%d/%s", e.AdminID, id), err
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access_key"},
			},
			{
				ResourceName: tokenName,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return stateAttr(s, tokenName, "access_id")
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access_key"},
			},
		},
	})
}

func TestAccAPIToken_bearer(t *testing.T) {
	e := acctest.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: tokenConfig(e, `
  type = "bearer"
  note = "bearer for a webhook"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("type"), knownvalue.StringExact("bearer")),
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("access_key"), knownvalue.NotNull()),
			},
			Check: func(s *terraform.State) error {
				id, _ := stateAttr(s, tokenName, "id")
				n, _ := strconv.ParseInt(id, 10, 32)
				tok, err := e.FindToken(context.Background(), int32(n))
				if err != nil || tok == nil || tok.Type != lm.TokenTypeBearer {
					return fmt.Errorf("want a bearer token %s in LogicMonitor, got %+v, %w", id, tok, err)
				}
				return nil
			},
		}},
	})
}

func TestAccAPIToken_replaceOnAdminChange(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:            tokenConfig(e, `note = "moves"`),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(tokenName, tfjsonpath.New("id"))},
			},
			{
				Config: e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_api_token" "test" {
  admin_id = %d
  note     = "moves"
}`, acctest.AuditorID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					differentID.AddStateValue(tokenName, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("admin_name"), knownvalue.StringExact("auditor")),
				},
				Check: func(s *terraform.State) error {
					// The old token of the first user must be revoked.
					toks, err := e.Client.ListAPITokens(context.Background(), e.AdminID, lm.ListOptions{Filter: `note:"moves"`})
					if err != nil {
						return err
					}
					if len(toks) != 0 {
						return fmt.Errorf("the replaced token still exists: %+v", toks)
					}
					return nil
				},
			},
		},
	})
}

// TestAccAPIToken_disappears deletes the token, then its user, behind
// Terraform's back: the plan re-creates the token without an error.
func TestAccAPIToken_disappears(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(e, `note = "will vanish"`),
				Check: func(s *terraform.State) error {
					var err error
					first, err = stateAttr(s, tokenName, "id")
					return err
				},
			},
			{
				PreConfig: func() {
					id, _ := strconv.ParseInt(first, 10, 32)
					if err := e.Client.DeleteAPIToken(context.Background(), e.AdminID, int32(id)); err != nil {
						t.Fatalf("out-of-band delete: %v", err)
					}
				},
				Config: tokenConfig(e, `note = "will vanish"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate)},
				},
				Check: func(s *terraform.State) error {
					id, _ := stateAttr(s, tokenName, "id")
					if id == first {
						return fmt.Errorf("expected a new token, still %s", id)
					}
					return nil
				},
			},
			{
				// Now the user goes, with its tokens: the resource is
				// dropped with a warning and creation then fails clearly.
				PreConfig:   func() { e.DeleteUser(t, e.AdminID) },
				Config:      tokenConfig(e, `note = "will vanish"`),
				ExpectError: regexp.MustCompile(`No LogicMonitor user has id 140`),
			},
		},
	})
}

// TestAccAPIToken_driftShowsUpdate changes note and status in the portal:
// the next plan puts them back in place.
func TestAccAPIToken_driftShowsUpdate(t *testing.T) {
	e := acctest.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: tokenConfig(e, `note = "as configured"`)},
			{
				PreConfig: func() {
					toks, err := e.Client.ListAPITokens(context.Background(), e.AdminID, lm.ListOptions{Filter: `note:"as configured"`})
					if err != nil || len(toks) != 1 {
						t.Fatalf("finding the token: %v %v", toks, err)
					}
					note, status := "changed by hand", lm.StatusDisabled
					if _, err := e.Client.UpdateAPIToken(context.Background(), e.AdminID, toks[0].ID, lm.APITokenPatch{Note: &note, Status: &status}); err != nil {
						t.Fatal(err)
					}
				},
				Config: tokenConfig(e, `note = "as configured"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate)},
				},
				Check: e.TokenExists(tokenName, true),
			},
		},
	})
}

func TestAccAPIToken_importBlockAndHandMadeToken(t *testing.T) {
	e := acctest.New(t)
	ctx := context.Background()
	tok, err := e.Client.CreateAPIToken(ctx, e.AdminID, lm.CreateAPITokenRequest{Note: "made by hand", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := tokenConfig(e, `note = "made by hand"`) + fmt.Sprintf(`
import {
  to = lm_api_token.test
  id = "%d/%d"
}
`, e.AdminID, tok.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: importedTokenChecks(tok),
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// importedTokenChecks: lm_api_token.test is the token made by hand, with
// no access key (LogicMonitor never returns it again).
func importedTokenChecks(tok *lm.APIToken) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("id"), knownvalue.StringExact(strconv.Itoa(int(tok.ID)))),
		statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("access_id"), knownvalue.StringExact(tok.AccessID)),
		statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("access_key"), knownvalue.Null()),
	}
}

func TestAccAPIToken_badInput(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	before := len(e.Sim.Server.Tokens())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.ProviderBlock("") + `resource "lm_api_token" "test" { admin_id = 999999 }`,
				ExpectError: regexp.MustCompile(`(?s)Unknown LogicMonitor user.*No LogicMonitor user has id 999999`),
			},
			{
				Config:      tokenConfig(e, `type = "oauth"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)type.*value must be one of`),
			},
			{
				Config:      tokenConfig(e, `rotate_after = "-5m"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must be a positive duration`),
			},
			{
				Config:        tokenConfig(e, ""),
				ResourceName:  tokenName,
				ImportState:   true,
				ImportStateId: "not-a-token",
				ExpectError:   regexp.MustCompile(`(?s)not a valid lm_api_token import id.*<admin_id>/<token_id>`),
			},
			{
				Config:        tokenConfig(e, ""),
				ResourceName:  tokenName,
				ImportState:   true,
				ImportStateId: "131/99999",
				ExpectError:   regexp.MustCompile(`API token not found`),
			},
			{
				// Wrong key: 401 with the hint about keys and clocks.
				Config: fmt.Sprintf(`
provider "lm" {
  base_url   = %q
  access_id  = %q
  access_key = "not-the-right-key-not-the-right-key-0000"
}
resource "lm_api_token" "test" { admin_id = %d }`, e.BaseURL, e.AccessID, e.AdminID),
				ExpectError: regexp.MustCompile(`(?s)rejected the credentials.*clock`),
			},
			{
				// A read-only user may not create tokens: 403 names the permission.
				Config: fmt.Sprintf(`
provider "lm" {
  base_url   = %q
  access_id  = %q
  access_key = %q
}
resource "lm_api_token" "test" { admin_id = %d }`, e.BaseURL, acctest.AuditorAccessID, acctest.AuditorAccessKey, e.AdminID),
				ExpectError: regexp.MustCompile(`(?s)lacks the permission.*administrator`),
			},
		},
	})
	if after := len(e.Sim.Server.Tokens()); after != before {
		t.Fatalf("failed runs left tokens behind: %d before, %d after", before, after)
	}
}

// TestAccAPIToken_traceLogHasNoSecret runs create, refresh and destroy with
// TF_LOG=TRACE and searches everything logged for a secret.
func TestAccAPIToken_traceLogHasNoSecret(t *testing.T) {
	e := acctest.New(t)
	dir := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", dir+"/%s.log")
	// Credentials come from the environment, as in a pipeline: the test
	// harness logs the configuration file itself.
	t.Setenv("LM_BASE_URL", e.BaseURL)
	t.Setenv("LM_ACCESS_ID", e.AccessID)
	t.Setenv("LM_ACCESS_KEY", e.AccessKey)
	cfg := func(note string) string {
		return fmt.Sprintf(`provider "lm" {}
resource "lm_api_token" "test" {
  admin_id = %d
  note     = %q
}
resource "lm_api_token" "bearer" {
  admin_id = %d
  type     = "bearer"
  note     = %q
}`, e.AdminID, note, e.AdminID, note)
	}
	var key, bearer string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg("trace me"),
				Check: func(s *terraform.State) error {
					var err error
					if key, err = stateAttr(s, tokenName, "access_key"); err != nil {
						return err
					}
					bearer, err = stateAttr(s, "lm_api_token.bearer", "access_key")
					return err
				},
			},
			{Config: cfg("trace me again")},
		},
	})
	logs := acctest.ReadLogs(t, dir)
	if !strings.Contains(logs, "/apitokens") {
		t.Fatalf("the trace log holds no provider request lines; the check below would prove nothing (%d bytes)", len(logs))
	}
	for what, secret := range map[string]string{
		"the created token's access key": key,
		"the created bearer token":       bearer,
		"the provider's access key":      e.AccessKey,
		"an LMv1 Authorization value":    "LMv1 " + e.AccessID + ":",
	} {
		if secret == "" {
			t.Fatalf("%s is empty", what)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("TF_LOG=TRACE output contains %s", what)
		}
	}
}

// TestAccAPIToken_identity: create, refresh and import all record the
// token's identity (Terraform 1.12+, OpenTofu 1.12+), and an import block
// with identity imports as an id string does.
func TestAccAPIToken_identity(t *testing.T) {
	e := acctest.New(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(e, `note = "identified"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(tokenName, map[string]knownvalue.Check{
						"admin_id": knownvalue.Int64Exact(int64(e.AdminID)),
						"id":       knownvalue.Int64Func(positive),
					}),
					acctest.ExpectTokenIdentity(tokenName),
				},
			},
			{
				// Note changes in place: Update keeps the identity.
				Config:            tokenConfig(e, `note = "identified, updated"`),
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectTokenIdentity(tokenName)},
			},
			{
				ResourceName:    tokenName,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				ResourceName:    tokenName,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

func positive(v int64) error {
	if v <= 0 {
		return fmt.Errorf("%d is not a positive id", v)
	}
	return nil
}

// TestAccAPIToken_importBlockWithIdentity adopts a token made by hand with
// import { identity = { admin_id = ..., id = ... } }, and reports a clear
// error for an identity that matches no token.
func TestAccAPIToken_importBlockWithIdentity(t *testing.T) {
	e := acctest.New(t)
	tok, err := e.Client.CreateAPIToken(context.Background(), e.AdminID, lm.CreateAPITokenRequest{Note: "adopted by identity", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	importBlock := func(tokenID int32) string {
		return fmt.Sprintf(`
import {
  to       = lm_api_token.test
  identity = { admin_id = %d, id = %d }
}
`, e.AdminID, tokenID)
	}
	cfg := tokenConfig(e, `note = "adopted by identity"`) + importBlock(tok.ID)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:      tokenConfig(e, `note = "adopted by identity"`) + importBlock(2147483000),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)API token not found.*identity \{ admin_id = 140, id =\s+2147483000 \}`),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: append(importedTokenChecks(tok),
					statecheck.ExpectIdentity(tokenName, map[string]knownvalue.Check{
						"admin_id": knownvalue.Int64Exact(int64(e.AdminID)),
						"id":       knownvalue.Int64Exact(int64(tok.ID)),
					})),
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
