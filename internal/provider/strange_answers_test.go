package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// loose matches the words of s in order, across the line breaks the CLI
// puts into long diagnostics.
func loose(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// strangeErrors is what the refresh must fail with, by shape: the issue
// that brought strict reading saw each of these end in "no longer exists"
// and a planned create.
var strangeErrors = map[string]string{
	lmsim.StrangeEnvelope:  `HTTP 200 (errorCode 1069), Content-Type "application/json": the answer is LogicMonitor's API v1 envelope, status 1069: "No such record"`,
	lmsim.StrangeEmpty:     `HTTP 200, Content-Type "application/json": the answer is JSON, but not LogicMonitor's`,
	lmsim.StrangeNullItems: `HTTP 200, Content-Type "application/json": the answer is JSON, but not LogicMonitor's`,
	// The hint of item 3 of the issue, word for word.
	lmsim.StrangeHTML: "the answer was an HTML page, not LogicMonitor's JSON API: check `base_url`/`company` " +
		"(it should end in `/santaba/rest`) or an HTTP proxy in the way (`HTTPS_PROXY`)",
	lmsim.StrangeTruncated: "the answer is not JSON (unexpected end of JSON input",
}

// strangeAnswerSteps drives one resource, already created by the first
// step, through every strange answer on the paths glob matches: each
// refresh fails with the error (summary and the method and path of the
// call) and leaves the state alone (the glob covers both the object's own
// path and its listing, since a refresh may read either: portal_list.go); back on the real API the next plan is
// empty, the id unchanged, and count (what LogicMonitor holds of the
// resource's kind) unchanged: nothing was created again.
func strangeAnswerSteps(t *testing.T, e *acctest.Env, cfg, name string, globs []string, summary, call string, count func() (int, error)) []resource.TestStep {
	t.Helper()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var before int
	steps := []resource.TestStep{{
		Config:            cfg,
		ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(name, tfjsonpath.New("id"))},
		Check: func(*terraform.State) (err error) {
			before, err = count()
			return err
		},
	}}
	for _, shape := range lmsim.StrangeShapes {
		steps = append(steps,
			resource.TestStep{
				PreConfig: func() {
					var rules []lmsim.Strange
					for _, g := range globs {
						rules = append(rules, lmsim.Strange{Shape: shape, Path: g})
					}
					if err := e.Sim.Server.SetStrange(rules...); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg,
				ExpectError: loose(summary, call, strangeErrors[shape]),
			},
			resource.TestStep{
				PreConfig: func() {
					if err := e.Sim.Server.SetStrange(); err != nil {
						t.Fatal(err)
					}
				},
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(name, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					n, err := count()
					if err == nil && n != before {
						err = fmt.Errorf("after the %s answer LogicMonitor holds %d, before it %d", shape, n, before)
					}
					return err
				},
			})
	}
	return steps
}

func TestAccAPIToken_strangeAnswers(t *testing.T) {
	acctest.SkipOnRealPortalBecause(t, "strange answers come from the simulator")
	e := acctest.NewSim(t, lmsim.Options{})
	cfg := tokenConfig(e, fmt.Sprintf(`note = %q`, acctest.Note("behind a strange proxy")))
	tokens := func() (int, error) {
		toks, err := e.Client.ListAPITokens(context.Background(), e.AdminID, lm.ListOptions{})
		return len(toks), err
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: strangeAnswerSteps(t, e, cfg, tokenName, []string{"/setting/admins/*/apitokens", "/setting/admins/apitokens"},
			"Cannot read the API token", "GET /setting/admins/", tokens),
	})
}

func TestAccUser_strangeAnswers(t *testing.T) {
	acctest.SkipOnRealPortalBecause(t, "strange answers come from the simulator")
	e := acctest.NewSim(t, lmsim.Options{})
	cfg := userConfig(e, acctest.Name("strange-user-role"), fmt.Sprintf(`
  username = %q
  email    = "strange@example.com"
  roles    = [lm_role.ci.id]`, acctest.Name("strange-user")))
	users := func() (int, error) {
		n := 0
		for _, err := range e.Client.Admins(context.Background(), lm.ListOptions{}) {
			if err != nil {
				return 0, err
			}
			n++
		}
		return n, nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps:                    strangeAnswerSteps(t, e, cfg, userName, []string{"/setting/admins", "/setting/admins/*"}, "Cannot read the user", "GET /setting/admins", users),
	})
}

func TestAccRole_strangeAnswers(t *testing.T) {
	acctest.SkipOnRealPortalBecause(t, "strange answers come from the simulator")
	e := acctest.NewSim(t, lmsim.Options{})
	cfg := roleConfig(e, fmt.Sprintf(`
  name       = %q
  privileges = [{ object_type = "help", object_id = "", operation = "read" }]`, acctest.Name("strange-role")))
	roles := func() (int, error) {
		all, err := e.Client.ListRoles(context.Background(), lm.ListOptions{})
		return len(all), err
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps:                    strangeAnswerSteps(t, e, cfg, roleName, []string{"/setting/roles", "/setting/roles/*"}, "Cannot read the role", "GET /setting/roles", roles),
	})
}
