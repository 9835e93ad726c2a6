package provider

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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
// given, the parallel Reads of each kind starting stagger apart; and
// checks that each is found as it is in the simulator.
func refresh(t *testing.T, d *providerData, sim *lmsim.Running, p planReads, parallelism int, stagger time.Duration) {
	t.Helper()
	ctx := context.Background()
	admins := map[int32]lmsim.Admin{}
	for _, a := range sim.Server.Admins() {
		admins[a.ID] = a
	}
	run := func(n int, read func(i int) error) {
		var wg sync.WaitGroup
		next := make(chan int)
		for k := range parallelism {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(k) * stagger) // Reads that start one after another
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
			return fmt.Errorf("role %d: %v %w", p.roles[i], r, err)
		}
		return nil
	})
	run(len(p.users), func(i int) error {
		a, err := d.readUser(ctx, p.users[i])
		if err != nil || a.ID != p.users[i] || a.Username != admins[a.ID].Username {
			return fmt.Errorf("user %d: %v %w", p.users[i], a, err)
		}
		return nil
	})
	run(len(p.tokens), func(i int) error {
		want := p.tokens[i]
		tok, found, err := d.tokens.lookup(ctx, want.AdminID, want.Type, want.ID)
		if err != nil || !found || tok.Note != want.Note || tok.AccessKey != "" {
			return fmt.Errorf("token %d of user %d: found=%v note=%q err=%w", want.ID, want.AdminID, found, tok.Note, err)
		}
		return nil
	})
}

func newPortalData(c *lm.Client) *providerData {
	return &providerData{client: c, tokens: newTokenIndex(c), users: newUserList(c), roles: newRoleList(c)}
}

// startPortal starts a simulator with fixture fx (nil: the default) and no
// rate limit, and a client of its default admin.
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
// shapes of plan in the bench's portal (bigPortal: 1005 users, 102
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
	// The bench's portal and a user with 2500 LMv1 tokens.
	heavyFx := bigPortal()
	for i := range int32(2500) {
		id := 30000 + i
		heavyFx.APITokens = append(heavyFx.APITokens, lmsim.Token{ID: id, AdminID: 1995, Type: lmsim.TokenTypeLMv1,
			Status: lmsim.StatusEnabled, CreatedOn: 1700000000, Note: fmt.Sprintf("t%d", id),
			AccessID: fmt.Sprintf("heavy%015d", id), AccessKey: fmt.Sprintf("heavykey%032d", id)})
	}
	heavy := heavyFx.APITokens
	// The bench's portal with user 1995 holding every 100th LMv1 token.
	spreadFx := bigPortal()
	var spread []lmsim.Token
	for i := range spreadFx.APITokens {
		if tok := &spreadFx.APITokens[i]; tok.ID >= 10000 && tok.ID%200 == 0 {
			tok.AdminID = 1995
			spread = append(spread, *tok)
		}
	}
	whole := planReads{roles: benchRoles, users: benchUsers, tokens: benchTokens}
	type shape struct {
		name        string
		plan        planReads
		parallelism int
		max         int
		fx          *lmsim.Fixture // nil: fx
		stagger     time.Duration
	}
	var shapes []shape
	// The bench: every role, user and token, in Terraform's order
	// (random within a resource's instances), a few orders. Target: at
	// most 20.
	for i := range 5 {
		shapes = append(shapes, shape{fmt.Sprintf("bench, order %d", i), shuffled(whole), 10, 20, nil, 0})
	}
	// The same with the Reads of each kind arriving 2 ms apart, so that
	// few wait for the first page.
	for i := range 3 {
		shapes = append(shapes, shape{fmt.Sprintf("bench, order %d, 2 ms apart", i), shuffled(whole), 10, 20, nil, 2 * time.Millisecond})
	}
	// Terraform's own order: it refreshes a block's instances together,
	// and the bench has a block per team, so a user's 100 tokens come
	// one after another, in random order, and the users in random order.
	for i := range 3 {
		p := shuffled(whole)
		rank := map[int32]int{}
		for k, u := range shuffled(planReads{users: tokenOwners}).users {
			rank[u] = k
		}
		slices.SortStableFunc(p.tokens, func(a, b lmsim.Token) int { return rank[a.AdminID] - rank[b.AdminID] })
		shapes = append(shapes, shape{fmt.Sprintf("bench, a block per user, order %d", i), p, 10, 20, nil, 0})
	}
	for _, tc := range append(shapes, []shape{
		// The same plan read in id order: a user's tokens one after
		// another, the worst order for the rule (every new user rents).
		{"bench, in id order", whole, 10, 30, nil, 0},
		{"bench, parallelism 1", shuffled(whole), 1, 30, nil, 0},
		// Small plans in the big portal: the first page, then the pages
		// that hold what the plan reads (a user's 50 tokens of a type
		// straddle two pages at worst), per listing.
		{"one role", planReads{roles: benchRoles[:1]}, 10, 1, nil, 0},
		{"one user", planReads{users: benchUsers[:1]}, 10, 1, nil, 0},
		{"last user", planReads{users: benchUsers[len(benchUsers)-1:]}, 10, 2, nil, 0},
		{"one user's 100 tokens", shuffled(planReads{tokens: tokensOf(1990)}), 10, 2 * (1 + maxLocated), nil, 0},
		{"three users and their tokens", shuffled(planReads{users: []int32{1000, 1500, 1990}, tokens: tokensOf(1000, 1500, 1990)}), 10, 2 + 2*(1+2*maxLocated), nil, 0},
		{"20 users' tokens", shuffled(planReads{tokens: tokensOf(tokenOwners[:20]...)}), 10, 2 * 2, nil, 0},
		{"20 users' tokens, the last", shuffled(planReads{tokens: tokensOf(tokenOwners[80:]...)}), 10, 2 * 3, nil, 0},
		// A user with very many tokens among a huge portal: after the
		// first page and the two pages its lookups may read, its own list
		// (3 pages), not the portal's (8).
		{"one user's 2500 tokens among 7500", shuffled(planReads{tokens: heavy[len(heavy)-2500:]}), 10, 1 + maxLocated + 3, heavyFx, 0},
		// Tokens spread thin: one in every 100 of a user with 50 among
		// 5000 LMv1 tokens, as a user whose tokens were made years apart.
		// Two pages, then its own list.
		{"one user's tokens spread over every page", planReads{tokens: spread}, 10, 1 + maxLocated + 1, spreadFx, 0},
	}...) {
		t.Run(tc.name, func(t *testing.T) {
			f := fx
			if tc.fx != nil {
				f = tc.fx
			}
			sim, c := startPortal(t, f)
			d := newPortalData(c)
			refresh(t, d, sim, tc.plan, tc.parallelism, tc.stagger)
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

// smallPages makes the token listings page by n, so that a few dozen
// tokens make several pages.
func smallPages(x *tokenIndex, n int) {
	for _, w := range x.wide {
		w.pageSize = n
	}
}

// buyAtOnce has the token listings read in full by the first lookups, as
// if the plan had already spent more on users' own lists than they cost.
func buyAtOnce(x *tokenIndex) {
	for _, w := range x.wide {
		w.rent = 1 << 20
	}
}

// makeTokens creates n LMv1 tokens for each user, in turns, so that every
// page of the portal-wide listing holds tokens of several users.
func makeTokens(t *testing.T, c *lm.Client, n int, users ...int32) []lm.APIToken {
	t.Helper()
	var out []lm.APIToken
	for i := range n {
		for _, u := range users {
			tok, err := c.CreateAPIToken(context.Background(), u, lm.CreateAPITokenRequest{Note: fmt.Sprintf("u%d-%d", u, i), Enabled: true})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, *tok)
		}
	}
	return out
}

// lookupAll looks every token up from 10 goroutines and returns those
// found.
func lookupAll(t *testing.T, x *tokenIndex, toks []lm.APIToken) map[int32]lm.APIToken {
	t.Helper()
	var mu sync.Mutex
	found := map[int32]lm.APIToken{}
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(toks); i += 10 {
				tok, ok, err := x.lookup(context.Background(), toks[i].AdminID, toks[i].Type, toks[i].ID)
				if err != nil {
					t.Errorf("token %d: %v", toks[i].ID, err)
					continue
				}
				if ok {
					mu.Lock()
					found[tok.ID] = tok
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return found
}

// TestTokenIndexWideOutOfBand: tokens of many users are read from the
// portal-wide listing; a token deleted and a user deleted outside
// Terraform are reported gone, each after its proof (its user's own list;
// the user's 404, once for all its tokens), and every other token is found.
func TestTokenIndexWideOutOfBand(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	toks := makeTokens(t, c, 10, 140, 141, 142, 131)
	gone := toks[5]
	if err := c.DeleteAPIToken(ctx, gone.AdminID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAdmin(ctx, 142); err != nil {
		t.Fatal(err)
	}
	sim.Server.ResetStats()
	var logMu sync.Mutex
	var log bytes.Buffer
	sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		logMu.Lock()
		fmt.Fprintf(&log, "%s %s?%s\n", r.Method, r.Path, r.URL.RawQuery)
		logMu.Unlock()
		return false
	})
	x := newTokenIndex(c)
	smallPages(x, 10)
	found := lookupAll(t, x, toks)
	for _, tok := range toks {
		_, ok := found[tok.ID]
		if want := tok.ID != gone.ID && tok.AdminID != 142; ok != want {
			t.Errorf("token %d of user %d: found=%v, want %v", tok.ID, tok.AdminID, ok, want)
		}
	}
	// 3 fixture LMv1 tokens and 29 of the 40 are 4 pages of 10. The
	// rule rents users' own lists (user 142's answers 404 for all its
	// tokens) until they reach the 3 pages after the first, then reads
	// those; the deleted token's absence is confirmed by a filtered call.
	if got := sim.Server.Stats().Requests["GET"]; got > 1+3+3+1 {
		logMu.Lock()
		t.Errorf("%d GETs, want at most 8:\n%s", got, log.String())
		logMu.Unlock()
	}
}

// TestTokenIndexWidePageShift: a token deleted and another created between
// two pages of the portal-wide listing leave the total unchanged and shift
// the next page by one, so offset paging skips a token. The skipped token
// is still found (its user's own list), nothing is reported gone but the
// deleted token, and a later lookup is served without another listing.
func TestTokenIndexWidePageShift(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	toks := makeTokens(t, c, 10, 140, 141, 131)
	// Page 1 at size 10 holds the 3 fixture LMv1 tokens and toks[0:7].
	gone := toks[2]
	var once sync.Once
	sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodGet && r.Path == "/setting/admins/apitokens" && r.URL.Query().Get("offset") == "10" {
			once.Do(func() {
				if err := c.DeleteAPIToken(ctx, gone.AdminID, gone.ID); err != nil {
					t.Error(err)
				}
				if _, err := sim.Server.AddToken(lmsim.Token{AdminID: 141, Note: "made between two pages"}); err != nil {
					t.Error(err)
				}
			})
		}
		return false
	})
	x := newTokenIndex(c)
	smallPages(x, 10)
	buyAtOnce(x)
	found := lookupAll(t, x, toks)
	for _, tok := range toks {
		// The deleted token was on the first page, read before it went:
		// found or not, both are true of some moment of the refresh.
		if _, ok := found[tok.ID]; !ok && tok.ID != gone.ID {
			t.Errorf("token %d: not found", tok.ID)
		}
	}
	if got := x.wide[lm.TokenTypeLMv1].pagesRead(); got != 4 {
		t.Errorf("%d listing pages read, want 4 (33 tokens)", got)
	}
	// The token the shift skipped is the first of the old second page.
	skipped := toks[7]
	if f := found[skipped.ID]; f.Note != skipped.Note {
		t.Errorf("skipped token %d: %+v", skipped.ID, f)
	}
	gets := sim.Server.Stats().Requests["GET"]
	if _, ok, err := x.lookup(ctx, skipped.AdminID, "", skipped.ID); !ok || err != nil {
		t.Errorf("skipped token again: found=%v err=%v", ok, err)
	}
	if got := sim.Server.Stats().Requests["GET"]; got != gets {
		t.Errorf("a second lookup cost %d GETs", got-gets)
	}
}

// TestTokenIndexWideTotalChanged: a token created between two pages
// changes the total: the pages do not add up, and the listing is read
// again from its first page rather than trusted or failed.
func TestTokenIndexWideTotalChanged(t *testing.T) {
	sim, c := startSim(t)
	toks := makeTokens(t, c, 10, 140, 141, 131)
	var once sync.Once
	sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodGet && r.Path == "/setting/admins/apitokens" && r.URL.Query().Get("offset") == "20" {
			once.Do(func() {
				if _, err := sim.Server.AddToken(lmsim.Token{AdminID: 140, Note: "made between two pages"}); err != nil {
					t.Error(err)
				}
			})
		}
		return false
	})
	x := newTokenIndex(c)
	smallPages(x, 10)
	buyAtOnce(x)
	found := lookupAll(t, x, toks)
	if len(found) != len(toks) {
		t.Errorf("found %d of %d tokens", len(found), len(toks))
	}
	// Pages at offsets 0, 10 and 20 (whose total differs), then the 4
	// pages of 34 tokens; no lookup of its own.
	if got := sim.Server.Stats().Requests["GET"]; got != 3+4 {
		t.Errorf("%d GETs, want 7", got)
	}
}

// TestTokenIndexWideTotalChangedLocated: the same change under a page that
// a lookup located (not the whole rest read at once): the listing is
// read afresh, and every token is still found.
func TestTokenIndexWideTotalChangedLocated(t *testing.T) {
	sim, c := startSim(t)
	toks := makeTokens(t, c, 10, 140, 141, 131)
	var once sync.Once
	sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodGet && r.Path == "/setting/admins/apitokens" && r.URL.Query().Get("offset") != "0" {
			once.Do(func() {
				if _, err := sim.Server.AddToken(lmsim.Token{AdminID: 140, Note: "made between two pages"}); err != nil {
					t.Error(err)
				}
			})
		}
		return false
	})
	x := newTokenIndex(c)
	smallPages(x, 10)
	found := lookupAll(t, x, toks)
	if len(found) != len(toks) {
		t.Errorf("found %d of %d tokens", len(found), len(toks))
	}
	if w := x.wide[lm.TokenTypeLMv1]; w.resets != 1 || w.off {
		t.Errorf("resets %d, off %v: want the listing read afresh once", w.resets, w.off)
	}
}

// TestLocatePage: the page guessed for an id, from the pages read.
func TestLocatePage(t *testing.T) {
	// 6 pages of 10 ids spaced 2 apart from 100 (page i: 100+20i..118+20i),
	// as a listing of one token type among two.
	span := func(i int) pageSpan {
		lo := int32(100 + 20*i)
		return pageSpan{n: 10, lo: lo, hi: lo + 18, loStep: 2, hiStep: 2}
	}
	read := func(pages ...int) map[int]pageSpan {
		m := map[int]pageSpan{}
		for _, i := range pages {
			m[i] = span(i)
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		spans map[int]pageSpan
		id    int32
		want  int
	}{
		{"on the first page read", read(0), 104, -1},
		{"before the first page", read(0), 50, -1},
		{"from the first page", read(0), 164, 3},
		{"past the last id: the last page", read(0), 900, 5},
		{"between two pages read", read(0, 5), 142, 2},
		{"next to the page read above", read(0, 5), 190, 4},
		{"between adjacent pages read", read(0, 1), 119, -1},
		{"in a gap of ids", read(0, 1, 3), 139, 2},
		// Ids spaced 1 apart above: the page read above knows better.
		{"at the spacing of the nearer page", map[int]pageSpan{0: span(0), 5: {n: 10, lo: 300, hi: 309, loStep: 1, hiStep: 1}}, 285, 3},
	} {
		if got := locatePage(tc.spans, 6, 10, tc.id); got != tc.want {
			t.Errorf("%s: id %d: page %d, want %d", tc.name, tc.id, got, tc.want)
		}
	}
}

// TestTokenIndexWidePendingWrites: writes this process makes while the
// portal-wide listing is being read (its answer older than them) survive
// it: a lookup never returns data older than a write of the same process.
func TestTokenIndexWidePendingWrites(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	toks := makeTokens(t, c, 10, 140, 141, 131)
	changed, deleted, later := toks[1], toks[4], toks[25] // pages 1, 1 and 3
	x := newTokenIndex(c)
	smallPages(x, 10)
	for _, offset := range []string{"0", "20"} {
		t.Run("during the page at offset "+offset, func(t *testing.T) {
			held, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
				if r.Method != http.MethodGet || r.Path != "/setting/admins/apitokens" || r.URL.Query().Get("offset") != offset {
					return false
				}
				served := false
				once.Do(func() {
					rec := httptest.NewRecorder()
					r.Serve(rec) // the answer as it is now, sent after the writes
					close(held)
					<-release
					for k, v := range rec.Header() {
						w.Header()[k] = v
					}
					w.WriteHeader(rec.Code)
					_, _ = w.Write(rec.Body.Bytes())
					served = true
				})
				return served
			})
			defer sim.Server.SetIntercept(nil)
			x := newTokenIndex(c)
			smallPages(x, 10)
			if offset != "0" {
				// Read the first page, then have the rest bought.
				lookupAll(t, x, toks[:3])
				buyAtOnce(x)
			}
			done := make(chan map[int32]lm.APIToken)
			go func() { done <- lookupAll(t, x, []lm.APIToken{later}) }()
			<-held
			note := "written during the listing"
			upd, err := c.UpdateAPIToken(ctx, changed.AdminID, changed.ID, lm.APITokenPatch{Note: &note})
			if err != nil {
				t.Fatal(err)
			}
			x.put(*upd)
			if err := c.DeleteAPIToken(ctx, deleted.AdminID, deleted.ID); err != nil {
				t.Fatal(err)
			}
			x.remove(deleted.AdminID, "", deleted.ID)
			close(release)
			<-done
			if tok, ok, err := x.lookup(ctx, changed.AdminID, "", changed.ID); !ok || err != nil || tok.Note != note {
				t.Errorf("changed token: found=%v note=%q err=%v", ok, tok.Note, err)
			}
			if _, ok, err := x.lookup(ctx, deleted.AdminID, "", deleted.ID); ok || err != nil {
				t.Errorf("deleted token: found=%v err=%v", ok, err)
			}
			// Put the two back for the next round.
			back := makeTokens(t, c, 1, deleted.AdminID)
			deleted = back[0]
		})
	}
}

// TestUserRoleListsOutOfBand: users and roles read from their listings; a
// user and a role deleted outside Terraform are reported gone only with
// their own 404, and the others are read as they are.
func TestUserRoleListsOutOfBand(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	var roles, users []int32
	for i := range 12 {
		r, err := c.CreateRole(ctx, lm.RoleWrite{Name: fmt.Sprintf("team-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		roles = append(roles, r.ID)
		a, err := c.CreateAdmin(ctx, lm.AdminWrite{Username: fmt.Sprintf("svc-%d", i), Email: "svc@example.com",
			APIOnly: true, Roles: []lm.RoleRef{{ID: r.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, a.ID)
	}
	goneUser, goneRole := users[3], roles[7]
	if err := c.DeleteAdmin(ctx, goneUser); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAdmin(ctx, users[7]); err != nil { // the role's only user
		t.Fatal(err)
	}
	if err := c.DeleteRole(ctx, goneRole); err != nil {
		t.Fatal(err)
	}
	sim.Server.ResetStats()
	d := newPortalData(c)
	d.users.pageSize, d.roles.pageSize = 5, 5
	for _, id := range roles {
		r, err := d.readRole(ctx, id)
		switch {
		case id == goneRole && !lm.IsNotFound(err):
			t.Errorf("deleted role %d: %v %v, want a 404", id, r, err)
		case id != goneRole && (err != nil || r.ID != id):
			t.Errorf("role %d: %v %v", id, r, err)
		}
	}
	for _, id := range users {
		a, err := d.readUser(ctx, id)
		switch {
		case (id == goneUser || id == users[7]) && !lm.IsNotFound(err):
			t.Errorf("deleted user %d: %v %v, want a 404", id, a, err)
		case id != goneUser && id != users[7] && (err != nil || a.ID != id):
			t.Errorf("user %d: %v %v", id, a, err)
		}
	}
	t.Logf("%d GETs for %d roles and %d users", sim.Server.Stats().Requests["GET"], len(roles), len(users))
}

// TestUserRoleListsSeeOwnWrites: after this process writes a user, its
// listing answers the new user, and its roles' user counts are read
// afresh, not from the listing read before the write.
func TestUserRoleListsSeeOwnWrites(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	d := newPortalData(c)
	r, err := d.readRole(ctx, 2) // "readonly"; reads the roles' listing
	if err != nil {
		t.Fatal(err)
	}
	before := r.AssociatedUserCount
	if _, err := d.readUser(ctx, 140); err != nil { // reads the users' listing
		t.Fatal(err)
	}
	a, err := c.CreateAdmin(ctx, lm.AdminWrite{Username: "svc-new", Email: "svc@example.com", APIOnly: true, Roles: []lm.RoleRef{{ID: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	d.userWritten(a, 0)
	gets := sim.Server.Stats().Requests["GET"]
	got, err := d.readUser(ctx, a.ID)
	if err != nil || got.Username != "svc-new" {
		t.Errorf("new user: %v %v", got, err)
	}
	if n := sim.Server.Stats().Requests["GET"]; n != gets {
		t.Errorf("reading the user this process made cost %d GETs", n-gets)
	}
	if r, err = d.readRole(ctx, 2); err != nil || r.AssociatedUserCount != before+1 {
		t.Errorf("role 2 after a new user: %v %v, want %d users", r, err, before+1)
	}

	note := "changed"
	upd := lm.AdminWrite{Username: "svc-new", Email: "svc@example.com", Note: note, APIOnly: true, Roles: []lm.RoleRef{{ID: 2}}}
	a, err = c.UpdateAdmin(ctx, a.ID, upd)
	if err != nil {
		t.Fatal(err)
	}
	d.userWritten(a, 0)
	if got, err := d.readUser(ctx, a.ID); err != nil || got.Note != note {
		t.Errorf("changed user: %v %v", got, err)
	}
	if err := c.DeleteAdmin(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	d.userWritten(nil, a.ID)
	if _, err := d.readUser(ctx, a.ID); !lm.IsNotFound(err) {
		t.Errorf("deleted user: %v, want a 404", err)
	}
	if r, err = d.readRole(ctx, 2); err != nil || r.AssociatedUserCount != before {
		t.Errorf("role 2 after the user's delete: %v %v, want %d users", r, err, before)
	}
}

// TestPortalListAnswers404: a listing that answers 404 (an endpoint
// missing, or something in the way) proves nothing: the lookups make their
// own calls, and the listing is not asked again.
func TestPortalListAnswers404(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	tok, err := c.CreateAPIToken(ctx, 140, lm.CreateAPITokenRequest{Note: "live", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	listed := 0
	sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method != http.MethodGet || (r.Path != "/setting/admins/apitokens" && r.Path != "/setting/admins" && r.Path != "/setting/roles") {
			return false
		}
		mu.Lock()
		listed++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"errorMessage":"no such endpoint","errorCode":1404,"errorDetail":null}`))
		return true
	})
	d := newPortalData(c)
	for range 3 {
		if got, found, err := d.tokens.lookup(ctx, 140, "", tok.ID); err != nil || !found || got.Note != "live" {
			t.Errorf("token: found=%v err=%v", found, err)
		}
		if a, err := d.readUser(ctx, 140); err != nil || a.ID != 140 {
			t.Errorf("user: %v %v", a, err)
		}
		if r, err := d.readRole(ctx, 2); err != nil || r.ID != 2 {
			t.Errorf("role: %v %v", r, err)
		}
	}
	if listed != 3 {
		t.Errorf("the listings were asked %d times, want once each", listed)
	}
}

// TestTokenIndexWideBusyPortal: a listing that changes between its pages
// every time it is read (a busy portal) is given up after its second
// read; the lookups make their own calls and find every token.
func TestTokenIndexWideBusyPortal(t *testing.T) {
	sim, c := startSim(t)
	toks := makeTokens(t, c, 10, 140, 141, 131)
	sim.Server.SetIntercept(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodGet && r.Path == "/setting/admins/apitokens" && r.URL.Query().Get("offset") == "10" {
			if _, err := sim.Server.AddToken(lmsim.Token{AdminID: 142, Note: "another tool's"}); err != nil {
				t.Error(err)
			}
		}
		return false
	})
	x := newTokenIndex(c)
	smallPages(x, 10)
	buyAtOnce(x)
	found := lookupAll(t, x, toks)
	if len(found) != len(toks) {
		t.Errorf("found %d of %d tokens", len(found), len(toks))
	}
	if !x.wide[lm.TokenTypeLMv1].off {
		t.Error("the listing that never added up was not given up")
	}
}

// readDataSource runs a data source's Read with the given configuration
// (the other attributes null) and returns the state it set.
func readDataSource(t *testing.T, ds datasource.DataSource, attrs map[string]tftypes.Value) (map[string]tftypes.Value, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sr datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &sr)
	typ, ok := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %T", sr.Schema.Type().TerraformType(ctx))
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for k, v := range attrs {
		vals[k] = v
	}
	raw := tftypes.NewValue(typ, vals)
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: sr.Schema, Raw: raw}}
	ds.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: raw}}, &resp)
	var out map[string]tftypes.Value
	if !resp.Diagnostics.HasError() {
		if err := resp.State.Raw.As(&out); err != nil {
			t.Fatal(err)
		}
	}
	return out, resp.Diagnostics
}

// TestDataSourcesUseListings: the lm_role and lm_user data sources answer
// from what the refresh already listed, without a call of their own, and
// look up what it did not list.
func TestDataSourcesUseListings(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	d := newPortalData(c)
	if _, err := d.readRole(ctx, 2); err != nil { // lists the roles
		t.Fatal(err)
	}
	if _, err := d.readUser(ctx, 140); err != nil { // lists the users
		t.Fatal(err)
	}
	gets := sim.Server.Stats().Requests["GET"]
	role, diags := readDataSource(t, &roleDataSource{data: d}, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "readonly")})
	if diags.HasError() || !role["id"].Equal(tftypes.NewValue(tftypes.Number, 2)) {
		t.Errorf("role: %v %v", role, diags)
	}
	user, diags := readDataSource(t, &userDataSource{data: d}, map[string]tftypes.Value{"username": tftypes.NewValue(tftypes.String, "svc-pipeline")})
	if diags.HasError() || !user["id"].Equal(tftypes.NewValue(tftypes.Number, 140)) {
		t.Errorf("user: %v %v", user, diags)
	}
	if got := sim.Server.Stats().Requests["GET"]; got != gets {
		t.Errorf("the data sources sent %d GETs, want none", got-gets)
	}
	// A role made after the listing, by another tool: looked up.
	if _, err := c.CreateRole(ctx, lm.RoleWrite{Name: "made-later"}); err != nil {
		t.Fatal(err)
	}
	role, diags = readDataSource(t, &roleDataSource{data: d}, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "made-later")})
	if diags.HasError() || role["id"].IsNull() {
		t.Errorf("role made later: %v %v", role, diags)
	}
	if got := sim.Server.Stats().Requests["GET"]; got != gets+1 {
		t.Errorf("the role made later cost %d GETs, want its one look-up", got-gets)
	}
}
