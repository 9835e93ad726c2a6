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

func TestAccDataSources(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	ctx := context.Background()
	// Two tokens made outside Terraform, one disabled, to filter on.
	on, err := e.Client.CreateAPIToken(ctx, acctest.SvcPipelineID, lm.CreateAPITokenRequest{Note: "audit: nightly export", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	off, err := e.Client.CreateAPIToken(ctx, acctest.SvcPipelineID, lm.CreateAPITokenRequest{Note: "audit: old export", Enabled: false})
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.ProviderBlock("") + fmt.Sprintf(`
data "lm_user" "by_name" { username = "svc-pipeline" }
data "lm_user" "by_id" { id = 131 }
data "lm_role" "admin" { name = "administrator" }
data "lm_api_token" "by_id" { id = "%d" }
data "lm_api_token" "by_access_id" { access_id = %q }
data "lm_api_tokens" "audit_enabled" {
  admin_id      = data.lm_user.by_name.id
  note_contains = "audit:"
  enabled       = true
}
data "lm_api_tokens" "audit_all" {
  note_contains = "audit:"
  type          = "lmv1"
}
data "lm_api_tokens" "bearer" { type = "bearer" }
`, on.ID, off.AccessID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.lm_user.by_name", tfjsonpath.New("id"), knownvalue.Int64Exact(acctest.SvcPipelineID)),
				statecheck.ExpectKnownValue("data.lm_user.by_name", tfjsonpath.New("api_only"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.lm_user.by_name", tfjsonpath.New("roles"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("readonly")})),
				statecheck.ExpectKnownValue("data.lm_user.by_id", tfjsonpath.New("username"), knownvalue.StringExact("jdoe")),
				statecheck.ExpectKnownValue("data.lm_user.by_id", tfjsonpath.New("email"), knownvalue.StringExact("jdoe@example.com")),
				statecheck.ExpectKnownValue("data.lm_user.by_id", tfjsonpath.New("status"), knownvalue.StringExact("active")),
				statecheck.ExpectKnownValue("data.lm_role.admin", tfjsonpath.New("id"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("data.lm_api_token.by_id", tfjsonpath.New("access_id"), knownvalue.StringExact(on.AccessID)),
				statecheck.ExpectKnownValue("data.lm_api_token.by_id", tfjsonpath.New("admin_name"), knownvalue.StringExact("svc-pipeline")),
				statecheck.ExpectKnownValue("data.lm_api_token.by_access_id", tfjsonpath.New("id"), knownvalue.StringExact(strconv.Itoa(int(off.ID)))),
				statecheck.ExpectKnownValue("data.lm_api_token.by_access_id", tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.lm_api_tokens.audit_enabled", tfjsonpath.New("tokens"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"access_id": knownvalue.StringExact(on.AccessID),
						"note":      knownvalue.StringExact("audit: nightly export"),
						"enabled":   knownvalue.Bool(true),
						"type":      knownvalue.StringExact("lmv1"),
					}),
				})),
				statecheck.ExpectKnownValue("data.lm_api_tokens.audit_all", tfjsonpath.New("tokens"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.lm_api_tokens.bearer", tfjsonpath.New("tokens"), knownvalue.ListPartial(map[int]knownvalue.Check{
					0: knownvalue.ObjectPartial(map[string]knownvalue.Check{"type": knownvalue.StringExact("bearer"), "admin_id": knownvalue.Int64Exact(acctest.TerraformAdminID)}),
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
