package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
)

// TestAccRoleList_query: `terraform query` finds roles, all or by name,
// with identity, a display name counting users and privileges, and
// (include_resource) the object an import writes.
func TestAccRoleList_query(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t) // counts the default fixture's roles and users
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.ProviderBlock("") + listUserConfig},
			{
				Query: true,
				Config: `
list "lm_role" "all" {
  provider = lm
}

list "lm_role" "ci" {
  provider = lm
  config {
    name_contains = "LIST-CI"
  }
}

list "lm_role" "objects" {
  provider         = lm
  include_resource = true
  config {
    name_contains = "acc-list"
  }
}

list "lm_role" "none" {
  provider = lm
  config {
    name_contains = "no such role"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("lm_role.all", 3),
					// terraform and jdoe.
					querycheck.ExpectResourceDisplayName("lm_role.all", byID(administratorRoleID),
						knownvalue.StringExact("administrator (2 users, 0 privileges)")),
					// svc-pipeline, auditor, former-employee and acc-svc-list.
					querycheck.ExpectResourceDisplayName("lm_role.all", byID(readonlyRoleID),
						knownvalue.StringExact("readonly (4 users, 0 privileges)")),
					querycheck.ExpectLength("lm_role.ci", 1),
					querycheck.ExpectResourceDisplayName("lm_role.ci", queryfilter.ByDisplayName(knownvalue.NotNull()),
						knownvalue.StringExact("acc-list-ci (1 user, 2 privileges)")),
					querycheck.ExpectNoIdentity("lm_role.ci", idIs(readonlyRoleID)),
					querycheck.ExpectLength("lm_role.objects", 1),
					querycheck.ExpectResourceKnownValues("lm_role.objects", queryfilter.ByDisplayName(knownvalue.NotNull()), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`^[1-9]\d*$`))},
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("acc-list-ci")},
						{Path: tfjsonpath.New("description"), KnownValue: knownvalue.StringExact("")},
						{Path: tfjsonpath.New("privileges"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
							privilege("setting", "*", "read"), privilege("help", "", "read"),
						})},
						{Path: tfjsonpath.New("two_fa_required"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("require_eula"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("role_group_id"), KnownValue: knownvalue.Int64Exact(0)},
						{Path: tfjsonpath.New("associated_user_count"), KnownValue: knownvalue.Int64Exact(1)},
					}),
					querycheck.ExpectLength("lm_role.none", 0),
				},
			},
		},
	})
}

// TestAccRoleList_badInput: an empty name filter is reported naming it.
func TestAccRoleList_badInput(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{{
			Query: true,
			Config: e.ProviderBlock("") + `
list "lm_role" "bad" {
  provider = lm
  config {
    name_contains = ""
  }
}
`,
			ExpectError: regexp.MustCompile(`(?s)name_contains.*string length must be at least 1`),
		}},
	})
}
