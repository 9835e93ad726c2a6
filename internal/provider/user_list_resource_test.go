package provider_test

import (
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

// The default fixture's roles.
const (
	administratorRoleID = 1
	readonlyRoleID      = 2
)

// idIs is the identity { id } of lm_user and lm_role results.
func idIs(id int64) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{"id": knownvalue.Int64Exact(id)}
}

func byID(id int64) queryfilter.QueryFilter { return queryfilter.ByResourceIdentity(idIs(id)) }

// listUserConfig is a role and a suspended API-only user holding it and
// the readonly role, made before the query steps.
const listUserConfig = `
resource "lm_role" "list" {
  name = "acc-list-ci"
  privileges = [
    { object_type = "setting", object_id = "*", operation = "read" },
    { object_type = "help", object_id = "", operation = "read" },
  ]
}

resource "lm_user" "list" {
  username   = "acc-svc-list"
  email      = "ci-team@example.com"
  first_name = "CI"
  note       = "made for the list test"
  roles      = [lm_role.list.id, 2]
  status     = "suspended"
}
`

// TestAccUserList_query: `terraform query` finds users by each filter,
// with identity, a display name and (include_resource) the object an
// import writes, its password null.
func TestAccUserList_query(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t) // counts the default fixture's users
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: e.ProviderBlock("") + listUserConfig},
			{
				Query: true,
				Config: fmt.Sprintf(`
list "lm_user" "all" {
  provider = lm
}

list "lm_user" "api_only" {
  provider = lm
  config {
    api_only = true
  }
}

list "lm_user" "sign_in" {
  provider = lm
  config {
    api_only = false
  }
}

list "lm_user" "suspended" {
  provider = lm
  config {
    status = "suspended"
  }
}

list "lm_user" "svc" {
  provider = lm
  config {
    username_contains = "SVC"
  }
}

list "lm_user" "readonly_active" {
  provider = lm
  config {
    role_id = %[1]d
    status  = "active"
  }
}

list "lm_user" "objects" {
  provider         = lm
  include_resource = true
  config {
    username_contains = "acc-svc-list"
  }
}
`, readonlyRoleID),
				QueryResultChecks: []querycheck.QueryResultCheck{
					// The fixture's five users and the one above.
					querycheck.ExpectLength("lm_user.all", 6),
					querycheck.ExpectResourceDisplayName("lm_user.all", byID(acctest.SvcPipelineID),
						knownvalue.StringExact("svc-pipeline <svc-pipeline@example.com> (API-only)")),
					querycheck.ExpectResourceDisplayName("lm_user.all", byID(acctest.SeedAdminID),
						knownvalue.StringExact("jdoe <jdoe@example.com>")),
					querycheck.ExpectResourceDisplayName("lm_user.all", byID(acctest.SuspendedID),
						knownvalue.StringExact("former-employee <former-employee@example.com> (suspended)")),
					querycheck.ExpectResourceDisplayName("lm_user.all",
						queryfilter.ByDisplayName(knownvalue.StringRegexp(regexp.MustCompile(`^acc-svc-list `))),
						knownvalue.StringExact("acc-svc-list <ci-team@example.com> (API-only, suspended)")),

					// terraform, svc-pipeline, auditor and acc-svc-list.
					querycheck.ExpectLength("lm_user.api_only", 4),
					querycheck.ExpectIdentity("lm_user.api_only", idIs(acctest.AuditorID)),
					querycheck.ExpectNoIdentity("lm_user.api_only", idIs(acctest.SeedAdminID)),
					querycheck.ExpectLength("lm_user.sign_in", 2),
					querycheck.ExpectIdentity("lm_user.sign_in", idIs(acctest.SeedAdminID)),
					querycheck.ExpectIdentity("lm_user.sign_in", idIs(acctest.SuspendedID)),
					querycheck.ExpectLength("lm_user.suspended", 2),
					querycheck.ExpectIdentity("lm_user.suspended", idIs(acctest.SuspendedID)),
					querycheck.ExpectNoIdentity("lm_user.suspended", idIs(acctest.SvcPipelineID)),
					// Regardless of case.
					querycheck.ExpectLength("lm_user.svc", 2),
					querycheck.ExpectIdentity("lm_user.svc", idIs(acctest.SvcPipelineID)),
					// Role readonly, active: svc-pipeline and auditor, not the
					// suspended former-employee and acc-svc-list.
					querycheck.ExpectLength("lm_user.readonly_active", 2),
					querycheck.ExpectIdentity("lm_user.readonly_active", idIs(acctest.SvcPipelineID)),
					querycheck.ExpectIdentity("lm_user.readonly_active", idIs(acctest.AuditorID)),

					querycheck.ExpectLength("lm_user.objects", 1),
					querycheck.ExpectResourceKnownValues("lm_user.objects", queryfilter.ByDisplayName(knownvalue.NotNull()), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`^[1-9]\d*$`))},
						{Path: tfjsonpath.New("username"), KnownValue: knownvalue.StringExact("acc-svc-list")},
						{Path: tfjsonpath.New("email"), KnownValue: knownvalue.StringExact("ci-team@example.com")},
						{Path: tfjsonpath.New("first_name"), KnownValue: knownvalue.StringExact("CI")},
						{Path: tfjsonpath.New("last_name"), KnownValue: knownvalue.StringExact("")},
						{Path: tfjsonpath.New("note"), KnownValue: knownvalue.StringExact("made for the list test")},
						{Path: tfjsonpath.New("roles"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
							knownvalue.Int64Func(func(v int64) error {
								if v <= readonlyRoleID {
									return fmt.Errorf("role %d is not the role made for the test", v)
								}
								return nil
							}),
							knownvalue.Int64Exact(readonlyRoleID),
						})},
						{Path: tfjsonpath.New("api_only"), KnownValue: knownvalue.Bool(true)},
						{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("suspended")},
						{Path: tfjsonpath.New("password_wo"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("password_wo_version"), KnownValue: knownvalue.Null()},
					}),
				},
			},
		},
	})
}

// TestAccUserList_badInput: an unknown role and an unknown status are
// reported naming the setting.
func TestAccUserList_badInput(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	query := func(config string) string {
		return e.ProviderBlock("") + `
list "lm_user" "bad" {
  provider = lm
  config {
    ` + config + `
  }
}
`
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Query:       true,
				Config:      query(`role_id = 999999`),
				ExpectError: regexp.MustCompile(`(?s)Unknown LogicMonitor role.*No LogicMonitor role has id 999999.*leave role_id out`),
			},
			{
				Query:       true,
				Config:      query(`status = "disabled"`),
				ExpectError: regexp.MustCompile(`(?s)status.*value must be one of.*"active".*"suspended"`),
			},
			{
				Query:       true,
				Config:      query(`username_contains = ""`),
				ExpectError: regexp.MustCompile(`(?s)username_contains.*string length must be at least 1`),
			},
			{
				Query:       true,
				Config:      query(`role_id = 0`),
				ExpectError: regexp.MustCompile(`(?s)role_id.*must be between 1 and 2147483647`),
			},
		},
	})
}

// TestAccUserList_moreThanOnePage: 1205 users more than the fixture's,
// listed by a role LogicMonitor cannot filter on, in pages of 1000; a
// smaller limit stops after the first page.
func TestAccUserList_moreThanOnePage(t *testing.T) {
	const n = 1205
	fixture := lmsim.DefaultFixture()
	for i := range n {
		fixture.Admins = append(fixture.Admins, lmsim.Admin{
			ID: int32(10000 + i), Username: fmt.Sprintf("bulk-%04d", i), Email: "bulk@example.com",
			Roles: []lmsim.RoleRef{{ID: readonlyRoleID, Name: "readonly"}}, APIOnly: true, Status: lmsim.AdminActive,
		})
	}
	log := loadtest.NewSimLog(nil)
	e := acctest.NewSim(t, lmsim.Options{Fixture: fixture, Log: log})
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{{
			Query: true,
			Config: e.ProviderBlock("") + fmt.Sprintf(`
list "lm_user" "readonly" {
  provider = lm
  limit    = 5000
  config {
    role_id = %[1]d
  }
}

list "lm_user" "first" {
  provider = lm
  limit    = 10
  config {
    api_only = true
  }
}
`, readonlyRoleID),
			QueryResultChecks: []querycheck.QueryResultCheck{
				// The bulk users and the fixture's svc-pipeline, auditor and
				// former-employee.
				querycheck.ExpectLength("lm_user.readonly", n+3),
				querycheck.ExpectIdentity("lm_user.readonly", idIs(10000+n-1)),
				querycheck.ExpectNoIdentity("lm_user.readonly", idIs(acctest.SeedAdminID)),
				querycheck.ExpectLength("lm_user.first", 10),
			},
		}},
	})

	pages := map[string]int{}
	for _, entry := range log.Since(0) {
		if entry.Method != "GET" || entry.Path != lmsim.BasePath+"/setting/admins" {
			continue
		}
		q, err := url.ParseQuery(entry.Query)
		if err != nil {
			t.Fatal(err)
		}
		if q.Get("size") != "1000" {
			t.Errorf("page request with size %q, want 1000: %s", q.Get("size"), entry.Query)
		}
		pages[fmt.Sprintf("filter=%s offset=%s", q.Get("filter"), q.Get("offset"))]++
	}
	// "readonly" reads every user (offsets 0 and 1000); "first" stops
	// after its first page.
	want := map[string]int{"filter= offset=0": 1, "filter= offset=1000": 1, "filter=apionly:true offset=0": 1}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("pages requested:\n%v\nwant\n%v", pages, want)
	}
}
