package lmsim

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLMv1Vectors(t *testing.T) {
	b, err := os.ReadFile("../../../shared/lm-api/lmv1-vectors.json")
	if err != nil {
		t.Skipf("vectors not present: %v", err)
	}
	var doc struct {
		Vectors []struct {
			Name, AccessID, AccessKey, Method, ResourcePath, Body, Authorization string
			EpochMillis                                                          int64
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range doc.Vectors {
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
