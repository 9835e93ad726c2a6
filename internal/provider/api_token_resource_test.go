package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
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

func TestAccAPIToken_lifecycle(t *testing.T) {
	e := acctest.New(t)
	note, paused := acctest.Note("lifecycle"), acctest.Note("lifecycle (paused)")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameKey := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(e, fmt.Sprintf(`note = %q`, note)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(tokenName, tfjsonpath.New("id")),
					sameKey.AddStateValue(tokenName, tfjsonpath.New("access_key")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("note"), knownvalue.StringExact(note)),
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
				Config: tokenConfig(e, fmt.Sprintf(`
  note    = %q
  enabled = false`, paused)),
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
				Config: tokenConfig(e, fmt.Sprintf(`
  note    = %q
  enabled = false`, paused)),
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
					id, err := acctest.StateAttr(s, tokenName, "id")
					return fmt.Sprintf("%d/%s", e.AdminID, id), err
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access_key"},
			},
			{
				ResourceName: tokenName,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return acctest.StateAttr(s, tokenName, "access_id")
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
			Config: tokenConfig(e, fmt.Sprintf(`
  type = "bearer"
  note = %q`, acctest.Note("bearer for a webhook"))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("type"), knownvalue.StringExact("bearer")),
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("access_key"), knownvalue.NotNull()),
			},
			Check: func(s *terraform.State) error {
				id, _ := acctest.StateAttr(s, tokenName, "id")
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

// TestAccAPIToken_replaceOnAdminChange moves a token from the test user to
// a user made for the test.
func TestAccAPIToken_replaceOnAdminChange(t *testing.T) {
	e := acctest.New(t)
	other := e.CreateUser(t)
	otherUser, err := e.Client.GetAdmin(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	note := acctest.Note("moves")
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:            tokenConfig(e, fmt.Sprintf(`note = %q`, note)),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(tokenName, tfjsonpath.New("id"))},
			},
			{
				Config: e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_api_token" "test" {
  admin_id = %d
  note     = %q
}`, other, note),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					differentID.AddStateValue(tokenName, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("admin_name"), knownvalue.StringExact(otherUser.Username)),
				},
				// The old token of the first user must be revoked.
				Check: onlyTokensWithNote(e, note, 0),
			},
		},
	})
}

// TestAccAPIToken_disappears deletes the token behind Terraform's back,
// with a signed API call: the plan re-creates it without an error.
func TestAccAPIToken_disappears(t *testing.T) {
	e := acctest.New(t)
	cfg := tokenConfig(e, fmt.Sprintf(`note = %q`, acctest.Note("will vanish")))
	steps := acctest.DisappearsSteps(t, cfg, tokenName, func(id int32) {
		if err := e.Client.DeleteAPIToken(context.Background(), e.AdminID, id); err != nil {
			t.Fatalf("out-of-band delete: %v", err)
		}
	})
	steps[1].Check = resource.ComposeTestCheckFunc(steps[1].Check, e.TokenExists(tokenName, true))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps:                    steps,
	})
}

// TestAccAPIToken_userDisappears deletes the token's user, and with it its
// tokens, behind Terraform's back: the resource is dropped with a warning
// and creating it again fails clearly. The user is made for the test.
func TestAccAPIToken_userDisappears(t *testing.T) {
	e := acctest.New(t)
	user := e.CreateUser(t)
	cfg := e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_api_token" "test" {
  admin_id = %d
  note     = %q
}
`, user, acctest.Note("user will vanish"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, Check: e.TokenExists(tokenName, true)},
			{
				PreConfig:   func() { e.DeleteUser(t, user) },
				Config:      cfg,
				ExpectError: regexp.MustCompile(fmt.Sprintf(`No LogicMonitor user has id %d`, user)),
			},
		},
	})
}

// TestAccAPIToken_driftShowsUpdate changes note and status in the portal:
// the next plan puts them back in place.
func TestAccAPIToken_driftShowsUpdate(t *testing.T) {
	e := acctest.New(t)
	cfg := tokenConfig(e, fmt.Sprintf(`note = %q`, acctest.Note("as configured")))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					toks, err := e.Client.ListAPITokens(context.Background(), e.AdminID, lm.ListOptions{Filter: "note:" + lm.QuoteFilter(acctest.Note("as configured"))})
					if err != nil || len(toks) != 1 {
						t.Fatalf("finding the token: %v %v", toks, err)
					}
					note, status := acctest.Note("changed by hand"), lm.StatusDisabled
					if _, err := e.Client.UpdateAPIToken(context.Background(), e.AdminID, toks[0].ID, lm.APITokenPatch{Note: &note, Status: &status}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
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
	tok := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: acctest.Note("made by hand"), Enabled: true})
	cfg := tokenConfig(e, fmt.Sprintf(`note = %q`, tok.Note)) + fmt.Sprintf(`
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
	note := acctest.Note("bad input")
	// A read-only user's token, to be refused with 403.
	readOnlyUser := e.CreateUser(t)
	ro := e.CreateToken(t, readOnlyUser, lm.CreateAPITokenRequest{Note: acctest.Note("read-only"), Enabled: true})
	readOnly := e.As(t, ro.AccessID, ro.AccessKey)
	before := len(listTokens(t, e, ""))
	bad := func(providerBlock string, adminID int32) string {
		return providerBlock + fmt.Sprintf(`
resource "lm_api_token" "test" {
  admin_id = %d
  note     = %q
}`, adminID, note)
	}
	// Wrong secret: 401 with the hint about keys and clocks.
	wrongSecret := &acctest.Env{BaseURL: e.BaseURL, AccessID: e.AccessID, AccessKey: "not-the-right-key-not-the-right-key-0000"}
	if e.BearerToken != "" {
		wrongSecret = &acctest.Env{BaseURL: e.BaseURL, BearerToken: "lmb_not_the_right_bearer_token_0000000000"}
	}
	steps := []resource.TestStep{
		{
			Config:      bad(e.ProviderBlock(""), 999999),
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
			ImportStateId: fmt.Sprintf("%d/2147483000", e.AdminID),
			ExpectError:   regexp.MustCompile(`API token not found`),
		},
		{
			Config:      bad(wrongSecret.ProviderBlock(""), e.AdminID),
			ExpectError: regexp.MustCompile(`(?s)rejected the credentials.*clock`),
		},
		{
			// A read-only user may not create tokens: 403 names the permission.
			Config:      bad(readOnly.ProviderBlock(""), e.AdminID),
			ExpectError: regexp.MustCompile(`(?s)lacks the permission.*administrator`),
		},
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps:                    steps,
	})
	// The failed runs must leave no token behind: none with the note, and,
	// in this test's own simulator, none at all (such as one still carrying
	// the client's pending-create marker).
	if left := listTokens(t, e, "note:"+lm.QuoteFilter(note)); len(left) > 0 {
		t.Fatalf("failed runs left tokens behind: %+v", left)
	}
	if !acctest.RealPortal() {
		if after := len(listTokens(t, e, "")); after != before {
			t.Fatalf("failed runs left tokens behind: %d before, %d after", before, after)
		}
	}
}

// listTokens lists every user's LMv1 and bearer tokens matching filter.
func listTokens(t *testing.T, e *acctest.Env, filter string) []lm.APIToken {
	t.Helper()
	var out []lm.APIToken
	for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
		toks, err := e.Client.ListAllAPITokens(context.Background(), lm.ListOptions{Filter: filter, Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, toks...)
	}
	return out
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
	e.SetProviderEnv(t)
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
				Config: cfg(acctest.Note("trace me")),
				Check: func(s *terraform.State) error {
					var err error
					if key, err = acctest.StateAttr(s, tokenName, "access_key"); err != nil {
						return err
					}
					bearer, err = acctest.StateAttr(s, "lm_api_token.bearer", "access_key")
					return err
				},
			},
			{Config: cfg(acctest.Note("trace me again"))},
		},
	})
	e.CheckTraceLog(t, acctest.ReadLogs(t, dir), "/apitokens", map[string]string{
		"the created token's access key": key,
		"the created bearer token":       bearer,
	})
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
				Config: tokenConfig(e, fmt.Sprintf(`note = %q`, acctest.Note("identified"))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(tokenName, map[string]knownvalue.Check{
						"admin_id": knownvalue.Int64Exact(int64(e.AdminID)),
						"id":       knownvalue.Int64Func(acctest.PositiveID),
					}),
					acctest.ExpectIdentityMatchesState(tokenName, "admin_id", "id"),
				},
			},
			{
				// Note changes in place: Update keeps the identity.
				Config:            tokenConfig(e, fmt.Sprintf(`note = %q`, acctest.Note("identified, updated"))),
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectIdentityMatchesState(tokenName, "admin_id", "id")},
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

// TestAccAPIToken_importBlockWithIdentity adopts a token made by hand with
// import { identity = { admin_id = ..., id = ... } }, and reports a clear
// error for an identity that matches no token.
func TestAccAPIToken_importBlockWithIdentity(t *testing.T) {
	e := acctest.New(t)
	tok := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: acctest.Note("adopted by identity"), Enabled: true})
	importBlock := func(tokenID int32) string {
		return fmt.Sprintf(`
import {
  to       = lm_api_token.test
  identity = { admin_id = %d, id = %d }
}
`, e.AdminID, tokenID)
	}
	cfg := tokenConfig(e, fmt.Sprintf(`note = %q`, tok.Note)) + importBlock(tok.ID)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:      tokenConfig(e, fmt.Sprintf(`note = %q`, tok.Note)) + importBlock(2147483000),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)API token not found.*identity \{ admin_id = %d, id =\s+2147483000 \}`, e.AdminID)),
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
