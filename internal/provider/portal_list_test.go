package provider

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// bigPortal is the account of the portal-size bench (issue 22): the
// default fixture plus 100 roles, 1000 API-only users each holding one of
// them, and 100 of those users with 100 tokens each, 50 LMv1 and 50
// bearer. Users 1000..1999, roles 1000..1099, tokens from 10000.
func bigPortal() *lmsim.Fixture {
	fx := lmsim.DefaultFixture()
	for i := range int32(100) {
		fx.Roles = append(fx.Roles, lmsim.Role{ID: 1000 + i, Name: fmt.Sprintf("team-%03d", i)})
	}
	for i := range int32(1000) {
		fx.Admins = append(fx.Admins, lmsim.Admin{
			ID: 1000 + i, Username: fmt.Sprintf("svc-%04d", i), Email: fmt.Sprintf("svc-%04d@example.com", i),
			APIOnly: true, Status: lmsim.AdminActive, Roles: []lmsim.RoleRef{{ID: 1000 + i%100}},
		})
	}
	id := int32(10000)
	for u := range int32(100) {
		for k := range 100 {
			typ := lmsim.TokenTypeLMv1
			if k%2 == 1 {
				typ = lmsim.TokenTypeBearer
			}
			fx.APITokens = append(fx.APITokens, lmsim.Token{
				ID: id, AdminID: 1000 + u*10, Type: typ, Status: lmsim.StatusEnabled, CreatedOn: 1700000000,
				AccessID: fmt.Sprintf("bench%015d", id), AccessKey: fmt.Sprintf("benchkey%032d", id), Note: fmt.Sprintf("t%d", id),
			})
			id++
		}
	}
	return fx
}

// planReads is what a plan refreshes: the roles, users and tokens in its
// state.
type planReads struct {
	roles, users []int32
	tokens       []lmsim.Token
}

// refresh reads every object of a plan as Terraform's refresh does:
// parallelism Reads at a time, the roles first, then the users, then the
// tokens (each resource waits for those it refers to), in the order
// given; and checks that each is found as it is in the simulator.
func refresh(t *testing.T, d *providerData, sim *lmsim.Running, p planReads, parallelism int) {
	t.Helper()
	ctx := context.Background()
	admins := map[int32]lmsim.Admin{}
	for _, a := range sim.Server.Admins() {
		admins[a.ID] = a
	}
	run := func(n int, read func(i int) error) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range parallelism {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if err := read(i); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	run(len(p.roles), func(i int) error {
		r, err := d.readRole(ctx, p.roles[i])
		if err != nil || r.ID != p.roles[i] {
			return fmt.Errorf("role %d: %v %v", p.roles[i], r, err)
		}
		return nil
	})
	run(len(p.users), func(i int) error {
		a, err := d.readUser(ctx, p.users[i])
		if err != nil || a.ID != p.users[i] || a.Username != admins[a.ID].Username {
			return fmt.Errorf("user %d: %v %v", p.users[i], a, err)
		}
		return nil
	})
	run(len(p.tokens), func(i int) error {
		want := p.tokens[i]
		tok, found, err := d.tokens.lookup(ctx, want.AdminID, want.Type, want.ID)
		if err != nil || !found || tok.Note != want.Note || tok.AccessKey != "" {
			return fmt.Errorf("token %d of user %d: found=%v note=%q err=%v", want.ID, want.AdminID, found, tok.Note, err)
		}
		return nil
	})
}

func newPortalData(c *lm.Client) *providerData {
	return &providerData{client: c, tokens: newTokenIndex(c), users: newUserList(c), roles: newRoleList(c)}
}

func startPortal(t *testing.T, fx *lmsim.Fixture) (*lmsim.Running, *lm.Client) {
	t.Helper()
	off, err := lmsim.ParseRateLimits("off")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := lmsim.Start(lmsim.Options{Fixture: fx, RateLimits: off})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	c, err := lm.New(lm.Config{BaseURL: sim.URL, AccessID: lmsim.DefaultAdminAccessID, AccessKey: lmsim.DefaultAdminAccessKey})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

// TestPortalRefreshGETs counts the GETs of a plan's refresh for a few
// shapes of plan in the bench's portal (bigPortal: 1105 users, 102
// roles, 5003 LMv1 and 5001 bearer tokens, so 2 pages of users, 1 of
// roles and 6 of each token type). The bounds are the rule's: a plan
// pays about what the cheaper choice costs, and never more than about
// twice.
func TestPortalRefreshGETs(t *testing.T) {
	fx := bigPortal()
	var benchTokens []lmsim.Token
	for _, tok := range fx.APITokens {
		if tok.ID >= 10000 {
			benchTokens = append(benchTokens, tok)
		}
	}
	var benchUsers, benchRoles []int32
	for _, a := range fx.Admins {
		if a.ID >= 1000 {
			benchUsers = append(benchUsers, a.ID)
		}
	}
	for _, r := range fx.Roles {
		if r.ID >= 1000 {
			benchRoles = append(benchRoles, r.ID)
		}
	}
	tokensOf := func(users ...int32) []lmsim.Token {
		var out []lmsim.Token
		for _, tok := range benchTokens {
			if slices.Contains(users, tok.AdminID) {
				out = append(out, tok)
			}
		}
		return out
	}
	seed := uint64(1)
	shuffled := func(p planReads) planReads {
		seed++
		rng := rand.New(rand.NewPCG(seed, 2))
		p.roles, p.users, p.tokens = slices.Clone(p.roles), slices.Clone(p.users), slices.Clone(p.tokens)
		rng.Shuffle(len(p.roles), func(i, j int) { p.roles[i], p.roles[j] = p.roles[j], p.roles[i] })
		rng.Shuffle(len(p.users), func(i, j int) { p.users[i], p.users[j] = p.users[j], p.users[i] })
		rng.Shuffle(len(p.tokens), func(i, j int) { p.tokens[i], p.tokens[j] = p.tokens[j], p.tokens[i] })
		return p
	}
	var tokenOwners []int32 // users 1000, 1010, ... 1990
	for u := range int32(100) {
		tokenOwners = append(tokenOwners, 1000+u*10)
	}
	whole := planReads{roles: benchRoles, users: benchUsers, tokens: benchTokens}
	type shape struct {
		name        string
		plan        planReads
		parallelism int
		max         int
	}
	var shapes []shape
	// The bench: every role, user and token, in Terraform's order
	// (random within a resource's instances), a few orders. Target: at
	// most 20.
	for i := range 5 {
		shapes = append(shapes, shape{fmt.Sprintf("bench, order %d", i), shuffled(whole), 10, 20})
	}
	for _, tc := range append(shapes, []shape{
		// The same plan read in id order: a user's tokens one after
		// another, the worst order for the rule (every new user rents).
		{"bench, in id order", whole, 10, 30},
		{"bench, parallelism 1", shuffled(whole), 1, 30},
		// Small plans in the big portal: own calls stay cheaper.
		{"one role", planReads{roles: benchRoles[:1]}, 10, 1},
		{"one user", planReads{users: benchUsers[:1]}, 10, 1},
		{"last user", planReads{users: benchUsers[len(benchUsers)-1:]}, 10, 2},
		{"one user's 100 tokens", shuffled(planReads{tokens: tokensOf(1990)}), 10, 4},
		{"three users and their tokens", shuffled(planReads{users: []int32{1000, 1500, 1990}, tokens: tokensOf(1000, 1500, 1990)}), 10, 2 + 2*(1+3)},
		{"20 users' tokens", shuffled(planReads{tokens: tokensOf(tokenOwners[:20]...)}), 10, 2 * 2 * 6},
		{"20 users' tokens, the last", shuffled(planReads{tokens: tokensOf(tokenOwners[80:]...)}), 10, 2 * 2 * 6},
	}...) {
		t.Run(tc.name, func(t *testing.T) {
			sim, c := startPortal(t, fx)
			d := newPortalData(c)
			refresh(t, d, sim, tc.plan, tc.parallelism)
			got := sim.Server.Stats().Requests["GET"]
			t.Logf("%d roles, %d users, %d tokens, parallelism %d: %d GETs (listing pages: roles %d, users %d, LMv1 %d, bearer %d)",
				len(tc.plan.roles), len(tc.plan.users), len(tc.plan.tokens), tc.parallelism, got,
				d.roles.pagesRead(), d.users.pagesRead(), d.tokens.wide[lm.TokenTypeLMv1].pagesRead(), d.tokens.wide[lm.TokenTypeBearer].pagesRead())
			if got > tc.max {
				t.Errorf("%d GETs, want at most %d", got, tc.max)
			}
		})
	}
}
