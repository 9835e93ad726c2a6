package lmsim

import (
	"net/http"
	"strings"
	"testing"
)

func TestAdmins(t *testing.T) {
	s := startSim(t, Options{})
	r := s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"ci-bot","email":"ci@example.com","password":"Secret-123","roles":[{"id":2}],"apionly":true,"firstName":"CI"}`})
	wantStatus(t, r, http.StatusOK)
	m := r.json(t)
	if m["id"] != 143.0 || m["username"] != "ci-bot" || m["status"] != "active" || m["apionly"] != true || m["createdBy"] != "terraform" {
		t.Errorf("create user: %s", r.body)
	}
	if roles, _ := m["roles"].([]any); len(roles) != 1 || roles[0].(map[string]any)["name"] != "readonly" {
		t.Errorf("roles: %v", m["roles"])
	}

	r = s.do(t, req{method: "PATCH", path: "/setting/admins/143", body: `{"roles":[{"name":"administrator"}],"password":"Other-456"}`, cred: adminCred})
	if m := r.json(t); m["firstName"] != "CI" || m["roles"].([]any)[0].(map[string]any)["id"] != 1.0 {
		t.Errorf("patch user: %s", r.body)
	}
	r = s.do(t, req{method: "PUT", path: "/setting/admins/143", body: `{"username":"ci-bot","email":"ci@example.com","roles":[{"id":2}]}`, cred: adminCred})
	if m := r.json(t); m["firstName"] != "" || m["apionly"] != false || m["status"] != "active" {
		t.Errorf("put user: %s", r.body)
	}

	// Suspending a user stops its tokens; reactivating restores them.
	s.do(t, req{method: "PATCH", path: "/setting/admins/131", body: `{"status":"suspended"}`, cred: adminCred})
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: seedCred}), http.StatusUnauthorized)
	s.do(t, req{method: "PATCH", path: "/setting/admins/131", body: `{"status":"active"}`, cred: adminCred})
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: seedCred}), http.StatusOK)

	// A token's roles follow its user's.
	s.do(t, req{method: "PATCH", path: "/setting/admins/131", body: `{"roles":[{"id":2}]}`, cred: adminCred})
	_, list := items(t, s.do(t, req{path: "/setting/admins/131/apitokens", cred: adminCred}))
	if roles, _ := list[0]["roles"].([]any); len(roles) != 1 || roles[0] != "readonly" {
		t.Errorf("token roles after the user's changed: %v", list[0]["roles"])
	}
	wantStatus(t, s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{}`, cred: seedCred}), http.StatusForbidden)

	// Deleting a user deletes its tokens.
	for range 2 {
		wantStatus(t, s.do(t, req{method: "POST", path: "/setting/admins/143/apitokens", body: `{}`, cred: adminCred}), http.StatusOK)
	}
	wantStatus(t, s.do(t, req{method: "POST", path: "/setting/admins/143/apitokens", query: "type=bearer", body: `{}`, cred: adminCred}), http.StatusOK)
	r = s.do(t, req{method: "DELETE", path: "/setting/admins/143", cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	for _, tok := range s.Server.Tokens() {
		if tok.AdminID == 143 {
			t.Errorf("token %d of the deleted user remains", tok.ID)
		}
	}
	wantError(t, s.do(t, req{path: "/setting/admins/143", cred: adminCred}), 404, "User <143> is not found")

	// Passwords never come back: every answer says "password": "".
	for _, rq := range []req{{path: "/setting/admins", query: "size=1000"}, {path: "/setting/admins/131"}} {
		rq.cred = adminCred
		r := s.do(t, rq)
		if strings.Contains(string(r.body), "Secret-123") || strings.Contains(string(r.body), "Other-456") ||
			!strings.Contains(string(r.body), `"password":""`) {
			t.Errorf("password shown or missing: %s", r.body)
		}
	}
	if snap := string(marshalState(s.Server.Snapshot())); strings.Contains(snap, "Secret-123") || strings.Contains(snap, "Other-456") {
		t.Error("password kept in the state")
	}
}

// TestAdminAnswersAndPasswords: every Admin answer carries the Swagger's
// required properties, its roles as whole Role objects, and an empty
// password; passwords follow the rules of the users comment block.
func TestAdminAnswersAndPasswords(t *testing.T) {
	s := startSim(t, Options{})
	wantError(t, s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"alice","email":"a@example.com","roles":[{"id":2}],"apionly":false}`}), 400, "password is required")
	wantError(t, s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"alice","email":"a@example.com","roles":[{"id":2}],"password":"Short1"}`}), 400, "too short")
	wantError(t, s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"JDOE","email":"a@example.com","roles":[{"id":2}],"apionly":true}`}), 400, "already used by user <131>")

	r := s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"alice","email":"a@example.com","roles":[{"id":2}],"password":"First-Secret-1"}`})
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.body), "First-Secret-1") {
		t.Fatalf("password echoed: %s", r.body)
	}
	_, list := items(t, s.do(t, req{path: "/setting/admins", query: `filter=username:"alice"`, cred: adminCred}))
	if len(list) != 1 {
		t.Fatalf("filter by username: %v", list)
	}
	for _, k := range []string{"username", "email", "roles", "password"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("required property %q missing: %v", k, list[0])
		}
	}
	role := list[0]["roles"].([]any)[0].(map[string]any)
	if role["name"] != "readonly" || role["privileges"] == nil {
		t.Errorf("embedded role is not a whole Role: %v", role)
	}
	if !s.Server.PasswordIs(143, "First-Secret-1") {
		t.Error("the create's password was not taken")
	}

	// Without changePassword a password in the body is ignored.
	s.do(t, req{method: "PATCH", path: "/setting/admins/143", body: `{"password":"Second-Secret-2"}`, cred: adminCred})
	if !s.Server.PasswordIs(143, "First-Secret-1") {
		t.Error("a PATCH without changePassword changed the password")
	}
	wantError(t, s.do(t, req{method: "PATCH", path: "/setting/admins/143", query: "changePassword=true", body: `{"note":"x"}`, cred: adminCred}), 400, "needs a password")
	s.do(t, req{method: "PATCH", path: "/setting/admins/143", query: "changePassword=true", body: `{"password":"Second-Secret-2"}`, cred: adminCred})
	if !s.Server.PasswordIs(143, "Second-Secret-2") {
		t.Error("changePassword=true did not change the password")
	}
	if snap := string(marshalState(s.Server.Snapshot())); strings.Contains(snap, "Secret-") {
		t.Error("a password reached the state")
	}
}
