package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// The refresh of a plan from the portal's listings (DESIGN.md, "Batched
// refresh"), through the real CLIs. The portal holds exactly 1000 users,
// 1000 roles, 1000 LMv1 and 1000 bearer tokens before the test's own, so
// every listing takes two pages and the test's objects, made last, are
// all on the second: a refresh that reads them from the listings must
// read it, and one that reads them one by one shows in the request log.

const fillerUser = 5000 // the filler tokens' user; filler users from 5000

// portalFixture is the default fixture filled up to 1000 of each.
func portalFixture() *lmsim.Fixture {
	fx := lmsim.DefaultFixture()
	lmv1, bearer := 0, 0
	for _, tok := range fx.APITokens {
		if tok.Type == lmsim.TokenTypeBearer {
			bearer++
		} else {
			lmv1++
		}
	}
	for i := int32(0); len(fx.Roles) < 1000; i++ {
		fx.Roles = append(fx.Roles, lmsim.Role{ID: 5000 + i, Name: fmt.Sprintf("filler-role-%04d", i)})
	}
	for i := int32(0); len(fx.Admins) < 1000; i++ {
		fx.Admins = append(fx.Admins, lmsim.Admin{ID: fillerUser + i, Username: fmt.Sprintf("filler-%04d", i),
			Email: "filler@example.com", APIOnly: true, Status: lmsim.AdminActive, Roles: []lmsim.RoleRef{{ID: 2}}})
	}
	id := int32(50000)
	add := func(typ string, n int) {
		for range n {
			fx.APITokens = append(fx.APITokens, lmsim.Token{ID: id, AdminID: fillerUser, Type: typ, Status: lmsim.StatusEnabled,
				CreatedOn: 1700000000, AccessID: fmt.Sprintf("filler%014d", id), AccessKey: fmt.Sprintf("fillerkey%031d", id)})
			id++
		}
	}
	add(lmsim.TokenTypeLMv1, 1000-lmv1)
	add(lmsim.TokenTypeBearer, 1000-bearer)
	return fx
}

// portalConfig: 4 roles (one held by nobody), 4 users and 12 tokens of
// both types.
func portalConfig(e *acctest.Env, prefix string) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_role" "team" {
  count      = 3
  name       = "%[1]s-team-${count.index}"
  privileges = [{ object_type = "setting", object_id = "*", operation = "read" }]
}

resource "lm_role" "spare" {
  name       = "%[1]s-spare"
  privileges = [{ object_type = "setting", object_id = "*", operation = "read" }]
}

resource "lm_user" "svc" {
  count    = 4
  username = "%[1]s-svc-${count.index}"
  email    = "svc@example.com"
  roles    = [lm_role.team[count.index %% 3].id]
}

resource "lm_api_token" "lmv1" {
  count    = 8
  admin_id = lm_user.svc[count.index %% 4].id
  note     = "%[2]s ${count.index}"
}

resource "lm_api_token" "bearer" {
  count    = 4
  admin_id = lm_user.svc[count.index].id
  type     = "bearer"
}
`, prefix, acctest.Note("portal"))
}

// requestLog records the simulator's requests while it is on.
type requestLog struct {
	mu   sync.Mutex
	on   bool
	seen []string // "GET /setting/admins?offset=1000&size=1000"
	// shift, when set, is called once per listing path on the request
	// of its second page, before the simulator answers it.
	shift map[string]func()
}

func (l *requestLog) intercept(_ http.ResponseWriter, r *lmsim.Intercepted) bool {
	l.mu.Lock()
	if l.on {
		l.seen = append(l.seen, r.Method+" "+r.Path+"?"+r.URL.RawQuery)
	}
	var f func()
	if r.Method == http.MethodGet && r.URL.Query().Get("offset") == "1000" {
		f = l.shift[r.Path]
		delete(l.shift, r.Path)
	}
	l.mu.Unlock()
	if f != nil {
		f()
	}
	return false
}

func (l *requestLog) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.seen = true, nil
}

// stop returns the requests recorded since start.
func (l *requestLog) stop() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.seen
}

var (
	ownToken = regexp.MustCompile(`^GET /setting/admins/\d+/apitokens\?`)
	ownUser  = regexp.MustCompile(`^GET /setting/admins/\d+\?`)
	ownRole  = regexp.MustCompile(`^GET /setting/roles/\d+\?`)
)

// checkListed fails the test unless the requests read the second page of
// every listing and no user, role or user's tokens on their own: 8 GETs
// for the plan.
func checkListed(t *testing.T, seen []string) {
	t.Helper()
	for _, path := range []string{"/setting/admins/apitokens", "/setting/admins", "/setting/roles"} {
		for _, typ := range []string{"", "type=bearer&"} {
			if typ != "" && path != "/setting/admins/apitokens" {
				continue
			}
			want := "GET " + path + "?offset=1000&size=1000"
			if typ != "" {
				want = "GET " + path + "?offset=1000&size=1000&type=bearer"
			}
			if !slices.Contains(seen, want) {
				t.Errorf("the refresh did not read %q; it sent:\n%s", want, strings.Join(seen, "\n"))
			}
		}
	}
	gets := 0
	for _, r := range seen {
		if ownToken.MatchString(r) || ownUser.MatchString(r) || ownRole.MatchString(r) {
			t.Errorf("the refresh read an object on its own: %s\n%s", r, strings.Join(seen, "\n"))
		}
		if strings.HasPrefix(r, "GET ") {
			gets++
		}
	}
	// The two pages of each of the four listings (roles, users, tokens of
	// each type), and nothing more.
	if gets != 8 {
		t.Errorf("the plan sent %d GETs, want 8:\n%s", gets, strings.Join(seen, "\n"))
	}
}

// onlyCreates is a plan check: the plan creates exactly the resources
// named, and changes nothing else (a wrong removal would plan a create
// of its own).
type onlyCreates []string

func (want onlyCreates) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var got []string
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Change.Actions.NoOp() || rc.Change.Actions.Read() {
			continue
		}
		if !rc.Change.Actions.Create() {
			resp.Error = fmt.Errorf("%s: planned %v, want no change", rc.Address, rc.Change.Actions)
			return
		}
		got = append(got, rc.Address)
	}
	slices.Sort(got)
	w := slices.Sorted(slices.Values(want))
	if !slices.Equal(got, w) {
		resp.Error = fmt.Errorf("the plan creates %v, want exactly %v", got, w)
	}
}

func newPortalEnv(t *testing.T) (*acctest.Env, *requestLog) {
	acctest.SkipOnRealPortalBecause(t, "it fills the simulator with 1000 users, roles and tokens of each type")
	log := &requestLog{}
	e := acctest.NewSim(t, lmsim.Options{Fixture: portalFixture(), Intercept: log.intercept})
	return e, log
}

// stateID reads an object's id from the state.
func stateID(t *testing.T, s *terraform.State, name string) int32 {
	t.Helper()
	v, err := acctest.StateAttr(s, name, "id")
	if err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		t.Fatal(err)
	}
	return int32(id)
}

// TestAccPortal_refreshFromListings: a plan of roles, users and tokens of
// both types refreshes from the second pages of the portal's listings,
// with no call per object, and its plan is empty; then the same with a
// token, a user and a role deleted and others made between the two pages
// of each listing (offset paging then skips the test's first object):
// nothing is removed, and the plan is still empty.
func TestAccPortal_refreshFromListings(t *testing.T) {
	e, log := newPortalEnv(t)
	cfg := portalConfig(e, acctest.Name("portal"))
	ctx := context.Background()
	shifted := 0
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: log.start,
				Config:    cfg,
				PlanOnly:  true,
			},
			{
				PreConfig: func() {
					checkListed(t, log.stop())
					// Between the two pages of each listing: one item of
					// the first page deleted, one made, so the total stays
					// and the second page starts one item later.
					log.mu.Lock()
					log.shift = map[string]func(){
						"/setting/admins/apitokens": func() {
							shifted++
							if err := e.Client.DeleteAPIToken(ctx, fillerUser, 50000); err != nil {
								t.Error(err)
							}
							if _, err := e.Sim.Server.AddToken(lmsim.Token{AdminID: fillerUser}); err != nil {
								t.Error(err)
							}
						},
						"/setting/admins": func() {
							shifted++
							if err := e.Client.DeleteAdmin(ctx, fillerUser+1); err != nil {
								t.Error(err)
							}
							if _, err := e.Client.CreateAdmin(ctx, lm.AdminWrite{Username: acctest.Name("late-filler"), Email: "filler@example.com",
								APIOnly: true, Roles: []lm.RoleRef{{ID: 2}}}); err != nil {
								t.Error(err)
							}
						},
						"/setting/roles": func() {
							shifted++
							if err := e.Client.DeleteRole(ctx, 5000); err != nil {
								t.Error(err)
							}
							if _, err := e.Client.CreateRole(ctx, lm.RoleWrite{Name: acctest.Name("late-filler-role")}); err != nil {
								t.Error(err)
							}
						},
					}
					log.mu.Unlock()
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					if shifted != 3 {
						t.Errorf("%d listings shifted between their pages, want 3", shifted)
					}
				},
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
}

// TestAccPortal_outOfBand: a token, a user (and its tokens) and a role
// deleted outside Terraform, in a plan refreshed from the listings: the
// next plan creates exactly those again, and the plan after it is empty.
func TestAccPortal_outOfBand(t *testing.T) {
	e, _ := newPortalEnv(t)
	cfg := portalConfig(e, acctest.Name("portal-oob"))
	ctx := context.Background()
	var token, user, role, userOf1 int32
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					token, userOf1 = stateID(t, s, "lm_api_token.lmv1.2"), stateID(t, s, "lm_user.svc.2")
					user, role = stateID(t, s, "lm_user.svc.1"), stateID(t, s, "lm_role.spare")
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := e.Client.DeleteAPIToken(ctx, userOf1, token); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					onlyCreates{"lm_api_token.lmv1[2]"},
				}},
			},
			{Config: cfg, PlanOnly: true},
			{
				PreConfig: func() {
					if err := e.Client.DeleteAdmin(ctx, user); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					onlyCreates{"lm_user.svc[1]", "lm_api_token.lmv1[1]", "lm_api_token.lmv1[5]", "lm_api_token.bearer[1]"},
				}},
			},
			{Config: cfg, PlanOnly: true},
			{
				PreConfig: func() {
					if err := e.Client.DeleteRole(ctx, role); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					onlyCreates{"lm_role.spare"},
				}},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}
