package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/clock"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/provider"
)

func TestAccAPIToken_rotationTriggers(t *testing.T) {
	e := acctest.New(t)
	differ := statecheck.CompareValue(compare.ValuesDiffer())
	cfg := func(serial string) string {
		return tokenConfig(e, fmt.Sprintf(`
  note              = "rotated by trigger"
  rotation_triggers = { serial = %q }
  lifecycle {
    create_before_destroy = true
  }`, serial))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg("1"), ConfigStateChecks: []statecheck.StateCheck{differ.AddStateValue(tokenName, tfjsonpath.New("access_key"))}},
			{Config: cfg("1"), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config: cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{differ.AddStateValue(tokenName, tfjsonpath.New("access_key"))},
				Check:             onlyTokensWithNote(e, "rotated by trigger", 1),
			},
		},
	})
}

// onlyTokensWithNote asserts how many tokens with note exist for the user:
// after a rotation the old token must be gone.
func onlyTokensWithNote(e *acctest.Env, note string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		toks, err := e.Client.ListAPITokens(context.Background(), e.AdminID, lm.ListOptions{Filter: "note:" + strconv.Quote(note)})
		if err != nil {
			return err
		}
		if len(toks) != want {
			return fmt.Errorf("%d tokens with note %q, want %d", len(toks), note, want)
		}
		return nil
	}
}

// TestAccAPIToken_rotateAfter moves an injected clock instead of sleeping.
func TestAccAPIToken_rotateAfter(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	clk := &clock.Fixed{}
	clk.Set(time.Now())
	differ := statecheck.CompareValue(compare.ValuesDiffer())
	cfg := tokenConfig(e, `
  note         = "rotated by age"
  rotate_after = "720h"
  lifecycle {
    create_before_destroy = true
  }`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(provider.WithClock(clk)),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{differ.AddStateValue(tokenName, tfjsonpath.New("id"))}},
			{
				PreConfig:        func() { clk.Set(time.Now().Add(719 * time.Hour)) },
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: func() { clk.Set(time.Now().Add(721 * time.Hour)) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{differ.AddStateValue(tokenName, tfjsonpath.New("id"))},
				Check:             onlyTokensWithNote(e, "rotated by age", 1),
				// The simulator stamps the new token with the real time while
				// the provider's clock is still 721h ahead, so the plan after
				// this apply wants to rotate again; the next step brings the
				// clock back.
				ExpectNonEmptyPlan: true,
			},
			{
				// The new token is young by the real clock.
				PreConfig:        func() { clk.Set(time.Now()) },
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Changing rotate_after alone never replaces the token.
				Config:           strings.Replace(cfg, `"720h"`, `"2160h"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate)}},
			},
		},
	})
}

func TestAccAPIToken_onDestroy(t *testing.T) {
	for _, policy := range []string{"disable", "abandon"} {
		t.Run(policy, func(t *testing.T) {
			e := acctest.New(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(),
				CheckDestroy:             e.CheckDestroy, // asserts disabled / untouched per on_destroy
				Steps: []resource.TestStep{
					{Config: tokenConfig(e, `note = "kept for audit"`)},
					{
						// Choosing a policy is an in-place change, never a replacement.
						Config: tokenConfig(e, fmt.Sprintf(`
  note       = "kept for audit"
  on_destroy = %q`, policy)),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate)},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("on_destroy"), knownvalue.StringExact(policy)),
						},
					},
				},
			})
		})
	}
}

// TestAccAPIToken_selfProtection imports the provider's own token and
// checks that disabling, replacing or destroying it is refused at plan time.
func TestAccAPIToken_selfProtection(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	self := func(body string) string {
		return e.ProviderBlock("") + fmt.Sprintf(`
import {
  to = lm_api_token.self
  id = %q
}
resource "lm_api_token" "self" {
  admin_id = %d
  note     = "terraform provider (lmsim default)"
  %s
}
`, e.AccessID, acctest.TerraformAdminID, body)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{Config: self(`on_destroy = "abandon"`)},
			{Config: self(`on_destroy = "delete"`)},
			{
				Config:      self(`enabled = false`),
				ExpectError: regexp.MustCompile(`(?s)Refusing to revoke the provider's own credentials.*disable.*allow_self_revoke`),
			},
			{
				Config:      self(`rotation_triggers = { n = "2" }`),
				ExpectError: regexp.MustCompile(`(?s)Refusing to revoke the provider's own credentials.*replace`),
			},
			{
				Config:      e.ProviderBlock(""),
				ExpectError: regexp.MustCompile(`(?s)Refusing to revoke the provider's own credentials.*delete`),
			},
			{
				// "abandon" forgets without revoking, so it is allowed.
				Config: self(`on_destroy = "abandon"`),
				Check:  e.TokenExists("lm_api_token.self", true),
			},
		},
	})
	if tok, err := e.FindToken(context.Background(), 100); err != nil || tok == nil || !tok.Enabled() {
		t.Fatalf("the provider's own token must survive: %+v %v", tok, err)
	}
}

// TestAccAPIToken_selfRevokeAllowed opts in and revokes the provider's own
// token on destroy.
func TestAccAPIToken_selfRevokeAllowed(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	cfg := e.ProviderBlock("allow_self_revoke = true") + fmt.Sprintf(`
import {
  to = lm_api_token.self
  id = "%d/100"
}
resource "lm_api_token" "self" {
  admin_id = %d
  note     = "terraform provider (lmsim default)"
}
`, acctest.TerraformAdminID, acctest.TerraformAdminID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		// The administrator's token is gone by then: check as jdoe.
		CheckDestroy: e.As(t, acctest.SeedAccessID, acctest.SeedAccessKey).CheckDestroy,
		Steps:        []resource.TestStep{{Config: cfg}},
	})
}

// TestAccEphemeralAPIToken opens a one-run token, hands it to the echo test
// provider (the only way to look at an ephemeral value from a test), and
// checks that every token opened during plan and apply was deleted.
// Ephemeral resources need Terraform 1.10 / OpenTofu 1.11. Two cases run
// with the real binary in internal/e2e instead, because in-process test
// providers share one server and are never shut down: a second, aliased lm
// provider configured with the key, and a run that fails after Open.
func TestAccEphemeralAPIToken(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	cfg := e.ProviderBlock("") + fmt.Sprintf(`
ephemeral "lm_api_token" "run" {
  admin_id = %d
}

provider "echo" {
  data = ephemeral.lm_api_token.run
}

resource "echo" "token" {}
`, acctest.SvcPipelineID)
	factories := acctest.Factories()
	factories["echo"] = echoprovider.NewProviderServer()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("access_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{20}$`))),
					statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("access_key"), knownvalue.StringRegexp(regexp.MustCompile(`^.{40}$`))),
					statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("note"), knownvalue.StringRegexp(regexp.MustCompile(`^terraform-ephemeral [0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("type"), knownvalue.StringExact("lmv1")),
				},
			},
		},
	})
	for _, tok := range e.Sim.Server.Tokens() {
		if strings.HasPrefix(tok.Note, "terraform-ephemeral") {
			t.Errorf("ephemeral token %d (%q) outlived the run", tok.ID, tok.Note)
		}
	}
	opened := e.Sim.Server.Stats().Requests["POST"]
	if deletes := countDeletes(e); opened == 0 || deletes < opened {
		t.Errorf("%d tokens opened, %d DELETE requests: every opened token must be deleted", opened, deletes)
	}
}

func countDeletes(e *acctest.Env) int { return e.Sim.Server.Stats().Requests["DELETE"] }
