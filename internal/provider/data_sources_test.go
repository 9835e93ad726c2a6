package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// TestAccDataSources reads a user, a role and tokens made outside
// Terraform. What the data sources must return is asked of the API first,
// so the test holds against any portal.
func TestAccDataSources(t *testing.T) {
	e := acctest.New(t)
	ctx := context.Background()
	user, err := e.Client.GetAdmin(ctx, e.AdminID)
	if err != nil {
		t.Fatal(err)
	}
	adminRoleID := e.RoleID(t, "administrator")
	userRoles := []knownvalue.Check{}
	for _, r := range user.Roles {
		userRoles = append(userRoles, knownvalue.StringExact(r.Name))
	}
	// Three tokens made outside Terraform, one disabled and one bearer, to
	// filter on.
	audit := acctest.Note("audit:")
	on := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: audit + " nightly export", Enabled: true})
	off := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: audit + " old export", Enabled: false})
	webhook := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: acctest.Note("webhook"), Enabled: true, Type: lm.TokenTypeBearer})
	cfg := e.ProviderBlock("") + fmt.Sprintf(`
data "lm_user" "by_name" { username = %q }
data "lm_user" "by_id" { id = %d }
data "lm_role" "admin" { name = "administrator" }
data "lm_api_token" "by_id" { id = "%d" }
data "lm_api_token" "by_access_id" { access_id = %q }
data "lm_api_tokens" "audit_enabled" {
  admin_id      = data.lm_user.by_name.id
  note_contains = %q
  enabled       = true
}
data "lm_api_tokens" "audit_all" {
  note_contains = %q
  type          = "lmv1"
}
data "lm_api_tokens" "bearer" {
  type          = "bearer"
  note_contains = %q
}
`, user.Username, e.AdminID, on.ID, off.AccessID, audit, audit, webhook.Note)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.lm_user.by_name", tfjsonpath.New("id"), knownvalue.Int64Exact(int64(e.AdminID))),
				statecheck.ExpectKnownValue("data.lm_user.by_name", tfjsonpath.New("api_only"), knownvalue.Bool(user.APIOnly)),
				statecheck.ExpectKnownValue("data.lm_user.by_name", tfjsonpath.New("roles"), knownvalue.ListExact(userRoles)),
				statecheck.ExpectKnownValue("data.lm_user.by_id", tfjsonpath.New("username"), knownvalue.StringExact(user.Username)),
				statecheck.ExpectKnownValue("data.lm_user.by_id", tfjsonpath.New("email"), knownvalue.StringExact(user.Email)),
				statecheck.ExpectKnownValue("data.lm_user.by_id", tfjsonpath.New("status"), knownvalue.StringExact(user.Status)),
				statecheck.ExpectKnownValue("data.lm_role.admin", tfjsonpath.New("id"), knownvalue.Int64Exact(int64(adminRoleID))),
				statecheck.ExpectKnownValue("data.lm_api_token.by_id", tfjsonpath.New("access_id"), knownvalue.StringExact(on.AccessID)),
				statecheck.ExpectKnownValue("data.lm_api_token.by_id", tfjsonpath.New("admin_name"), knownvalue.StringExact(user.Username)),
				statecheck.ExpectKnownValue("data.lm_api_token.by_access_id", tfjsonpath.New("id"), knownvalue.StringExact(strconv.Itoa(int(off.ID)))),
				statecheck.ExpectKnownValue("data.lm_api_token.by_access_id", tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.lm_api_tokens.audit_enabled", tfjsonpath.New("tokens"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"access_id": knownvalue.StringExact(on.AccessID),
						"note":      knownvalue.StringExact(on.Note),
						"enabled":   knownvalue.Bool(true),
						"type":      knownvalue.StringExact("lmv1"),
					}),
				})),
				statecheck.ExpectKnownValue("data.lm_api_tokens.audit_all", tfjsonpath.New("tokens"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.lm_api_tokens.bearer", tfjsonpath.New("tokens"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"type":      knownvalue.StringExact("bearer"),
						"admin_id":  knownvalue.Int64Exact(int64(e.AdminID)),
						"access_id": knownvalue.StringExact(webhook.AccessID),
					}),
				})),
			},
		}},
	})
}

func TestAccDataSources_notFound(t *testing.T) {
	e := acctest.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.ProviderBlock("") + `data "lm_user" "x" { username = "nobody-by-this-name" }`,
				ExpectError: regexp.MustCompile(`no user named "nobody-by-this-name"`),
			},
			{
				Config:      e.ProviderBlock("") + `data "lm_user" "x" { id = 99999 }`,
				ExpectError: regexp.MustCompile(`no user with id 99999`),
			},
			{
				Config:      e.ProviderBlock("") + `data "lm_user" "x" {}`,
				ExpectError: regexp.MustCompile(`(?s)Exactly one of these attributes must be configured`),
			},
			{
				Config:      e.ProviderBlock("") + `data "lm_role" "x" { name = "no-such-role" }`,
				ExpectError: regexp.MustCompile(`no role named "no-such-role"`),
			},
			{
				Config:      e.ProviderBlock("") + `data "lm_api_token" "x" { id = "999999" }`,
				ExpectError: regexp.MustCompile(`no API token "999999"`),
			},
		},
	})
}
