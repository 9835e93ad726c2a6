package provider_test

import (
	"context"
	"fmt"
	"regexp"
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
	note := acctest.Note("rotated by trigger")
	cfg := func(serial string) string {
		return tokenConfig(e, fmt.Sprintf(`
  note              = %q
  rotation_triggers = { serial = %q }
  lifecycle {
    create_before_destroy = true
  }`, note, serial))
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
				Check:             onlyTokensWithNote(e, note, 1),
			},
		},
	})
}

// onlyTokensWithNote asserts how many tokens with note exist for the test
// user (e.AdminID): after a rotation or a replacement the old token must be
// gone; after a refused plan none was made.
func onlyTokensWithNote(e *acctest.Env, note string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		toks, err := e.Client.ListAPITokens(context.Background(), e.AdminID, lm.ListOptions{Filter: "note:" + lm.QuoteFilter(note)})
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
// Only the provider's sense of the tokens' age moves (LMv1 signatures keep
// the real time), so this runs against a real portal too.
func TestAccAPIToken_rotateAfter(t *testing.T) {
	e := acctest.New(t)
	clk := &clock.Fixed{}
	clk.Set(time.Now())
	differ := statecheck.CompareValue(compare.ValuesDiffer())
	note := acctest.Note("rotated by age")
	cfg := tokenConfig(e, fmt.Sprintf(`
  note         = %q
  rotate_after = "720h"
  lifecycle {
    create_before_destroy = true
  }`, note))
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
				Check:             onlyTokensWithNote(e, note, 1),
				// LogicMonitor stamps the new token with the real time while
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

// TestAccAPIToken_rotationDueOn: created_on + rotate_after, unknown for
// a new token, known at plan time when rotate_after changes, null without
// it, and no diff when nothing changes.
func TestAccAPIToken_rotationDueOn(t *testing.T) {
	e := acctest.New(t)
	clk := &clock.Fixed{}
	clk.Set(time.Now())
	var created time.Time
	// dueAfter checks a rotation_due_on against the created_on the first
	// step recorded.
	dueAfter := func(d time.Duration) knownvalue.Check {
		return knownvalue.StringFunc(func(v string) error {
			if want := created.Add(d).UTC().Format(time.RFC3339); v != want {
				return fmt.Errorf("rotation_due_on %s, want created_on %s + %s = %s", v, created.Format(time.RFC3339), d, want)
			}
			return nil
		})
	}
	due := tfjsonpath.New("rotation_due_on")
	note := acctest.Note("rotation due on")
	cfg := func(after string) string {
		line := ""
		if after != "" {
			line = fmt.Sprintf("rotate_after = %q", after)
		}
		return tokenConfig(e, fmt.Sprintf(`
  note = %q
  %s
  lifecycle {
    create_before_destroy = true
  }`, note, line))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(provider.WithClock(clk)),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:           cfg("720h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(tokenName, due)}},
				Check: func(s *terraform.State) (err error) {
					created, err = time.Parse(time.RFC3339, s.RootModule().Resources[tokenName].Primary.Attributes["created_on"])
					return err
				},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName, due, knownvalue.NotNull())},
			},
			{
				Config:            cfg("720h"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName, due, dueAfter(720*time.Hour))},
			},
			{
				Config: cfg("2160h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(tokenName, due, dueAfter(2160*time.Hour)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName, due, dueAfter(2160*time.Hour))},
			},
			{
				Config: cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(tokenName, due, knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName, due, knownvalue.Null())},
			},
			{
				Config:           cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Due by the provider's clock: the replacement's value is
				// unknown until LogicMonitor stamps the new token.
				PreConfig: func() { clk.Set(time.Now().Add(721 * time.Hour)) },
				Config:    cfg("720h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreateBeforeDestroy),
					plancheck.ExpectUnknownValue(tokenName, due),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName, due, knownvalue.NotNull())},
				// The clock is still ahead of the new token's real age (see
				// TestAccAPIToken_rotateAfter).
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig:        func() { clk.Set(time.Now()) },
				Config:           cfg("720h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            onlyTokensWithNote(e, note, 1),
			},
		},
	})
}

func TestAccAPIToken_onDestroy(t *testing.T) {
	for _, policy := range []string{"disable", "abandon"} {
		t.Run(policy, func(t *testing.T) {
			e := acctest.New(t)
			note := acctest.Note("kept for audit " + policy)
			// Destroy keeps the token on purpose: delete it once checked.
			e.DeleteTokensAtCleanup(t, e.AdminID, note)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(),
				CheckDestroy:             e.CheckDestroy, // asserts disabled / untouched per on_destroy
				Steps: []resource.TestStep{
					{Config: tokenConfig(e, fmt.Sprintf(`note = %q`, note))},
					{
						// Choosing a policy is an in-place change, never a replacement.
						Config: tokenConfig(e, fmt.Sprintf(`
  note       = %q
  on_destroy = %q`, note, policy)),
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

// selfToken makes a token for the user adminID and returns a provider
// block that authenticates with it, so that the self-protection tests put
// only a token of their own at risk.
func selfToken(t *testing.T, e *acctest.Env, adminID int32, what, extra string) (*lm.APIToken, string) {
	t.Helper()
	tok := e.CreateToken(t, adminID, lm.CreateAPITokenRequest{Note: acctest.Note(what), Enabled: true})
	return tok, e.As(t, tok.AccessID, tok.AccessKey).ProviderBlock(extra)
}

// TestAccAPIToken_selfProtection imports the provider's own token and
// checks that disabling, replacing or destroying it is refused at plan time.
// Nothing is written, so the token can be a read-only user's.
func TestAccAPIToken_selfProtection(t *testing.T) {
	e := acctest.New(t)
	tok, providerBlock := selfToken(t, e, e.CreateUser(t), "self protection", "")
	self := func(body string) string {
		return providerBlock + fmt.Sprintf(`
import {
  to = lm_api_token.self
  id = %q
}
resource "lm_api_token" "self" {
  admin_id = %d
  note     = %q
  %s
}
`, tok.AccessID, tok.AdminID, tok.Note, body)
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
				Config:      providerBlock,
				ExpectError: regexp.MustCompile(`(?s)Refusing to revoke the provider's own credentials.*delete`),
			},
			{
				// "abandon" forgets without revoking, so it is allowed.
				Config: self(`on_destroy = "abandon"`),
				Check:  e.TokenExists("lm_api_token.self", true),
			},
		},
	})
	if got, err := e.FindToken(context.Background(), tok.ID); err != nil || got == nil || !got.Enabled() {
		t.Fatalf("the provider's own token must survive: %+v %v", got, err)
	}
}

// TestAccAPIToken_selfRevokeAllowed opts in and revokes the provider's own
// token on destroy. Deleting a token takes an administrator: the token is
// one of the user of the suite's credentials.
func TestAccAPIToken_selfRevokeAllowed(t *testing.T) {
	e := acctest.New(t)
	tok, providerBlock := selfToken(t, e, e.OwnerID(t), "self revoke", "allow_self_revoke = true")
	cfg := providerBlock + fmt.Sprintf(`
import {
  to = lm_api_token.self
  id = "%d/%d"
}
resource "lm_api_token" "self" {
  admin_id = %d
  note     = %q
}
`, tok.AdminID, tok.ID, tok.AdminID, tok.Note)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		// The suite's own credentials check: the revoked token was another.
		CheckDestroy: e.CheckDestroy,
		Steps:        []resource.TestStep{{Config: cfg, Check: e.TokenExists("lm_api_token.self", true)}},
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
	// Against a real portal the token carries the test note; against the
	// simulator the default note is checked too.
	var noteAttr string
	var noteCheck knownvalue.Check = knownvalue.StringRegexp(regexp.MustCompile(`^terraform-ephemeral [0-9a-f-]{36}$`))
	isRunToken := func(tok lm.APIToken) bool { return strings.HasPrefix(tok.Note, "terraform-ephemeral") }
	if acctest.RealPortal() {
		note := acctest.Note("one-run token")
		noteAttr, noteCheck = fmt.Sprintf("note = %q", note), knownvalue.StringExact(note)
		isRunToken = func(tok lm.APIToken) bool { return tok.Note == note }
	}
	cfg := e.ProviderBlock("") + fmt.Sprintf(`
ephemeral "lm_api_token" "run" {
  admin_id = %d
  %s
}

provider "echo" {
  data = ephemeral.lm_api_token.run
}

resource "echo" "token" {}
`, e.AdminID, noteAttr)
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
					statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("note"), noteCheck),
					statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("type"), knownvalue.StringExact("lmv1")),
				},
			},
		},
	})
	toks, err := e.Client.ListAPITokens(context.Background(), e.AdminID, lm.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if isRunToken(tok) {
			t.Errorf("ephemeral token %d (%q) outlived the run", tok.ID, tok.Note)
		}
	}
	if e.Sim != nil {
		opened := e.Sim.Server.Stats().Requests["POST"]
		if deletes := countDeletes(e); opened == 0 || deletes < opened {
			t.Errorf("%d tokens opened, %d DELETE requests: every opened token must be deleted", opened, deletes)
		}
	}
}

func countDeletes(e *acctest.Env) int { return e.Sim.Server.Stats().Requests["DELETE"] }
