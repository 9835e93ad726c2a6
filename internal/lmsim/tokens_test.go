package lmsim

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	accessIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{20}$`)
	accessKeyPattern = regexp.MustCompile(`^[A-Za-z0-9()\[\]{}~^=+\-_!*]{40}$`)
)

func TestCreateToken(t *testing.T) {
	s := startSim(t, Options{})
	r := s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{"note":"ci pipeline"}`, cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	m := r.json(t)
	key, _ := m["accessKey"].(string)
	accessID, _ := m["accessId"].(string)
	if !accessKeyPattern.MatchString(key) || !accessIDPattern.MatchString(accessID) {
		t.Errorf("accessId %q / accessKey %q do not look like LogicMonitor's", accessID, key)
	}
	want := map[string]any{
		"id": 151.0, "adminId": 131.0, "adminName": "jdoe", "note": "ci pipeline", "status": 2.0,
		"createdOn": float64(s.clock.Now().Unix()), "createdBy": "terraform", "lastUsedOn": 0.0,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if roles, _ := m["roles"].([]any); len(roles) != 1 || roles[0] != "administrator" {
		t.Errorf("roles = %v", m["roles"])
	}

	// The key is never shown again.
	for _, rq := range []req{
		{path: "/setting/admins/131/apitokens"},
		{path: "/setting/admins/apitokens", query: "size=1000"},
		{path: "/setting/admins/apitokens", query: "filter=id:151"},
	} {
		rq.cred = adminCred
		r := s.do(t, rq)
		if strings.Contains(string(r.body), "accessKey") || strings.Contains(string(r.body), key) {
			t.Errorf("GET %s shows a key: %s", rq.path, r.body)
		}
	}
	for _, rq := range []req{
		{method: "PATCH", path: "/setting/admins/131/apitokens/151", body: `{"note":"x"}`},
		{method: "PUT", path: "/setting/admins/131/apitokens/151", body: `{"note":"x"}`},
	} {
		rq.cred = adminCred
		if r := s.do(t, rq); strings.Contains(string(r.body), "accessKey") {
			t.Errorf("%s shows a key: %s", rq.method, r.body)
		}
	}

	// The new credentials work at once.
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: cred{id: accessID, key: key}}), http.StatusOK)

	// Created disabled: cannot authenticate.
	r = s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{"status":1}`, cred: adminCred})
	m = r.json(t)
	if m["status"] != 1.0 || m["id"] != 152.0 || m["note"] != "" {
		t.Errorf("disabled create: %s", r.body)
	}
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: cred{id: m["accessId"].(string), key: m["accessKey"].(string)}}), http.StatusUnauthorized)

	// Bearer tokens: listed only with type=bearer, usable as Bearer.
	r = s.do(t, req{method: "POST", path: "/setting/admins/140/apitokens", query: "type=bearer", body: `{"note":"bearer"}`, cred: bearerCred})
	m = r.json(t)
	secret, _ := m["accessKey"].(string)
	if len(secret) != 40 || m["createdBy"] != "terraform" {
		t.Errorf("bearer create: %s", r.body)
	}
	_, lmv1 := items(t, s.do(t, req{path: "/setting/admins/140/apitokens", cred: adminCred}))
	_, bearer := items(t, s.do(t, req{path: "/setting/admins/140/apitokens", query: "type=bearer", cred: adminCred}))
	if len(lmv1) != 0 || !slices.Equal(ids(bearer), []int{153}) {
		t.Errorf("lmv1 list %v, bearer list %v", ids(lmv1), ids(bearer))
	}
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: cred{bearer: secret}}), http.StatusOK)

	// Access ids and keys are fresh each time.
	seen := map[string]bool{}
	for _, tok := range s.Server.Tokens() {
		if seen[tok.AccessID] || seen[tok.AccessKey] {
			t.Errorf("credential reused: %s", tok.AccessID)
		}
		seen[tok.AccessID], seen[tok.AccessKey] = true, true
	}
}

func TestUpdateToken(t *testing.T) {
	s := startSim(t, Options{})
	path := "/setting/admins/131/apitokens/146"
	steps := []struct {
		method, body string
		note         string
		status       float64
	}{
		{"PATCH", `{"status":1}`, "seed example", 1},
		{"PATCH", `{"note":"renamed"}`, "renamed", 1},
		{"PUT", `{"note":"put keeps note, resets status"}`, "put keeps note, resets status", 2},
		{"PATCH", `{"status":1,"id":999,"accessId":"ignored","accessKey":"ignored"}`, "put keeps note, resets status", 1},
		{"PUT", `{}`, "", 2},
		{"PUT", `{"note":"n","status":1}`, "n", 1},
	}
	for i, st := range steps {
		r := s.do(t, req{method: st.method, path: path, body: st.body, cred: adminCred})
		wantStatus(t, r, http.StatusOK)
		m := r.json(t)
		if m["note"] != st.note || m["status"] != st.status || m["id"] != 146.0 || m["accessId"] != SeedAccessID {
			t.Errorf("step %d %s %s: %s", i, st.method, st.body, r.body)
		}
	}
	for _, tok := range s.Server.Tokens() {
		if tok.ID == 146 && tok.AccessKey != SeedAccessKey {
			t.Error("an update changed the key")
		}
	}
}

func TestDeleteToken(t *testing.T) {
	s := startSim(t, Options{})
	path := "/setting/admins/131/apitokens/146"
	r := s.do(t, req{method: "DELETE", path: path, cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	if got := strings.TrimSpace(string(r.body)); got != "{}" {
		t.Errorf("delete answered %s, want {}", got)
	}
	wantError(t, s.do(t, req{method: "DELETE", path: path, cred: adminCred}), 404, "API token <146> is not found for user <131>")
	total, _ := items(t, s.do(t, req{path: "/setting/admins/apitokens", query: "filter=id:146", cred: adminCred}))
	if total != 0 {
		t.Errorf("deleted token still listed")
	}
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: seedCred}), http.StatusUnauthorized)
}

// TestIDsContinue checks that ids follow the largest present and are never
// reused after a delete.
func TestIDsContinue(t *testing.T) {
	s := startSim(t, Options{})
	for want := 151.0; want <= 153; want++ {
		r := s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{}`, cred: adminCred})
		if id := r.json(t)["id"]; id != want {
			t.Fatalf("id = %v, want %v", id, want)
		}
		s.do(t, req{method: "DELETE", path: fmt.Sprintf("/setting/admins/131/apitokens/%d", int(want)), cred: adminCred})
	}
}
