package provider_test

import (
	"fmt"
	"regexp"
	"strings"
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
// (include_resource) the object an import writes. The name filters run
// over the role made for the test; the listing of every role, counted with
// the default fixture's, runs in the test's own simulator only.
func TestAccRoleList_query(t *testing.T) {
	e := acctest.New(t)
	o := newListObjects(t, e, "role-list")
	query := fmt.Sprintf(`
list "lm_role" "ci" {
  provider = lm
  config {
    name_contains = %[1]q
  }
}

list "lm_role" "objects" {
  provider         = lm
  include_resource = true
  config {
    name_contains = %[2]q
  }
}

list "lm_role" "none" {
  provider = lm
  config {
    name_contains = %[3]q
  }
}
`, strings.ToUpper(o.role), o.role, o.base+"-no-such-role")
	checks := []querycheck.QueryResultCheck{
		// Regardless of case; svc and ops hold the role.
		querycheck.ExpectLength("lm_role.ci", 1),
		querycheck.ExpectResourceDisplayName("lm_role.ci", queryfilter.ByDisplayName(knownvalue.NotNull()),
			knownvalue.StringExact(o.role+" (2 users, 2 privileges)")),
		querycheck.ExpectNoIdentity("lm_role.ci", acctest.IDIs(int64(o.readonly))),
		querycheck.ExpectLength("lm_role.objects", 1),
		querycheck.ExpectResourceKnownValues("lm_role.objects", queryfilter.ByDisplayName(knownvalue.NotNull()), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`^[1-9]\d*$`))},
			{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact(o.role)},
			{Path: tfjsonpath.New("description"), KnownValue: knownvalue.StringExact("")},
			{Path: tfjsonpath.New("privileges"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
				privilege("setting", "*", "read"), privilege("help", "", "read"),
			})},
			{Path: tfjsonpath.New("two_fa_required"), KnownValue: knownvalue.Bool(false)},
			{Path: tfjsonpath.New("require_eula"), KnownValue: knownvalue.Bool(false)},
			{Path: tfjsonpath.New("role_group_id"), KnownValue: knownvalue.Int64Exact(0)},
			{Path: tfjsonpath.New("associated_user_count"), KnownValue: knownvalue.Int64Exact(2)},
		}),
		querycheck.ExpectLength("lm_role.none", 0),
	}
	if !acctest.RealPortal() {
		// Every role of the test's own simulator: the default fixture's
		// two and the test's, with the users of the fixture and the test.
		query += `
list "lm_role" "all" {
  provider = lm
}
`
		checks = append(checks,
			querycheck.ExpectLength("lm_role.all", 3),
			// terraform and jdoe.
			querycheck.ExpectResourceDisplayName("lm_role.all", acctest.ByID(int64(e.RoleID(t, "administrator"))),
				knownvalue.StringExact("administrator (2 users, 0 privileges)")),
			// svc-pipeline, auditor, former-employee, svc and bot.
			querycheck.ExpectResourceDisplayName("lm_role.all", acctest.ByID(int64(o.readonly)),
				knownvalue.StringExact("readonly (5 users, 0 privileges)")),
			querycheck.ExpectResourceDisplayName("lm_role.all", acctest.Named(o.role),
				knownvalue.StringExact(o.role+" (2 users, 2 privileges)")),
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: listConfig(e, o)},
			{Query: true, Config: query, QueryResultChecks: checks},
		},
	})
}

// TestAccRoleList_badInput: an empty name filter is reported naming it.
func TestAccRoleList_badInput(t *testing.T) {
	e := acctest.New(t)
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
