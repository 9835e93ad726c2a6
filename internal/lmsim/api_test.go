package lmsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAPIVersionEnvelope(t *testing.T) {
	s := startSim(t, Options{})
	for _, version := range []string{"none", "1"} {
		t.Run("X-Version "+version, func(t *testing.T) {
			r := s.do(t, req{path: "/setting/admins/131", cred: adminCred, version: version})
			wantStatus(t, r, http.StatusOK)
			m := r.json(t)
			if m["status"] != 200.0 || m["errmsg"] != "OK" {
				t.Errorf("envelope = %s", r.body)
			}
			if data, _ := m["data"].(map[string]any); data["username"] != "jdoe" {
				t.Errorf("data = %v", m["data"])
			}
			// Errors keep HTTP 200 and carry the status in the envelope.
			r = s.do(t, req{path: "/setting/admins/999", cred: adminCred, version: version})
			wantStatus(t, r, http.StatusOK)
			m = r.json(t)
			if m["status"] != 404.0 || m["errmsg"] != "User <999> is not found" || m["data"] != nil {
				t.Errorf("v1 error envelope = %s", r.body)
			}
			r = s.do(t, req{path: "/setting/roles", version: version})
			if m := r.json(t); r.status != http.StatusOK || m["status"] != 401.0 {
				t.Errorf("v1 unauthenticated = %d %s", r.status, r.body)
			}
		})
	}
	for _, version := range []string{"2", "3"} {
		r := s.do(t, req{path: "/setting/admins/131", cred: adminCred, version: version})
		if m := r.json(t); m["username"] != "jdoe" {
			t.Errorf("X-Version %s: %s", version, r.body)
		}
		wantError(t, s.do(t, req{path: "/setting/admins/999", cred: adminCred, version: version}), http.StatusNotFound, "User <999> is not found")
	}
}

func TestErrors(t *testing.T) {
	s := startSim(t, Options{})
	// Token 100 belongs to admin 100, not 131.
	cases := []struct {
		name   string
		rq     req
		status int
		msg    string
	}{
		{"missing user", req{path: "/setting/admins/999"}, 404, "User <999> is not found"},
		{"patch missing user", req{method: "PATCH", path: "/setting/admins/999", body: `{}`}, 404, "User <999> is not found"},
		{"delete missing user", req{method: "DELETE", path: "/setting/admins/999"}, 404, "User <999> is not found"},
		{"tokens of missing user", req{path: "/setting/admins/999/apitokens"}, 404, "User <999> is not found"},
		{"create token for missing user", req{method: "POST", path: "/setting/admins/999/apitokens", body: `{}`}, 404, "User <999> is not found"},
		{"delete missing token", req{method: "DELETE", path: "/setting/admins/131/apitokens/999"}, 404, "API token <999> is not found for user <131>"},
		{"delete token of another user", req{method: "DELETE", path: "/setting/admins/131/apitokens/100"}, 404, "API token <100> is not found for user <131>"},
		{"patch missing token", req{method: "PATCH", path: "/setting/admins/131/apitokens/999", body: `{}`}, 404, "API token <999> is not found for user <131>"},
		{"put missing token", req{method: "PUT", path: "/setting/admins/131/apitokens/999", body: `{}`}, 404, "API token <999> is not found for user <131>"},
		{"missing role", req{path: "/setting/roles/99"}, 404, "Role <99> is not found"},
		{"unknown path", req{path: "/setting/collectors"}, 404, "No such API"},
		{"id too large", req{path: "/setting/admins/99999999999"}, 404, "No such API"},
		{"malformed JSON", req{method: "POST", path: "/setting/admins/131/apitokens", body: `{"note":`}, 400, "Malformed JSON"},
		{"JSON not an object", req{method: "POST", path: "/setting/admins/131/apitokens", body: `[]`}, 400, "Malformed JSON"},
		{"wrong JSON type", req{method: "PATCH", path: "/setting/admins/131/apitokens/146", body: `{"status":"2"}`}, 400, "Malformed JSON"},
		{"empty body", req{method: "POST", path: "/setting/admins/131/apitokens"}, 400, "empty"},
		{"invalid status", req{method: "PATCH", path: "/setting/admins/131/apitokens/146", body: `{"status":3}`}, 400, "status 3"},
		{"unknown token type", req{method: "POST", path: "/setting/admins/131/apitokens", query: "type=oauth", body: `{}`}, 400, "type"},
		{"unknown filter field", req{path: "/setting/admins/apitokens", query: "filter=accessKey:x"}, 400, `"accessKey" is not supported`},
		{"unknown user filter field", req{path: "/setting/admins", query: "filter=password:x"}, 400, "not supported"},
		{"unterminated quote", req{path: "/setting/admins", query: url.Values{"filter": {`username:"jdoe`}}.Encode()}, 400, "closing quote"},
		{"no operator", req{path: "/setting/admins", query: "filter=username"}, 400, "operator"},
		{"size above 1000", req{path: "/setting/admins/apitokens", query: "size=1001"}, 400, "above the maximum of 1000"},
		{"size not a number", req{path: "/setting/admins", query: "size=ten"}, 400, "not an integer"},
		{"negative offset", req{path: "/setting/admins/apitokens", query: "offset=-1"}, 400, "negative"},
		{"username taken", req{method: "POST", path: "/setting/admins", body: `{"username":"jdoe","email":"j@example.com","roles":[{"id":1}]}`}, 400, "already used"},
		{"user without roles", req{method: "POST", path: "/setting/admins", body: `{"username":"new","email":"n@example.com"}`}, 400, "required"},
		{"user with unknown role", req{method: "POST", path: "/setting/admins", body: `{"username":"new","email":"n@example.com","roles":[{"id":77}]}`}, 400, "does not exist"},
		{"role in use", req{method: "DELETE", path: "/setting/roles/2"}, 400, "assigned"},
		{"GET one token", req{path: "/setting/admins/131/apitokens/146"}, 405, "GET is not supported"},
		{"POST all tokens", req{method: "POST", path: "/setting/admins/apitokens", body: `{}`}, 405, "POST is not supported"},
		{"DELETE user list", req{method: "DELETE", path: "/setting/admins"}, 405, "DELETE is not supported"},
		{"HEAD-like OPTIONS", req{method: "OPTIONS", path: "/setting/roles"}, 405, "OPTIONS is not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.rq.cred = adminCred
			r := s.do(t, tc.rq)
			wantError(t, r, tc.status, tc.msg)
			if tc.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without Allow header")
			}
		})
	}
	// Outside /santaba/rest.
	outside, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.TrimSuffix(s.URL, BasePath)+"/index.html", nil)
	res, err := s.client.Do(outside)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("outside the API: %d", res.StatusCode)
	}
}
