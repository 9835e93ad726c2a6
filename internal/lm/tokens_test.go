package lm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

func TestCreateAPIToken(t *testing.T) {
	tests := []struct {
		name       string
		req        CreateAPITokenRequest
		wantType   string
		wantStatus int32
		wantQuery  string
	}{
		{"lmv1 enabled", CreateAPITokenRequest{Note: "ci pipeline", Enabled: true}, TokenTypeLMv1, StatusEnabled, ""},
		{"lmv1 explicit disabled", CreateAPITokenRequest{Note: "Jürgen’s token ✓", Type: TokenTypeLMv1}, TokenTypeLMv1, StatusDisabled, ""},
		{"bearer", CreateAPITokenRequest{Note: "b", Enabled: true, Type: TokenTypeBearer}, TokenTypeBearer, StatusEnabled, "bearer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			c := f.client(t, nil)
			tok, err := c.CreateAPIToken(context.Background(), 7, tc.req)
			if err != nil {
				t.Fatalf("CreateAPIToken: %v", err)
			}
			stored := f.allTokens()
			if len(stored) != 1 {
				t.Fatalf("server holds %d tokens", len(stored))
			}
			s := stored[0]
			if tok.ID != s.ID || tok.AccessID != s.AccessID || tok.AccessKey != s.AccessKey || tok.AdminID != 7 ||
				tok.Note != tc.req.Note || tok.Status != tc.wantStatus || tok.Type != tc.wantType || tok.CreatedOn == 0 {
				t.Errorf("got %+v, server has %+v", tok, s)
			}
			if s.Note != tc.req.Note || s.Status != tc.wantStatus || s.Type != tc.wantType {
				t.Errorf("server token %+v", s)
			}
			reqs := f.requests()
			if len(reqs) != 2 || reqs[0].Method != http.MethodPost || reqs[1].Method != http.MethodPatch {
				t.Fatalf("requests %+v", reqs)
			}
			if got := reqs[0].Query.Get("type"); got != tc.wantQuery {
				t.Errorf("POST type query = %q, want %q", got, tc.wantQuery)
			}
			var post struct {
				Note   string `json:"note"`
				Status int32  `json:"status"`
			}
			if err := json.Unmarshal([]byte(reqs[0].Body), &post); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(post.Note, pendingNotePrefix) || len(post.Note) != len(pendingNotePrefix)+36 || post.Status != StatusEnabled {
				t.Errorf("POST body %s", reqs[0].Body)
			}
		})
	}
}

func TestCreateAPITokenRejectsUnknownType(t *testing.T) {
	f := newSim(t)
	_, err := f.client(t, nil).CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Type: "api"})
	if err == nil || len(f.requests()) != 0 {
		t.Errorf("err = %v after %d requests", err, len(f.requests()))
	}
}

// The server commits the token and then drops the connection: the POST's
// outcome is unknown, its access key lost. The client must find that token
// by its marker, delete it, and create a fresh one, without touching a
// token another run made with the same note.
func TestCreateAPITokenAmbiguousCleansUpOrphan(t *testing.T) {
	tests := []struct {
		name   string
		fail   func(w http.ResponseWriter, r *lmsim.Intercepted)
		orphan int
	}{
		{"commit then reset", func(w http.ResponseWriter, r *lmsim.Intercepted) {
			commit(r)
			lmsim.Abort(w)
		}, 1},
		{"commit then 502", func(w http.ResponseWriter, r *lmsim.Intercepted) {
			commit(r)
			writeLMError(w, http.StatusBadGateway, "Bad Gateway")
		}, 1},
		{"500 without commit", func(w http.ResponseWriter, _ *lmsim.Intercepted) {
			writeLMError(w, http.StatusInternalServerError, "oops")
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			other := f.addToken(lmsim.Token{AdminID: 7, Note: "ci"})
			otherPending := f.addToken(lmsim.Token{AdminID: 7, Note: pendingNotePrefix + "00000000-0000-0000-0000-000000000000"})
			posts := 0
			f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
				if r.Method != http.MethodPost {
					return false
				}
				posts++
				if posts == 1 {
					tc.fail(w, r)
					return true
				}
				return false
			})
			log := &captureLogger{}
			c := f.client(t, func(cfg *Config) { cfg.Logger = log })
			tok, err := c.CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "ci", Enabled: true})
			if err != nil {
				t.Fatalf("CreateAPIToken: %v", err)
			}
			if tok.AccessKey == "" || tok.Note != "ci" {
				t.Errorf("token %+v", tok)
			}
			ids := map[int32]bool{}
			for _, s := range f.allTokens() {
				ids[s.ID] = true
			}
			if len(ids) != 3 || !ids[other.ID] || !ids[otherPending.ID] || !ids[tok.ID] {
				t.Errorf("server holds %v; want the other run's tokens %d, %d and the new %d", ids, other.ID, otherPending.ID, tok.ID)
			}
			if st := c.Stats(); st.Orphans != tc.orphan {
				t.Errorf("Orphans = %d, want %d", st.Orphans, tc.orphan)
			}
			reqs := f.requests()
			var markers []string
			for _, r := range reqs {
				if r.Method == http.MethodPost {
					var b struct{ Note string }
					_ = json.Unmarshal([]byte(r.Body), &b)
					markers = append(markers, b.Note)
				}
			}
			if len(markers) != 2 || markers[0] == markers[1] {
				t.Errorf("POST notes %q, want two distinct markers", markers)
			}
			var listed bool
			for _, r := range reqs {
				if r.Method == http.MethodGet && r.Query.Get("filter") == `note:"`+markers[0]+`"` {
					listed = true
				}
			}
			if !listed {
				t.Error("no list by the first marker")
			}
			if !containsLine(log.all(), "WARN retrying API token creation") {
				t.Errorf("no warning in %q", log.all())
			}
		})
	}
}

func TestCreateAPITokenGivesUpWithoutLeaking(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodPost {
			commit(r)
			lmsim.Abort(w)
			return true
		}
		return false
	})
	c := f.client(t, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "x", Type: TokenTypeBearer})
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%v does not wrap *Error", err)
	}
	if n := len(f.allTokens()); n != 0 {
		t.Errorf("%d tokens left", n)
	}
	if st := c.Stats(); st.Orphans != 3 {
		t.Errorf("Orphans = %d", st.Orphans)
	}
	for _, r := range f.requests() {
		if r.Method == http.MethodGet && r.Query.Get("type") != TokenTypeBearer {
			t.Errorf("cleanup listed without type=bearer: %v", r.Query)
		}
	}
}

func TestCreateAPITokenDefiniteErrorReturned(t *testing.T) {
	f := newSim(t)
	f.failAlways(http.StatusBadRequest, "Maximum number of tokens reached")
	c := f.client(t, nil)
	_, err := c.CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "x"})
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 400 || !strings.Contains(e.Message, "Maximum number") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want the single POST", n)
	}
}

func TestCreateAPITokenPatchFailureDeletesToken(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodPatch {
			writeLMError(w, http.StatusServiceUnavailable, "busy")
			return true
		}
		return false
	})
	c := f.client(t, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "x", Enabled: true})
	if err == nil || !strings.Contains(err.Error(), "so it was deleted") || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.allTokens()); n != 0 {
		t.Errorf("%d tokens left", n)
	}
	if got := f.countRequests(http.MethodPatch, ""); got != 3 {
		t.Errorf("%d PATCHes, want 3", got)
	}
}

// Cancelling the caller's context mid-POST must not stop the cleanup.
func TestCreateAPITokenCancelledMidPostCleansUp(t *testing.T) {
	f := newSim(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodPost {
			commit(r)
			cancel()
			<-r.Context().Done()
			return true
		}
		return false
	})
	c := f.client(t, nil)
	_, err := c.CreateAPIToken(ctx, 7, CreateAPITokenRequest{Note: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if n := len(f.allTokens()); n != 0 {
		t.Errorf("%d tokens left", n)
	}
}

func TestUpdateAPITokenSendsOnlySetFields(t *testing.T) {
	note, empty, disabled := "new", "", StatusDisabled
	tests := []struct {
		name  string
		patch APITokenPatch
		want  string
	}{
		{"note", APITokenPatch{Note: &note}, `{"note":"new"}`},
		{"empty note", APITokenPatch{Note: &empty}, `{"note":""}`},
		{"status", APITokenPatch{Status: &disabled}, `{"status":1}`},
		{"both", APITokenPatch{Note: &note, Status: &disabled}, `{"note":"new","status":1}`},
		{"none", APITokenPatch{}, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			tok := f.addToken(lmsim.Token{AdminID: 7, Note: "old"})
			got, err := f.client(t, nil).UpdateAPIToken(context.Background(), 7, tok.ID, tc.patch)
			if err != nil {
				t.Fatal(err)
			}
			if body := f.requests()[0].Body; body != tc.want {
				t.Errorf("body %s, want %s", body, tc.want)
			}
			if got.ID != tok.ID {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestDeleteAPIToken(t *testing.T) {
	f := newSim(t)
	tok := f.addToken(lmsim.Token{AdminID: 131})
	c := f.client(t, nil)
	ctx := context.Background()
	if err := c.DeleteAPIToken(ctx, 131, tok.ID); err != nil {
		t.Fatal(err)
	}
	if r := f.requests()[0]; r.Method != http.MethodDelete || r.Path != "/setting/admins/131/apitokens/"+itoa32(tok.ID) || r.Body != "" {
		t.Errorf("request %+v", r)
	}
	if err := c.DeleteAPIToken(ctx, 131, tok.ID); !IsNotFound(err) {
		t.Errorf("second delete: %v", err)
	}
}

func TestListTokensPaging(t *testing.T) {
	f := newSim(t)
	for i := range 2500 {
		typ := TokenTypeLMv1
		if i%10 == 0 {
			typ = TokenTypeBearer
		}
		f.addToken(lmsim.Token{AdminID: int32(1 + i%2), Type: typ})
	}
	c := f.client(t, nil)
	ctx := context.Background()
	tests := []struct {
		name      string
		list      func() ([]APIToken, error)
		want      int
		wantType  string
		wantPages int
	}{
		// The account's lists hold the client's own two tokens too (one of each type).
		{"all lmv1", func() ([]APIToken, error) { return c.ListAllAPITokens(ctx, ListOptions{}) }, 2250 + 1, TokenTypeLMv1, 3},
		{"all bearer", func() ([]APIToken, error) { return c.ListAllAPITokens(ctx, ListOptions{Type: TokenTypeBearer}) }, 250 + 1, TokenTypeBearer, 1},
		{"admin 2, small pages", func() ([]APIToken, error) { return c.ListAPITokens(ctx, 2, ListOptions{PageSize: 100}) }, 1250, TokenTypeLMv1, 13},
		{"page size capped", func() ([]APIToken, error) {
			return c.ListAllAPITokens(ctx, ListOptions{PageSize: 5000, Type: TokenTypeLMv1})
		}, 2250 + 1, TokenTypeLMv1, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.requests())
			toks, err := tc.list()
			if err != nil {
				t.Fatal(err)
			}
			if len(toks) != tc.want {
				t.Errorf("%d tokens, want %d", len(toks), tc.want)
			}
			seen := map[int32]bool{}
			for _, tok := range toks {
				if seen[tok.ID] {
					t.Fatalf("token %d listed twice", tok.ID)
				}
				seen[tok.ID] = true
				if tok.AccessKey != "" || tok.Type != tc.wantType {
					t.Fatalf("token %+v", tok)
				}
			}
			reqs := f.requests()[before:]
			if len(reqs) != tc.wantPages {
				t.Errorf("%d pages, want %d", len(reqs), tc.wantPages)
			}
			for i, r := range reqs {
				size := r.Query.Get("size")
				if r.Query.Get("offset") != itoa32(int32(i)*int32(atoi(size))) || atoi(size) > 1000 {
					t.Errorf("page %d query %v", i, r.Query)
				}
				if (r.Query.Get("type") == TokenTypeBearer) != (tc.wantType == TokenTypeBearer) {
					t.Errorf("type query %v", r.Query)
				}
			}
		})
	}
}

// APITokens streams: a caller that stops early costs only the pages it
// saw, and one that reads on gets every token once, in pages of at most 1000.
func TestAPITokensStreamsPages(t *testing.T) {
	f := newSim(t)
	for range 2100 {
		f.addToken(lmsim.Token{AdminID: 3})
	}
	f.addToken(lmsim.Token{AdminID: 4, Type: TokenTypeBearer})
	c := f.client(t, nil)
	ctx := context.Background()

	n := 0
	for tok, err := range c.APITokens(ctx, 0, ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if tok.Type != TokenTypeLMv1 {
			t.Fatalf("token %+v", tok)
		}
		if n++; n == 1001 {
			break
		}
	}
	if reqs := f.requests(); len(reqs) != 2 || reqs[1].Query.Get("offset") != "1000" || reqs[0].Path != "/setting/admins/apitokens" {
		t.Errorf("stopping after 1001 tokens cost %d requests: %+v", len(reqs), reqs)
	}

	before := len(f.requests())
	seen := map[int32]bool{}
	for tok, err := range c.APITokens(ctx, 3, ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[tok.ID] || tok.AdminID != 3 {
			t.Fatalf("token %+v listed twice or of another user", tok)
		}
		seen[tok.ID] = true
	}
	if len(seen) != 2100 || len(f.requests())-before != 3 {
		t.Errorf("%d tokens in %d requests, want 2100 in 3", len(seen), len(f.requests())-before)
	}

	var bearer []APIToken
	for tok, err := range c.APITokens(ctx, 0, ListOptions{Type: TokenTypeBearer}) {
		if err != nil {
			t.Fatal(err)
		}
		bearer = append(bearer, tok)
	}
	// The client's own bearer token, then user 4's.
	if len(bearer) != 2 || bearer[0].ID != credBearerToken || bearer[1].Type != TokenTypeBearer || bearer[1].AdminID != 4 {
		t.Errorf("bearer tokens %+v", bearer)
	}

	var errs []error
	for _, err := range c.APITokens(ctx, 0, ListOptions{Type: "oauth"}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || errs[0] == nil {
		t.Errorf("an unknown type should end the sequence with one error, got %v", errs)
	}
}

// Some endpoints do not count their results; a short page must end the
// listing on its own.
func TestListStopsOnShortPageWithoutTotal(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		items := make([]Role, 0, 3)
		if r.URL.Query().Get("offset") == "0" {
			items = append(items, Role{ID: 1, Name: "a"}, Role{ID: 2, Name: "b"}, Role{ID: 3, Name: "c"})
		} else {
			items = append(items, Role{ID: 4, Name: "d"})
		}
		writeJSON(w, http.StatusOK, Page[Role]{Total: -1, Items: items})
		return true
	})
	roles, err := f.client(t, nil).ListRoles(context.Background(), ListOptions{PageSize: 3, Filter: `name~"a"`, Fields: "id,name"})
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 4 || len(f.requests()) != 2 {
		t.Errorf("%d roles in %d pages", len(roles), len(f.requests()))
	}
	if q := f.requests()[0].Query; q.Get("filter") != `name~"a"` || q.Get("fields") != "id,name" {
		t.Errorf("query %v", q)
	}
}

func TestListEmpty(t *testing.T) {
	f := newSim(t)
	toks, err := f.client(t, nil).ListAPITokens(context.Background(), 7, ListOptions{})
	if err != nil || toks == nil || len(toks) != 0 {
		t.Errorf("toks %v err %v", toks, err)
	}
}

func TestAdminsAndRoles(t *testing.T) {
	f := newSim(t)
	c := f.client(t, nil)
	ctx := context.Background()

	a, err := c.GetAdmin(ctx, 7)
	if err != nil || a.Username != "ci-bot" || len(a.Roles) != 1 || a.Roles[0].Name != "administrator" {
		t.Errorf("GetAdmin = %+v, %v", a, err)
	}
	if _, err := c.GetAdmin(ctx, 404); !IsNotFound(err) {
		t.Errorf("GetAdmin(404) err = %v", err)
	}

	for _, name := range []string{"ci-bot", `we"ird\name`} {
		before := len(f.requests())
		admins, err := c.FindAdminsByUsername(ctx, name)
		if err != nil || len(admins) != 1 || admins[0].Username != name {
			t.Errorf("FindAdminsByUsername(%q) = %+v, %v", name, admins, err)
		}
		r := f.requests()[before]
		if want := "username:" + QuoteFilter(name); r.Query.Get("filter") != want || r.Path != "/setting/admins" {
			t.Errorf("filter %q, want %q", r.Query.Get("filter"), want)
		}
	}
	if got := QuoteFilter(`we"ird\name`); got != `"we\"ird\\name"` {
		t.Errorf("QuoteFilter = %s", got)
	}
	if admins, err := c.FindAdminsByUsername(ctx, "nobody"); err != nil || len(admins) != 0 {
		t.Errorf("FindAdminsByUsername(nobody) = %v, %v", admins, err)
	}

	roles, err := c.ListRoles(ctx, ListOptions{})
	if err != nil || len(roles) != 2 {
		t.Errorf("ListRoles = %v, %v", roles, err)
	}
}

func itoa32(n int32) string { return strconv.Itoa(int(n)) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TestCreateAPITokenCleanupOutlastsMaxRetries: the clean-up after an
// unknown outcome keeps going past the transport's retry budget, because
// giving up there would leave a token behind.
func TestCreateAPITokenCleanupOutlastsMaxRetries(t *testing.T) {
	f := newSim(t)
	deleteFailures, posts := 0, 0
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method == http.MethodPost {
			posts++
		}
		switch {
		case r.Method == http.MethodPost && posts == 1:
			commit(r)
			lmsim.Abort(w)
			return true
		case r.Method == http.MethodDelete && deleteFailures < 7:
			// More 503s than one call's retries (MaxRetries 1: 2 attempts).
			deleteFailures++
			writeLMError(w, http.StatusServiceUnavailable, "busy")
			return true
		}
		return false
	})
	c := f.client(t, func(cfg *Config) { cfg.MaxRetries = 1 })
	tok, err := c.CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "kept", Enabled: true})
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	toks := f.allTokens()
	if len(toks) != 1 || toks[0].ID != tok.ID || toks[0].Note != "kept" {
		t.Fatalf("server holds %+v, want only the new token %d", toks, tok.ID)
	}
	if deleteFailures != 7 {
		t.Errorf("%d failed DELETEs, want the clean-up to have outlasted all 7", deleteFailures)
	}
	if st := c.Stats(); st.Orphans != 1 {
		t.Errorf("Orphans = %d, want 1", st.Orphans)
	}
}

// TestPagesResumed reads a listing's first page, then the rest later under
// another context, as the provider's portal-wide refresh does: Total and
// Remaining say what the rest costs, the pages add up to the listing, and
// a total that changed in between is IsPagesChanged.
func TestPagesResumed(t *testing.T) {
	f := newSim(t)
	for range 25 {
		f.addToken(lmsim.Token{AdminID: 1})
	}
	c := f.client(t, nil)
	p, err := c.APITokenPages(0, ListOptions{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if p.Remaining() != 1 || p.Read() != 0 {
		t.Fatalf("before the first page: remaining %d, read %d", p.Remaining(), p.Read())
	}
	first, err := p.Next(context.Background())
	if err != nil || len(first) != 10 || p.Total() != 26 || p.Remaining() != 2 || p.Done() {
		t.Fatalf("first page: %d items, total %d, remaining %d, done %v, err %v", len(first), p.Total(), p.Remaining(), p.Done(), err)
	}
	for _, tok := range first {
		if tok.Type != TokenTypeLMv1 {
			t.Errorf("token %d has type %q", tok.ID, tok.Type)
		}
	}
	ctx, cancel := context.WithCancel(context.Background()) // another caller's
	defer cancel()
	n := len(first)
	for !p.Done() {
		items, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(items)
	}
	if n != 26 || p.Read() != 3 || p.Remaining() != 0 {
		t.Errorf("%d items in %d pages, remaining %d; want 26 in 3, 0", n, p.Read(), p.Remaining())
	}

	p, _ = c.APITokenPages(0, ListOptions{PageSize: 10})
	if _, err := p.Next(ctx); err != nil {
		t.Fatal(err)
	}
	f.addToken(lmsim.Token{AdminID: 2})
	if _, err := p.Next(ctx); !IsPagesChanged(err) || !p.Done() {
		t.Errorf("a total that changed between pages: %v (done %v), want IsPagesChanged", err, p.Done())
	}
}

// TestPagesInAnyOrder reads a listing's pages out of order, as the
// provider's refresh does for the pages its lookups need: each page holds
// the items at its offset, Has and Remaining follow, the listing is done
// when every page is read, and a page read twice or past the last is an
// error, not a request.
func TestPagesInAnyOrder(t *testing.T) {
	f := newSim(t)
	for range 30 {
		f.addToken(lmsim.Token{AdminID: 1})
	}
	c := f.client(t, nil)
	ctx := context.Background()
	all, err := c.ListAPITokens(ctx, 0, ListOptions{})
	if err != nil || len(all) != 31 {
		t.Fatalf("the listing: %d tokens, %v", len(all), err)
	}
	p, err := c.APITokenPages(0, ListOptions{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Page(ctx, 0); err != nil || p.Count() != 4 {
		t.Fatalf("first page: %v, count %d, want 4", err, p.Count())
	}
	for _, i := range []int{3, 1, 2} {
		items, err := p.Page(ctx, i)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		want := all[i*10 : min(len(all), i*10+10)]
		if len(items) != len(want) || items[0].ID != want[0].ID || items[len(items)-1].ID != want[len(want)-1].ID {
			t.Errorf("page %d: ids %d..%d, want %d..%d", i, items[0].ID, items[len(items)-1].ID, want[0].ID, want[len(want)-1].ID)
		}
		if !p.Has(i) || p.Done() != (i == 2) {
			t.Errorf("after page %d: has %v, done %v, remaining %d", i, p.Has(i), p.Done(), p.Remaining())
		}
	}
	reqs := len(f.requests())
	p, _ = c.APITokenPages(0, ListOptions{PageSize: 10})
	if _, err := p.Page(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 4, -1} {
		if _, err := p.Page(ctx, i); err == nil {
			t.Errorf("page %d: no error", i)
		}
	}
	if n := len(f.requests()) - reqs; n != 1 {
		t.Errorf("%d requests, want 1 (the first page)", n)
	}
	// A total that changed: that page and every later one is the error.
	f.addToken(lmsim.Token{AdminID: 2})
	if _, err := p.Page(ctx, 2); !IsPagesChanged(err) {
		t.Errorf("page 2 after a change: %v, want IsPagesChanged", err)
	}
	if _, err := p.Page(ctx, 1); !IsPagesChanged(err) || !p.Done() {
		t.Errorf("page 1 after the error: %v (done %v), want the same error", err, p.Done())
	}
}
