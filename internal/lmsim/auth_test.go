package lmsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lmv1Vector is one entry of the LMv1 vectors shared with the client.
type lmv1Vector struct {
	Name, AccessID, AccessKey, Method, ResourcePath, Body, Authorization string
	EpochMillis                                                          int64
}

// lmv1Vectors reads internal/lm/testdata/lmv1-vectors.json, the repository's
// copy of the vectors in LogicMonitor's documentation.
func lmv1Vectors(t testing.TB) []lmv1Vector {
	t.Helper()
	b, err := os.ReadFile("../lm/testdata/lmv1-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Vectors []lmv1Vector }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return doc.Vectors
}

func TestLMv1Vectors(t *testing.T) {
	for _, v := range lmv1Vectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			if got := Sign(v.AccessID, v.AccessKey, v.Method, v.ResourcePath, []byte(v.Body), v.EpochMillis); got != v.Authorization {
				t.Errorf("Sign = %s\nwant   %s", got, v.Authorization)
			}
			c := cred{id: v.AccessID, key: v.AccessKey}
			if got := testSign(c, v.Method, v.ResourcePath, v.Body, v.EpochMillis); got != v.Authorization {
				t.Errorf("testSign = %s\nwant       %s", got, v.Authorization)
			}
		})
	}
}

// TestSeedVectorAccepted replays the seed example's exact header at its
// own instant: the server must accept what LogicMonitor's script signs.
func TestSeedVectorAccepted(t *testing.T) {
	at := time.UnixMilli(1700000000000)
	s := startSim(t, Options{Clock: func() time.Time { return at }})
	hr, _ := http.NewRequestWithContext(t.Context(), http.MethodDelete, s.URL+"/setting/admins/131/apitokens/146", nil)
	hr.Header.Set("X-Version", "3")
	hr.Header.Set("Authorization", "LMv1 48v2wRzfK94y53sq5EuF:ODA3ZWYxNzIwMzg3NjBmOWViZWIwZWE4YTYyNDVlODMyOGE2NTNlMTczMTVjNTkzNWQxODdiMWFmZDhiYzkxYw==:1700000000000")
	res, err := s.client.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
}

func TestAuthentication(t *testing.T) {
	disabled := cred{id: "lmsimDisabledToken01", key: "lmsim+disabled+token+key+0123456789abcde"}
	suspended := cred{id: "lmsimSuspendedUser01", key: "lmsim+suspended+user+key+0123456789abcde"}
	fx := fixtureWith(nil, []Token{
		{ID: 160, AdminID: SeedAdminID, AccessID: disabled.id, AccessKey: disabled.key, Status: StatusDisabled},
		{ID: 161, AdminID: SuspendedAdminID, AccessID: suspended.id, AccessKey: suspended.key, Status: StatusEnabled},
		{ID: 162, AdminID: SuspendedAdminID, Type: TokenTypeBearer, AccessID: "lmsimSuspendedBearer", AccessKey: "lmb_suspended_bearer_secret", Status: StatusEnabled},
	})
	s := startSim(t, Options{Fixture: fx})
	now := s.clock.Now()
	const path = "/setting/admins/131/apitokens"
	body := `{"note":"x"}`
	cases := []struct {
		name string
		rq   req
		ok   bool
	}{
		{"lmv1 valid", req{path: path, cred: adminCred}, true},
		{"lmv1 valid read-only user", req{path: path, cred: roCred}, true},
		{"lmv1 seed credentials", req{path: path, cred: seedCred}, true},
		{"lmv1 wrong key", req{path: path, cred: cred{id: DefaultAdminAccessID, key: DefaultReadOnlyAccessKey}}, false},
		{"lmv1 unknown access id", req{path: path, cred: cred{id: "nosuchaccessid000000", key: DefaultAdminAccessKey}}, false},
		{"lmv1 timestamp 29 minutes old", req{path: path, cred: adminCred, at: now.Add(-29 * time.Minute)}, true},
		{"lmv1 timestamp 29 minutes ahead", req{path: path, cred: adminCred, at: now.Add(29 * time.Minute)}, true},
		{"lmv1 timestamp 31 minutes old", req{path: path, cred: adminCred, at: now.Add(-31 * time.Minute)}, false},
		{"lmv1 timestamp 31 minutes ahead", req{path: path, cred: adminCred, at: now.Add(31 * time.Minute)}, false},
		{"lmv1 body signed", req{method: http.MethodPost, path: path, body: body, cred: adminCred}, true},
		{"lmv1 body tampered", req{method: http.MethodPost, path: path, body: body, cred: adminCred, signBody: strptr(`{"note":"y"}`)}, false},
		{"lmv1 query not signed", req{path: path, query: "size=5", cred: adminCred}, true},
		{"lmv1 query signed is rejected", req{path: path, query: "size=5", cred: adminCred, signPath: path + "?size=5"}, false},
		{"lmv1 other path signed", req{path: path, cred: adminCred, signPath: "/setting/admins/100/apitokens"}, false},
		{"lmv1 disabled token", req{path: path, cred: disabled}, false},
		{"lmv1 suspended user", req{path: path, cred: suspended}, false},
		{"bearer valid", req{path: path, cred: bearerCred}, true},
		{"bearer wrong secret", req{path: path, cred: cred{bearer: DefaultAdminBearer + "x"}}, false},
		{"bearer of suspended user", req{path: path, cred: cred{bearer: "lmb_suspended_bearer_secret"}}, false},
		{"lmv1 key used as bearer", req{path: path, cred: cred{bearer: DefaultAdminAccessKey}}, false},
		{"bearer token used with lmv1", req{path: path, cred: cred{id: DefaultAdminBearerAccessID, key: DefaultAdminBearer}}, false},
		{"no authorization", req{path: path}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, tc.rq)
			if tc.ok {
				if r.status != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", r.status, r.body)
				}
				return
			}
			wantError(t, r, http.StatusUnauthorized, "Authentication failed")
			if got := strings.TrimSpace(string(r.body)); got != `{"errorMessage":"Authentication failed","errorCode":1401,"errorDetail":null}` {
				t.Errorf("body = %s", got)
			}
		})
	}

	malformed := []string{"LMv1", "LMv1 onlyid", "LMv1 a:b", "LMv1 " + DefaultAdminAccessID + ":sig:notanumber", "Basic dXNlcjpwYXNz", "Bearer"}
	for _, h := range malformed {
		hr := s.request(req{path: path})
		hr.Header.Set("Authorization", h)
		res, err := s.client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", h, res.StatusCode)
		}
	}
}

func TestLastUsedOnAndAuthIP(t *testing.T) {
	s := startSim(t, Options{})
	list := func() map[string]any {
		r := s.do(t, req{path: "/setting/admins/apitokens", query: "filter=id:150", cred: adminCred})
		_, l := items(t, r)
		if len(l) != 1 {
			t.Fatalf("want token 150: %s", r.body)
		}
		return l[0]
	}
	if got := list()["lastUsedOn"].(float64); got != 0 {
		t.Fatalf("lastUsedOn before use = %v", got)
	}
	s.clock.Advance(time.Hour)
	s.do(t, req{path: "/setting/roles", cred: roCred})
	tok := list()
	if got, want := int64(tok["lastUsedOn"].(float64)), s.clock.Now().Unix(); got != want {
		t.Errorf("lastUsedOn = %d, want %d", got, want)
	}
	for _, tok := range s.Server.Tokens() {
		if tok.ID == DefaultReadOnlyTokenID && tok.LastAuthIP != "127.0.0.1" {
			t.Errorf("lastAuthIp = %q", tok.LastAuthIP)
		}
	}
	// A failed attempt is not a use.
	s.clock.Advance(time.Hour)
	s.do(t, req{path: "/setting/roles", cred: cred{id: DefaultReadOnlyAccessID, key: "wrong"}})
	if got := int64(list()["lastUsedOn"].(float64)); got == s.clock.Now().Unix() {
		t.Error("a failed authentication updated lastUsedOn")
	}
}

func TestReadOnlyUserCannotWrite(t *testing.T) {
	s := startSim(t, Options{})
	reads := []req{
		{path: "/setting/admins"},
		{path: "/setting/admins/131"},
		{path: "/setting/admins/apitokens"},
		{path: "/setting/admins/131/apitokens"},
		{path: "/setting/roles"},
		{path: "/setting/roles/1"},
	}
	for _, rq := range reads {
		rq.cred = roCred
		wantStatus(t, s.do(t, rq), http.StatusOK)
	}
	writes := []req{
		{method: http.MethodPost, path: "/setting/admins/141/apitokens", body: `{}`},
		{method: http.MethodPatch, path: "/setting/admins/141/apitokens/150", body: `{"note":"x"}`},
		{method: http.MethodPut, path: "/setting/admins/141/apitokens/150", body: `{"note":"x"}`},
		{method: http.MethodDelete, path: "/setting/admins/141/apitokens/150"},
		{method: http.MethodPost, path: "/setting/admins", body: `{"username":"x","email":"x@example.com","roles":[{"id":2}]}`},
		{method: http.MethodPatch, path: "/setting/admins/141", body: `{"note":"x"}`},
		{method: http.MethodPut, path: "/setting/admins/141", body: `{}`},
		{method: http.MethodDelete, path: "/setting/admins/141"},
		{method: http.MethodPost, path: "/setting/roles", body: `{"name":"x"}`},
		{method: http.MethodDelete, path: "/setting/roles/2"},
	}
	for _, rq := range writes {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			rq.cred = roCred
			wantError(t, s.do(t, rq), http.StatusForbidden, "may only read")
		})
	}
	if n := len(s.Server.Tokens()); n != 4 {
		t.Errorf("tokens = %d after refused writes, want 4", n)
	}
}

// FuzzAuthorization fuzzes the simulator's Authorization header parser
// (parseAuthorization) and the checks built on it. Beyond not panicking, it
// asserts that:
//   - parsing is deterministic;
//   - an accepted LMv1 header is its fields formatted again, byte for byte;
//     an accepted bearer header formats to "Bearer <token>", which parses to
//     the same fields;
//   - for every vector of internal/lm/testdata/lmv1-vectors.json, a header
//     verifies with the vector's key and request exactly when its signature
//     is the one the tests' own signer (testSign) computes for the header's
//     timestamp: the vector's header verifies, a mutated one does not;
//   - the server (default fixture, clock at the first vector's instant)
//     authenticates the first vector's request with the header exactly when
//     it is testSign's header of an enabled LMv1 token at most 30 minutes
//     off, or the secret of an enabled bearer token, of an active user.
//
// Its seed corpus is testdata/fuzz/FuzzAuthorization. `go test` (and so
// `make test`) runs the seeds, and `make test` fuzzes it for a few seconds;
// `make fuzz` fuzzes every target for FUZZTIME (default 1m) each. A failing
// input is saved under testdata/fuzz/FuzzAuthorization: keep it there, fix
// the parser and add a test below that names the bug.
func FuzzAuthorization(f *testing.F) {
	vectors := lmv1Vectors(f)
	at := time.UnixMilli(vectors[0].EpochMillis)
	srv, err := New(Options{Clock: func() time.Time { return at }, RateLimits: RateLimits{Disabled: true}})
	if err != nil {
		f.Fatal(err)
	}
	seed := vectors[0]
	tokens := srv.Tokens()
	active := map[int32]bool{}
	for _, a := range srv.Admins() {
		active[a.ID] = a.Status == AdminActive
	}
	f.Fuzz(func(t *testing.T, header string) {
		h, err := parseAuthorization(header)
		h2, err2 := parseAuthorization(header)
		if h != h2 || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("parseAuthorization(%q) is not deterministic: %+v, %v then %+v, %v", header, h, err, h2, err2)
		}
		if err != nil && h != (authHeader{}) {
			t.Fatalf("parseAuthorization(%q) returned %+v with its error %v", header, h, err)
		}
		if err == nil {
			switch h.scheme {
			case schemeLMv1:
				if got := h.format(); got != header {
					t.Fatalf("parseAuthorization(%q) = %+v, which formats to %q", header, h, got)
				}
			case schemeBearer:
				if back, err := parseAuthorization(h.format()); err != nil || back != h {
					t.Fatalf("parseAuthorization(%q) = %+v, which formats to a header that parses to %+v, %v", header, h, back, err)
				}
			default:
				t.Fatalf("parseAuthorization(%q) accepted scheme %q", header, h.scheme)
			}
		}

		for _, v := range vectors {
			got := err == nil && h.verify(v.AccessKey, v.Method, v.ResourcePath, []byte(v.Body))
			want := err == nil && h.scheme == schemeLMv1 &&
				testSign(cred{id: h.accessID, key: v.AccessKey}, v.Method, v.ResourcePath, v.Body, h.epochMillis) == schemeLMv1+" "+h.accessID+":"+h.signature+":"+strconv.FormatInt(h.epochMillis, 10)
			if got != want {
				t.Fatalf("%q with the key of vector %q: verified %v, want %v", header, v.Name, got, want)
			}
		}

		r := httptest.NewRequestWithContext(t.Context(), seed.Method, "/santaba/rest"+seed.ResourcePath, nil)
		r.Header.Set("Authorization", header)
		_, aerr := srv.authenticate(r, seed.ResourcePath, []byte(seed.Body))
		want := false
		for _, tk := range tokens {
			if err != nil || tk.Status != StatusEnabled || !active[tk.AdminID] {
				continue
			}
			switch {
			case h.scheme == schemeLMv1 && !tk.Bearer() && tk.AccessID == h.accessID:
				skew := at.Sub(time.UnixMilli(h.epochMillis))
				signed := testSign(cred{id: tk.AccessID, key: tk.AccessKey}, seed.Method, seed.ResourcePath, seed.Body, h.epochMillis)
				want = want || signed == header && skew <= maxSkew && skew >= -maxSkew
			case h.scheme == schemeBearer && tk.Bearer() && tk.AccessKey == h.bearer:
				want = true
			}
		}
		if got := aerr == nil; got != want {
			t.Fatalf("server authenticated %q: %v, want %v", header, got, want)
		}
	})
}

// TestLMv1SignatureMutations changes every byte of each vector's signature
// to every other value: none verifies. For the first vector, whose token is
// in the default fixture, every byte of the whole header is changed and
// the server accepts none.
func TestLMv1SignatureMutations(t *testing.T) {
	vectors := lmv1Vectors(t)
	for _, v := range vectors {
		h, err := parseAuthorization(v.Authorization)
		if err != nil || !h.verify(v.AccessKey, v.Method, v.ResourcePath, []byte(v.Body)) {
			t.Fatalf("%s: the vector's own header does not verify (%v)", v.Name, err)
		}
		sig := []byte(h.signature)
		for i := range sig {
			orig := sig[i]
			for b := range 256 {
				if byte(b) == orig {
					continue
				}
				sig[i] = byte(b)
				m := h
				m.signature = string(sig)
				if m.verify(v.AccessKey, v.Method, v.ResourcePath, []byte(v.Body)) {
					t.Errorf("%s: signature with byte %d set to %#x verifies", v.Name, i, b)
				}
			}
			sig[i] = orig
		}
	}

	seed := vectors[0]
	at := time.UnixMilli(seed.EpochMillis)
	srv, err := New(Options{Clock: func() time.Time { return at }, RateLimits: RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	try := func(header string) bool {
		r := httptest.NewRequestWithContext(t.Context(), seed.Method, "/santaba/rest"+seed.ResourcePath, nil)
		r.Header.Set("Authorization", header)
		_, aerr := srv.authenticate(r, seed.ResourcePath, nil)
		return aerr == nil
	}
	if !try(seed.Authorization) {
		t.Fatal("the server refuses the seed vector's header")
	}
	header := []byte(seed.Authorization)
	for i := range header {
		orig := header[i]
		for b := range 256 {
			if byte(b) == orig {
				continue
			}
			header[i] = byte(b)
			if try(string(header)) {
				t.Errorf("header with byte %d set to %#x accepted: %q", i, b, header)
			}
		}
		header[i] = orig
	}
}

// TestLMv1TimestampDigitsOnly is what FuzzAuthorization found first
// (testdata/fuzz/FuzzAuthorization/2d420b27074ac9d6, "LMv1 0:0:00"): the
// timestamp was read with strconv.ParseInt, so "00", "+1700000000000" or
// "01700000000000" passed, and a client that signed such a string was
// authenticated although its header does not say the instant the way
// LogicMonitor's documented signer writes it.
func TestLMv1TimestampDigitsOnly(t *testing.T) {
	at := time.UnixMilli(1700000000000)
	srv, err := New(Options{Clock: func() time.Time { return at }, RateLimits: RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	const path = "/setting/admins/131/apitokens"
	for _, ms := range []string{"00", "+1700000000000", "01700000000000", "-1700000000000", "1700000000000 ", "1_700_000_000_000", "0x18BCFE56800"} {
		header := "LMv1 " + DefaultAdminAccessID + ":" + signature(DefaultAdminAccessKey, http.MethodGet, ms, nil, path) + ":" + ms
		if h, err := parseAuthorization(header); err == nil {
			t.Errorf("timestamp %q accepted: %+v", ms, h.epochMillis)
		}
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/santaba/rest"+path, nil)
		r.Header.Set("Authorization", header)
		if _, aerr := srv.authenticate(r, path, nil); aerr == nil {
			t.Errorf("server authenticated a header signed with timestamp %q", ms)
		}
	}
	for _, ms := range []string{"0", "1700000000000", "9223372036854775807"} {
		if _, err := parseAuthorization("LMv1 id:sig:" + ms); err != nil {
			t.Errorf("timestamp %q refused: %v", ms, err)
		}
	}
	if _, err := parseAuthorization("LMv1 id:sig:9223372036854775808"); err == nil {
		t.Error("a timestamp beyond int64 was accepted")
	}
}
