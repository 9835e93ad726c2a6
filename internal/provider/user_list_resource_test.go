package provider_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
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

// TestAccUserList_query: `terraform query` finds users by each filter,
// with identity, a display name and (include_resource) the object an
// import writes, its password null. The filters run over the users made
// for the test (username_contains its base name), so their results are
// exact in both modes; the portal-wide listings, over the default
// fixture's users, run in the test's own simulator only.
func TestAccUserList_query(t *testing.T) {
	e := acctest.New(t)
	o := newListObjects(t, e, "user-list")
	query := fmt.Sprintf(`
list "lm_user" "mine" {
  provider = lm
  config {
    username_contains = %[1]q
  }
}

list "lm_user" "api_only" {
  provider = lm
  config {
    username_contains = %[1]q
    api_only          = true
  }
}

list "lm_user" "sign_in" {
  provider = lm
  config {
    username_contains = %[1]q
    api_only          = false
  }
}

list "lm_user" "suspended" {
  provider = lm
  config {
    username_contains = %[1]q
    status            = "suspended"
  }
}

list "lm_user" "svc" {
  provider = lm
  config {
    username_contains = %[2]q
  }
}

list "lm_user" "readonly_active" {
  provider = lm
  config {
    username_contains = %[1]q
    role_id           = %[3]d
    status            = "active"
  }
}

list "lm_user" "objects" {
  provider         = lm
  include_resource = true
  config {
    username_contains = %[4]q
  }
}
`, o.base, strings.ToUpper(o.svc), o.readonly, o.svc)
	checks := []querycheck.QueryResultCheck{
		querycheck.ExpectLength("lm_user.mine", 3),
		querycheck.ExpectResourceDisplayName("lm_user.mine", acctest.Named(o.svc),
			knownvalue.StringExact(o.svc+" <ci-team@example.com> (API-only, suspended)")),
		querycheck.ExpectResourceDisplayName("lm_user.mine", acctest.Named(o.bot),
			knownvalue.StringExact(o.bot+" <bot@example.com> (API-only)")),
		querycheck.ExpectResourceDisplayName("lm_user.mine", acctest.Named(o.ops),
			knownvalue.StringExact(o.ops+" <ops@example.com>")),

		querycheck.ExpectLength("lm_user.api_only", 2),
		querycheck.ExpectResourceDisplayName("lm_user.api_only", acctest.Named(o.svc), knownvalue.NotNull()),
		querycheck.ExpectResourceDisplayName("lm_user.api_only", acctest.Named(o.bot), knownvalue.NotNull()),
		querycheck.ExpectLength("lm_user.sign_in", 1),
		querycheck.ExpectResourceDisplayName("lm_user.sign_in", acctest.Named(o.ops), knownvalue.NotNull()),
		querycheck.ExpectLength("lm_user.suspended", 1),
		querycheck.ExpectResourceDisplayName("lm_user.suspended", acctest.Named(o.svc), knownvalue.NotNull()),
		// Regardless of case.
		querycheck.ExpectLength("lm_user.svc", 1),
		querycheck.ExpectResourceDisplayName("lm_user.svc", acctest.Named(o.svc), knownvalue.NotNull()),
		// Role readonly, active: bot, not the suspended svc nor ops, who
		// holds the test's role only.
		querycheck.ExpectLength("lm_user.readonly_active", 1),
		querycheck.ExpectResourceDisplayName("lm_user.readonly_active", acctest.Named(o.bot), knownvalue.NotNull()),

		querycheck.ExpectLength("lm_user.objects", 1),
		querycheck.ExpectResourceKnownValues("lm_user.objects", queryfilter.ByDisplayName(knownvalue.NotNull()), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`^[1-9]\d*$`))},
			{Path: tfjsonpath.New("username"), KnownValue: knownvalue.StringExact(o.svc)},
			{Path: tfjsonpath.New("email"), KnownValue: knownvalue.StringExact("ci-team@example.com")},
			{Path: tfjsonpath.New("first_name"), KnownValue: knownvalue.StringExact("CI")},
			{Path: tfjsonpath.New("last_name"), KnownValue: knownvalue.StringExact("")},
			{Path: tfjsonpath.New("note"), KnownValue: knownvalue.StringExact("made for the list test")},
			{Path: tfjsonpath.New("roles"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
				knownvalue.Int64Func(func(v int64) error {
					if v == int64(o.readonly) {
						return fmt.Errorf("role %d is not the role made for the test", v)
					}
					return nil
				}),
				knownvalue.Int64Exact(int64(o.readonly)),
			})},
			{Path: tfjsonpath.New("api_only"), KnownValue: knownvalue.Bool(true)},
			{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("suspended")},
			{Path: tfjsonpath.New("password_wo"), KnownValue: knownvalue.Null()},
			{Path: tfjsonpath.New("password_wo_version"), KnownValue: knownvalue.Null()},
		}),
	}
	if !acctest.RealPortal() {
		// The same filters over every user of the test's own simulator:
		// the default fixture's five and the test's three.
		query += fmt.Sprintf(`
list "lm_user" "all" {
  provider = lm
}

list "lm_user" "all_api_only" {
  provider = lm
  config {
    api_only = true
  }
}

list "lm_user" "all_sign_in" {
  provider = lm
  config {
    api_only = false
  }
}

list "lm_user" "all_suspended" {
  provider = lm
  config {
    status = "suspended"
  }
}

list "lm_user" "all_svc" {
  provider = lm
  config {
    username_contains = "SVC"
  }
}

list "lm_user" "all_readonly_active" {
  provider = lm
  config {
    role_id = %[1]d
    status  = "active"
  }
}
`, o.readonly)
		checks = append(checks,
			querycheck.ExpectLength("lm_user.all", 8),
			querycheck.ExpectResourceDisplayName("lm_user.all", acctest.ByID(acctest.SvcPipelineID),
				knownvalue.StringExact("svc-pipeline <svc-pipeline@example.com> (API-only)")),
			querycheck.ExpectResourceDisplayName("lm_user.all", acctest.ByID(acctest.SeedAdminID),
				knownvalue.StringExact("jdoe <jdoe@example.com>")),
			querycheck.ExpectResourceDisplayName("lm_user.all", acctest.ByID(acctest.SuspendedID),
				knownvalue.StringExact("former-employee <former-employee@example.com> (suspended)")),
			querycheck.ExpectResourceDisplayName("lm_user.all", acctest.Named(o.svc),
				knownvalue.StringExact(o.svc+" <ci-team@example.com> (API-only, suspended)")),

			// terraform, svc-pipeline, auditor, svc and bot.
			querycheck.ExpectLength("lm_user.all_api_only", 5),
			querycheck.ExpectIdentity("lm_user.all_api_only", acctest.IDIs(acctest.AuditorID)),
			querycheck.ExpectNoIdentity("lm_user.all_api_only", acctest.IDIs(acctest.SeedAdminID)),
			// jdoe, former-employee and ops.
			querycheck.ExpectLength("lm_user.all_sign_in", 3),
			querycheck.ExpectIdentity("lm_user.all_sign_in", acctest.IDIs(acctest.SeedAdminID)),
			querycheck.ExpectIdentity("lm_user.all_sign_in", acctest.IDIs(acctest.SuspendedID)),
			// former-employee and svc.
			querycheck.ExpectLength("lm_user.all_suspended", 2),
			querycheck.ExpectIdentity("lm_user.all_suspended", acctest.IDIs(acctest.SuspendedID)),
			querycheck.ExpectNoIdentity("lm_user.all_suspended", acctest.IDIs(acctest.SvcPipelineID)),
			// Regardless of case: svc-pipeline and svc.
			querycheck.ExpectLength("lm_user.all_svc", 2),
			querycheck.ExpectIdentity("lm_user.all_svc", acctest.IDIs(acctest.SvcPipelineID)),
			// Role readonly, active: svc-pipeline, auditor and bot, not the
			// suspended former-employee and svc.
			querycheck.ExpectLength("lm_user.all_readonly_active", 3),
			querycheck.ExpectIdentity("lm_user.all_readonly_active", acctest.IDIs(acctest.SvcPipelineID)),
			querycheck.ExpectIdentity("lm_user.all_readonly_active", acctest.IDIs(acctest.AuditorID)),
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

// TestAccUserList_badInput: an unknown role and an unknown status are
// reported naming the setting.
func TestAccUserList_badInput(t *testing.T) {
	e := acctest.New(t)
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
				Config:      query(`role_id = 2147483000`),
				ExpectError: regexp.MustCompile(`(?s)Unknown LogicMonitor role.*No LogicMonitor role has id 2147483000.*leave role_id out`),
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
	acctest.SkipOnRealPortalBecause(t, "needs a portal of more than 1000 users, which the test will not create in a real account")
	const n = 1205
	fixture := lmsim.DefaultFixture()
	var readonlyRoleID int32
	for _, r := range fixture.Roles {
		if r.Name == "readonly" {
			readonlyRoleID = r.ID
		}
	}
	if readonlyRoleID == 0 {
		t.Fatal("the default fixture has no readonly role")
	}
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
				querycheck.ExpectIdentity("lm_user.readonly", acctest.IDIs(10000+n-1)),
				querycheck.ExpectNoIdentity("lm_user.readonly", acctest.IDIs(acctest.SeedAdminID)),
				querycheck.ExpectLength("lm_user.first", 10),
			},
		}},
	})

	// "readonly" reads every user (offsets 0 and 1000); "first" stops
	// after its first page.
	acctest.CheckPages(t, log, []string{"/setting/admins"}, func(_ string, q url.Values) string {
		return fmt.Sprintf("filter=%s offset=%s", q.Get("filter"), q.Get("offset"))
	}, map[string]int{"filter= offset=0": 1, "filter= offset=1000": 1, "filter=apionly:true offset=0": 1})
}
