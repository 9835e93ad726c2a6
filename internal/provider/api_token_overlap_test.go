package provider_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
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
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/provider"
)

// overlapKey is one key of an lm_api_token, captured from the state so
// that later steps can check it still works, or no longer does.
type overlapKey struct{ id, accessID, accessKey string }

// capture records the resource's current key into k.
func (k *overlapKey) capture(s *terraform.State) error {
	rs, ok := s.RootModule().Resources[tokenName]
	if !ok {
		return fmt.Errorf("%s not in state", tokenName)
	}
	a := rs.Primary.Attributes
	*k = overlapKey{id: a["id"], accessID: a["access_id"], accessKey: a["access_key"]}
	if k.id == "" || k.accessID == "" || k.accessKey == "" {
		return fmt.Errorf("%s has no complete key in state: id %q, access id %q", tokenName, k.id, k.accessID)
	}
	return nil
}

// authenticates asks LogicMonitor with the key itself: a call answered,
// or refused for lack of permission (403), authenticated; a 401 did not.
func (k *overlapKey) authenticates(t *testing.T, e *acctest.Env, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := e.As(t, k.accessID, k.accessKey).Client.GetAdmin(context.Background(), e.AdminID)
		works := err == nil || lm.IsForbidden(err)
		if !works && !lm.IsUnauthorized(err) {
			return fmt.Errorf("key of token %s: %w", k.id, err)
		}
		if works != want {
			return fmt.Errorf("key of token %s (access id %s) authenticates = %v, want %v (%w)", k.id, k.accessID, works, want, err)
		}
		return nil
	}
}

// status checks what LogicMonitor says of the key's token: "enabled",
// "disabled" or "gone".
func (k *overlapKey) status(e *acctest.Env, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		id, err := strconv.ParseInt(k.id, 10, 32)
		if err != nil {
			return err
		}
		got, err := e.TokenStatus(context.Background(), int32(id))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("token %s is %s, want %s", k.id, got, want)
		}
		return nil
	}
}

// is is a knownvalue check that a value is the key's id (or access id).
func (k *overlapKey) is(field func(*overlapKey) string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		if want := field(k); v != want {
			return fmt.Errorf("%q, want %q", v, want)
		}
		return nil
	})
}

func keyID(k *overlapKey) string       { return k.id }
func keyAccessID(k *overlapKey) string { return k.accessID }

var previousToken = tfjsonpath.New("previous_token")

// TestAccAPIToken_rotationOverlap: with rotation_overlap a due rotation
// (by age, then by rotation_triggers) is an update in place that keeps
// the old key working until the overlap ends; the first apply after it
// revokes the old key as on_destroy says; destroy mid-overlap revokes
// both. The injected clock moves instead of sleeping.
func TestAccAPIToken_rotationOverlap(t *testing.T) {
	for _, policy := range []string{"delete", "disable"} {
		t.Run(policy, func(t *testing.T) {
			testRotationOverlap(t, policy)
		})
	}
}

func testRotationOverlap(t *testing.T, policy string) {
	e := acctest.New(t)
	clk := &clock.Fixed{}
	start := time.Now()
	clk.Set(start)
	note := acctest.Note("rotated with overlap " + policy)
	retired := "gone"
	if policy == "disable" {
		retired = "disabled"
		e.DeleteTokensAtCleanup(t, e.AdminID, note)
	}
	cfg := func(serial string) string {
		return tokenConfig(e, fmt.Sprintf(`
  note              = %q
  rotate_after      = "720h"
  rotation_overlap  = "24h"
  rotation_triggers = { serial = %q }
  on_destroy        = %q`, note, serial, policy))
	}
	var first, second, third overlapKey
	// retiresOn checks previous_token.retires_on: the current token's
	// created_on plus the overlap.
	retiresOn := func(s *terraform.State) error {
		a := s.RootModule().Resources[tokenName].Primary.Attributes
		created, err := time.Parse(time.RFC3339, a["created_on"])
		if err != nil {
			return err
		}
		if want := created.Add(24 * time.Hour).UTC().Format(time.RFC3339); a["previous_token.retires_on"] != want {
			return fmt.Errorf("previous_token.retires_on %q, want created_on + 24h = %q", a["previous_token.retires_on"], want)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(provider.WithClock(clk)),
		CheckDestroy: func(s *terraform.State) error {
			// Both keys of the overlap are revoked: deleted, or disabled.
			return errors.Join(e.CheckDestroy(s), second.status(e, retired)(s), third.status(e, retired)(s))
		},
		Steps: []resource.TestStep{
			{
				Config: cfg("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, previousToken, knownvalue.Null()),
				},
				Check: first.capture,
			},
			{
				// Due by age: an update in place, not a replacement.
				PreConfig: func() { clk.Set(start.Add(721 * time.Hour)) },
				Config:    cfg("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(tokenName, tfjsonpath.New("id")),
					plancheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("id"), first.is(keyID)),
					plancheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("access_id"), first.is(keyAccessID)),
					plancheck.ExpectUnknownValue(tokenName, previousToken.AtMapKey("retires_on")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("id"), first.is(keyID)),
					statecheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("access_id"), first.is(keyAccessID)),
				},
				Check: resource.ComposeTestCheckFunc(
					second.capture,
					func(*terraform.State) error {
						if second.id == first.id || second.accessKey == first.accessKey {
							return fmt.Errorf("the rotation kept token %s", first.id)
						}
						return nil
					},
					retiresOn,
					// Both keys work during the overlap.
					first.authenticates(t, e, true), second.authenticates(t, e, true),
					first.status(e, "enabled"), second.status(e, "enabled"),
					onlyTokensWithNote(e, note, 2),
				),
				// LogicMonitor stamps the new token with the real time while
				// the clock is 721h ahead: the next plan would rotate again
				// (see TestAccAPIToken_rotateAfter); the next step brings
				// the clock back.
				ExpectNonEmptyPlan: true,
			},
			{
				// Before the overlap ends nothing is planned.
				PreConfig:        func() { clk.Set(time.Now().Add(time.Hour)) },
				Config:           cfg("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(first.authenticates(t, e, true), second.authenticates(t, e, true)),
			},
			{
				// The first plan after the overlap: an update that retires
				// the old key, and only that.
				PreConfig: func() { clk.Set(time.Now().Add(25 * time.Hour)) },
				Config:    cfg("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(tokenName, previousToken, knownvalue.Null()),
					plancheck.ExpectKnownValue(tokenName, tfjsonpath.New("id"), second.is(keyID)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, previousToken, knownvalue.Null()),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("id"), second.is(keyID)),
				},
				Check: resource.ComposeTestCheckFunc(
					first.authenticates(t, e, false), first.status(e, retired),
					second.authenticates(t, e, true), second.status(e, "enabled"),
				),
			},
			{
				Config:           cfg("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A change of rotation_triggers rotates in place too (the
				// clock back at the real time, which stamps the new token).
				PreConfig: func() { clk.Set(time.Now()) },
				Config:    cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("id"), second.is(keyID)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("id"), second.is(keyID)),
				},
				Check: resource.ComposeTestCheckFunc(
					third.capture, retiresOn,
					second.authenticates(t, e, true), third.authenticates(t, e, true),
					second.status(e, "enabled"), third.status(e, "enabled"),
				),
			},
			{
				Config:           cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// The test's destroy comes mid-overlap: CheckDestroy checks
			// that both keys went.
		},
	})
}

// TestAccAPIToken_rotationOverlapCreateFails: a rotation whose create
// fails keeps the current key recorded and working, and leaves no other
// token; a rotation while a previous key is recorded retires that one
// first, so a failure then leaves one token, the current one.
func TestAccAPIToken_rotationOverlapCreateFails(t *testing.T) {
	acctest.SkipOnRealPortalBecause(t, "it makes the simulator refuse creates")
	e := acctest.New(t)
	var refuse atomic.Bool
	e.Sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if !refuse.Load() || r.Method != http.MethodPost {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errorCode":1400,"errorMessage":"refused by the test"}`))
		return true
	})
	note := acctest.Note("rotation refused")
	cfg := func(serial string) string {
		return tokenConfig(e, fmt.Sprintf(`
  note              = %q
  rotation_overlap  = "24h"
  rotation_triggers = { serial = %q }`, note, serial))
	}
	var first, second, third overlapKey
	// refused is a rotation to serial refused once, then carried out:
	// after the refusal LogicMonitor has only the current key (tokens
	// with the note: just it), the state records it as the one to
	// rotate, and the previous key, if one was recorded, is gone.
	refused := func(serial string, current, previous, next *overlapKey) []resource.TestStep {
		return []resource.TestStep{
			{
				PreConfig:   func() { refuse.Store(true) },
				Config:      cfg(serial),
				ExpectError: regexp.MustCompile(`(?s)Cannot create the API token that replaces token.*refused\s+by\s+the\s+test`),
			},
			{
				PreConfig: func() {
					refuse.Store(false)
					checks := []resource.TestCheckFunc{onlyTokensWithNote(e, note, 1), current.authenticates(t, e, true)}
					if previous != nil {
						checks = append(checks, previous.status(e, "gone"))
					}
					if err := resource.ComposeTestCheckFunc(checks...)(nil); err != nil {
						t.Error(err)
					}
				},
				Config: cfg(serial),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(tokenName, tfjsonpath.New("id")),
					plancheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("id"), current.is(keyID)),
				}},
				Check: resource.ComposeTestCheckFunc(next.capture, onlyTokensWithNote(e, note, 2),
					current.authenticates(t, e, true), next.authenticates(t, e, true)),
			},
		}
	}
	steps := []resource.TestStep{{Config: cfg("1"), Check: first.capture}}
	steps = append(steps, refused("2", &first, nil, &second)...)
	steps = append(steps, refused("3", &second, &first, &third)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy: func(s *terraform.State) error {
			return errors.Join(e.CheckDestroy(s), onlyTokensWithNote(e, note, 0)(s))
		},
		Steps: steps,
	})
}

// TestAccAPIToken_rotationOverlapIdentity: an in-place rotation gives the
// resource a new token, and its identity follows (the resource declares
// a mutable identity).
func TestAccAPIToken_rotationOverlapIdentity(t *testing.T) {
	e := acctest.New(t)
	note := acctest.Note("identity after rotation")
	cfg := func(serial string) string {
		return tokenConfig(e, fmt.Sprintf(`
  note              = %q
  rotation_overlap  = "1h"
  rotation_triggers = { serial = %q }`, note, serial))
	}
	identity := []statecheck.StateCheck{acctest.ExpectIdentityMatchesState(tokenName, "admin_id", "id")}
	differ := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy: func(s *terraform.State) error {
			return errors.Join(e.CheckDestroy(s), onlyTokensWithNote(e, note, 0)(s))
		},
		Steps: []resource.TestStep{
			{Config: cfg("1"), ConfigStateChecks: append(identity, differ.AddStateValue(tokenName, tfjsonpath.New("id")))},
			{
				Config:            cfg("2"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: append(identity, differ.AddStateValue(tokenName, tfjsonpath.New("id"))),
			},
			{Config: cfg("2"), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccAPIToken_rotationOverlapSelf: the provider's own token may be
// rotated with an overlap (its key keeps working), but retiring it is
// refused at plan time like any revocation of the provider's credentials,
// unless on_destroy = "abandon" only forgets it.
func TestAccAPIToken_rotationOverlapSelf(t *testing.T) {
	e := acctest.New(t)
	clk := &clock.Fixed{}
	clk.Set(time.Now())
	tok, providerBlock := selfToken(t, e, e.OwnerID(t), "self rotation", "")
	cfg := func(onDestroy string) string {
		return providerBlock + fmt.Sprintf(`
import {
  to = lm_api_token.self
  id = "%d/%d"
}
resource "lm_api_token" "self" {
  admin_id          = %d
  note              = %q
  rotation_overlap  = "1h"
  rotation_triggers = { serial = "1" }
  on_destroy        = %q
}
`, tok.AdminID, tok.ID, tok.AdminID, tok.Note, onDestroy)
	}
	self := overlapKey{id: strconv.Itoa(int(tok.ID)), accessID: tok.AccessID, accessKey: tok.AccessKey}
	prev := tfjsonpath.New("previous_token")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(provider.WithClock(clk)),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				// Adopted with rotation_triggers set: a rotation, in place.
				Config: cfg("delete"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("lm_api_token.self", prev.AtMapKey("id"), self.is(keyID)),
				},
				Check: resource.ComposeTestCheckFunc(self.authenticates(t, e, true), self.status(e, "enabled")),
			},
			{
				PreConfig:   func() { clk.Set(time.Now().Add(2 * time.Hour)) },
				Config:      cfg("delete"),
				ExpectError: regexp.MustCompile(`(?s)Refusing to revoke the provider's own credentials.*delete API token ` + self.id),
			},
			{
				Config: cfg("abandon"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("lm_api_token.self", prev, knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(self.authenticates(t, e, true), self.status(e, "enabled")),
			},
			// The new token is no credential of the provider: destroy
			// deletes it.
			{Config: cfg("delete")},
		},
	})
}

// TestAccAPIToken_rotationOverlapPreviousGone: a previous key deleted
// outside Terraform leaves previous_token on the next refresh, with no
// change planned.
func TestAccAPIToken_rotationOverlapPreviousGone(t *testing.T) {
	e := acctest.New(t)
	note := acctest.Note("previous gone")
	cfg := func(serial string) string {
		return tokenConfig(e, fmt.Sprintf(`
  note              = %q
  rotation_overlap  = "1h"
  rotation_triggers = { serial = %q }`, note, serial))
	}
	var first overlapKey
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy: func(s *terraform.State) error {
			return errors.Join(e.CheckDestroy(s), onlyTokensWithNote(e, note, 0)(s))
		},
		Steps: []resource.TestStep{
			{Config: cfg("1"), Check: first.capture},
			{
				Config:            cfg("2"),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName, previousToken.AtMapKey("id"), first.is(keyID))},
			},
			{
				PreConfig: func() {
					id, _ := strconv.ParseInt(first.id, 10, 32)
					if err := e.Client.DeleteAPIToken(context.Background(), e.AdminID, int32(id)); err != nil {
						t.Fatal(err)
					}
				},
				Config:            cfg("2"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName, previousToken, knownvalue.Null())},
			},
		},
	})
}
