package provider_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

// List resources need Terraform 1.14 or later.
var queryVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// TestAccAPITokenList_query: the tokens of a user, found by `terraform
// query`, with identity, display name and (include_resource) the object an
// import would write; the type, enabled and portal-wide variants. The user
// is made for the test, so that its tokens are the test's alone. The
// portal-wide listing is counted in the test's own simulator; against a
// portal, where other tests make tokens meanwhile, it must hold the test's.
func TestAccAPITokenList_query(t *testing.T) {
	e := acctest.New(t)
	userID := e.CreateUser(t)
	user, err := e.Client.GetAdmin(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	made, off := acctest.Note("made for the query"), acctest.Note("made for the query: bearer, off")
	quoted := func(note string) string { return regexp.QuoteMeta(fmt.Sprintf("%q", note)) }
	byNote := func(note string) queryfilter.QueryFilter {
		return queryfilter.ByDisplayName(knownvalue.StringRegexp(regexp.MustCompile(quoted(note))))
	}
	portalChecks := []querycheck.QueryResultCheck{
		querycheck.ExpectIdentity("lm_api_token.portal", map[string]knownvalue.Check{
			"admin_id": knownvalue.Int64Exact(int64(userID)),
			"id":       knownvalue.Int64Func(acctest.PositiveID),
		}),
		querycheck.ExpectResourceDisplayName("lm_api_token.portal", byNote(made),
			knownvalue.StringRegexp(regexp.MustCompile(`^`+regexp.QuoteMeta(user.Username)+`: [A-Za-z0-9]{20} `+quoted(made)+`$`))),
	}
	if !acctest.RealPortal() {
		portalChecks = append(portalChecks,
			// The default fixture's four tokens (three LMv1, one
			// bearer) and the two above, from every user.
			querycheck.ExpectLength("lm_api_token.portal", 6),
			querycheck.ExpectIdentity("lm_api_token.portal", map[string]knownvalue.Check{
				"admin_id": knownvalue.Int64Exact(int64(lmsim.SeedAdminID)),
				"id":       knownvalue.Int64Exact(int64(lmsim.SeedTokenID)),
			}),
			querycheck.ExpectResourceDisplayName("lm_api_token.portal", queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
				"admin_id": knownvalue.Int64Exact(int64(lmsim.SeedAdminID)),
				"id":       knownvalue.Int64Exact(int64(lmsim.SeedTokenID)),
			}), knownvalue.StringExact(`jdoe: `+lmsim.SeedAccessID+` "seed example"`)),
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_api_token" "lmv1" {
  admin_id = %[1]d
  note     = %[2]q
}
resource "lm_api_token" "bearer" {
  admin_id = %[1]d
  type     = "bearer"
  enabled  = false
  note     = %[3]q
}
`, userID, made, off),
			},
			{
				// The provider block comes from the step above's configuration.
				Query: true,
				Config: fmt.Sprintf(`
list "lm_api_token" "user" {
  provider = lm
  config {
    admin_id = %[1]d
  }
}

list "lm_api_token" "user_objects" {
  provider         = lm
  include_resource = true
  config {
    admin_id = %[1]d
  }
}

list "lm_api_token" "bearer" {
  provider = lm
  config {
    admin_id = %[1]d
    type     = "bearer"
  }
}

list "lm_api_token" "disabled" {
  provider = lm
  config {
    admin_id = %[1]d
    enabled  = false
  }
}

list "lm_api_token" "portal" {
  provider = lm
}
`, userID),
				QueryResultChecks: append([]querycheck.QueryResultCheck{
					querycheck.ExpectLength("lm_api_token.user", 2),
					querycheck.ExpectIdentity("lm_api_token.user", map[string]knownvalue.Check{
						"admin_id": knownvalue.Int64Exact(int64(userID)),
						"id":       knownvalue.Int64Func(acctest.PositiveID),
					}),
					querycheck.ExpectResourceDisplayName("lm_api_token.user", byNote(made),
						knownvalue.StringRegexp(regexp.MustCompile(`^`+regexp.QuoteMeta(user.Username)+`: [A-Za-z0-9]{20} `+quoted(made)+`$`))),
					querycheck.ExpectResourceDisplayName("lm_api_token.user", byNote(off),
						knownvalue.StringRegexp(regexp.MustCompile(`^`+regexp.QuoteMeta(user.Username)+`: \S+ `+quoted(off)+` \(bearer, disabled\)$`))),
					querycheck.ExpectResourceKnownValues("lm_api_token.user_objects", byNote(made), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("admin_id"), KnownValue: knownvalue.Int64Exact(int64(userID))},
						{Path: tfjsonpath.New("note"), KnownValue: knownvalue.StringExact(made)},
						{Path: tfjsonpath.New("type"), KnownValue: knownvalue.StringExact("lmv1")},
						{Path: tfjsonpath.New("enabled"), KnownValue: knownvalue.Bool(true)},
						{Path: tfjsonpath.New("on_destroy"), KnownValue: knownvalue.StringExact("delete")},
						{Path: tfjsonpath.New("access_id"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{20}$`))},
						{Path: tfjsonpath.New("access_key"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("admin_name"), KnownValue: knownvalue.StringExact(user.Username)},
					}),
					querycheck.ExpectResourceKnownValues("lm_api_token.user_objects", byNote(off), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("type"), KnownValue: knownvalue.StringExact("bearer")},
						{Path: tfjsonpath.New("enabled"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("access_key"), KnownValue: knownvalue.Null()},
					}),
					querycheck.ExpectLength("lm_api_token.bearer", 1),
					querycheck.ExpectResourceDisplayName("lm_api_token.bearer", byNote(off), knownvalue.NotNull()),
					querycheck.ExpectLength("lm_api_token.disabled", 1),
					querycheck.ExpectResourceDisplayName("lm_api_token.disabled", byNote(off), knownvalue.NotNull()),
				}, portalChecks...),
			},
		},
	})
}

// TestAccAPITokenList_badInput: an unknown user and an unknown type are
// reported naming the setting.
func TestAccAPITokenList_badInput(t *testing.T) {
	e := acctest.New(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Query: true,
				Config: e.ProviderBlock("") + `
list "lm_api_token" "nobody" {
  provider = lm
  config {
    admin_id = 999999
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unknown LogicMonitor user.*No LogicMonitor user has id 999999`),
			},
			{
				Query: true,
				Config: e.ProviderBlock("") + `
list "lm_api_token" "oauth" {
  provider = lm
  config {
    type = "oauth"
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)type.*value must be one of`),
			},
		},
	})
}

// TestAccAPITokenList_moreThanOnePage: a portal with 1209 tokens, 1206 of
// them one user's, is listed in whole, by user and portal-wide, in pages of
// at most 1000 read by offset, and a smaller limit stops the paging early.
func TestAccAPITokenList_moreThanOnePage(t *testing.T) {
	acctest.SkipOnRealPortalBecause(t, "needs a portal of more than 1000 tokens, which the test will not create in a real account")
	const n = 1205
	fixture := lmsim.DefaultFixture()
	for i := range n {
		fixture.APITokens = append(fixture.APITokens, lmsim.Token{
			ID: int32(10000 + i), AdminID: acctest.AuditorID, AccessID: fmt.Sprintf("lmsimBulk%011d", i),
			AccessKey: fmt.Sprintf("lmsim+bulk+key+%025d", i), Note: fmt.Sprintf("bulk %d", i),
			Status: lmsim.StatusEnabled, CreatedOn: 1700000000,
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
list "lm_api_token" "all" {
  provider = lm
  limit    = 5000
  config {
    admin_id = %[1]d
    type     = "lmv1"
  }
}

list "lm_api_token" "first" {
  provider = lm
  limit    = 10
  config {
    admin_id = %[1]d
    type     = "lmv1"
  }
}

list "lm_api_token" "portal" {
  provider = lm
  limit    = 5000
}
`, acctest.AuditorID),
			QueryResultChecks: []querycheck.QueryResultCheck{
				// The auditor's own token and the bulk ones.
				querycheck.ExpectLength("lm_api_token.all", n+1),
				querycheck.ExpectIdentity("lm_api_token.all", map[string]knownvalue.Check{
					"admin_id": knownvalue.Int64Exact(acctest.AuditorID),
					"id":       knownvalue.Int64Exact(10000 + n - 1),
				}),
				querycheck.ExpectLength("lm_api_token.first", 10),
				// Those and the default fixture's three other tokens.
				querycheck.ExpectLength("lm_api_token.portal", n+4),
				querycheck.ExpectIdentity("lm_api_token.portal", map[string]knownvalue.Check{
					"admin_id": knownvalue.Int64Exact(int64(lmsim.DefaultAdminID)),
					"id":       knownvalue.Int64Exact(int64(lmsim.DefaultAdminBearerTokenID)),
				}),
			},
		}},
	})

	// Every page request of the listings: size 1000, offsets in step.
	// "all" reads offsets 0 and 1000; "first" stops after offset 0;
	// "portal" reads LMv1 tokens at 0 and 1000, then bearer tokens at 0.
	userPath := fmt.Sprintf("/setting/admins/%d/apitokens", acctest.AuditorID)
	acctest.CheckPages(t, log, []string{userPath, "/setting/admins/apitokens"}, func(path string, q url.Values) string {
		return fmt.Sprintf("%s type=%s offset=%s", path, q.Get("type"), q.Get("offset"))
	}, map[string]int{
		userPath + " type= offset=0":                     2,
		userPath + " type= offset=1000":                  1,
		"/setting/admins/apitokens type= offset=0":       1,
		"/setting/admins/apitokens type= offset=1000":    1,
		"/setting/admins/apitokens type=bearer offset=0": 1,
	})
}
