package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// Actions need Terraform 1.14 or later.
var actionVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// revokeConfig is a replacement token whose creation triggers the
// revocation of a leaked one: the incident-response pattern of the docs.
func revokeConfig(e *acctest.Env, name, accessID, mode string) string {
	modeLine := ""
	if mode != "" {
		modeLine = fmt.Sprintf("mode      = %q", mode)
	}
	return fmt.Sprintf(`
resource "lm_api_token" "%[1]s" {
  admin_id = %[2]d
  note     = %[5]q

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.lm_revoke_api_token.%[1]s]
    }
  }
}

action "lm_revoke_api_token" "%[1]s" {
  config {
    access_id = %[3]q
    %[4]s
  }
}
`, name, e.AdminID, accessID, modeLine, revokeNote(name))
}

// revokeNote is the note of revokeConfig's token name.
func revokeNote(name string) string { return acctest.Note("replaces a leaked key (" + name + ")") }

// tokenState is a TestCheckFunc on a token no state manages: "enabled",
// "disabled" or "gone".
func tokenState(e *acctest.Env, tok *lm.APIToken, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		state, err := e.TokenStatus(context.Background(), tok.ID)
		if err != nil {
			return err
		}
		if state != want {
			return fmt.Errorf("token %d (access id %s) is %s, want %s", tok.ID, tok.AccessID, state, want)
		}
		return nil
	}
}

// TestAccRevokeAPITokenAction_trigger: an action_trigger revokes tokens that
// no state manages, of another user (made for the test), by disable (the
// default) and delete; an already-disabled token is no error.
func TestAccRevokeAPITokenAction_trigger(t *testing.T) {
	e := acctest.New(t)
	other := e.CreateUser(t)
	leak := func(note string, typ string, enabled bool) *lm.APIToken {
		return e.CreateToken(t, other, lm.CreateAPITokenRequest{Note: acctest.Note(note), Enabled: enabled, Type: typ})
	}
	leaked := leak("leaked in a paste", lm.TokenTypeLMv1, true)
	leakedBearer := leak("leaked bearer", lm.TokenTypeBearer, true)
	alreadyOff := leak("already disabled", lm.TokenTypeLMv1, false)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.ProviderBlock("") + revokeConfig(e, "first", leaked.AccessID, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenState(e, leaked, "disabled"),
					tokenState(e, leakedBearer, "enabled"),
					e.TokenExists("lm_api_token.first", true),
				),
			},
			{
				Config: e.ProviderBlock("") + revokeConfig(e, "first", leaked.AccessID, "") +
					revokeConfig(e, "second", leakedBearer.AccessID, "delete") +
					revokeConfig(e, "third", alreadyOff.AccessID, "disable"),
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenState(e, leaked, "disabled"),
					tokenState(e, leakedBearer, "gone"),
					tokenState(e, alreadyOff, "disabled"),
					e.TokenExists("lm_api_token.second", true),
					e.TokenExists("lm_api_token.third", true),
				),
			},
		},
	})
}

// TestAccRevokeAPITokenAction_refusals: an access id that matches no token,
// and the provider's own credential, fail naming access_id; nothing is
// revoked. With bearer credentials, whose access id the provider cannot
// tell, the provider of the self-revocation step uses an LMv1 token of the
// test user made for the test.
func TestAccRevokeAPITokenAction_refusals(t *testing.T) {
	e := acctest.New(t)
	self := e
	if e.AccessID == "" {
		tok := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: acctest.Note("revoke refusals: own LMv1 token"), Enabled: true})
		self = e.As(t, tok.AccessID, tok.AccessKey)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:      e.ProviderBlock("") + revokeConfig(e, "typo", "NoSuchAccessId000000", ""),
				ExpectError: regexp.MustCompile(`(?s)No API token has this access id.*"NoSuchAccessId000000"`),
			},
			{
				// Refused at plan time: nothing is created either.
				Config:      self.ProviderBlock("") + revokeConfig(e, "self", self.AccessID, "delete"),
				ExpectError: regexp.MustCompile(`(?s)Refusing to revoke the provider's own credentials.*allow_self_revoke`),
			},
			{
				PreConfig: func() {
					if err := onlyTokensWithNote(e, revokeNote("self"), 0)(nil); err != nil {
						t.Errorf("the self-revocation was not refused at plan time: the triggering token exists (%v)", err)
					}
				},
				Config:      e.ProviderBlock("") + revokeConfig(e, "mode", "NoSuchAccessId000000", "destroy"),
				ExpectError: regexp.MustCompile(`(?s)mode.*value must be one of`),
			},
			{
				// A valid last configuration for the test's closing destroy.
				Config: e.ProviderBlock(""),
			},
		},
	})
	own, err := e.Client.ListAllAPITokens(context.Background(), lm.ListOptions{Filter: "accessId:" + lm.QuoteFilter(self.AccessID)})
	if err != nil || len(own) != 1 || !own[0].Enabled() {
		t.Errorf("the provider's own token after the refusal: %+v, %v", own, err)
	}
}
