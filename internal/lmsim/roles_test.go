package lmsim

import (
	"net/http"
	"testing"
)

func TestRoles(t *testing.T) {
	s := startSim(t, Options{})
	total, list := items(t, s.do(t, req{path: "/setting/roles", cred: roCred}))
	if total != 2 || list[0]["name"] != "administrator" || list[1]["associatedUserCount"] != 3.0 {
		t.Errorf("roles: %v", list)
	}
	r := s.do(t, req{method: "POST", path: "/setting/roles", body: `{"name":"tokens-admin","privileges":[{"objectId":"","objectType":"setting","operation":"write"}]}`, cred: adminCred})
	if m := r.json(t); m["id"] != 3.0 || len(m["privileges"].([]any)) != 1 {
		t.Errorf("create role: %s", r.body)
	}
	r = s.do(t, req{method: "PATCH", path: "/setting/roles/2", body: `{"name":"read-only"}`, cred: adminCred})
	if m := r.json(t); m["name"] != "read-only" {
		t.Errorf("rename: %s", r.body)
	}
	if m := s.do(t, req{path: "/setting/admins/141", cred: adminCred}).json(t); m["roles"].([]any)[0].(map[string]any)["name"] != "read-only" {
		t.Errorf("user does not show the new role name: %v", m["roles"])
	}
	wantStatus(t, s.do(t, req{method: "PUT", path: "/setting/roles/3", body: `{"name":"tokens-admin","privileges":[]}`, cred: adminCred}), http.StatusOK)
	wantStatus(t, s.do(t, req{method: "DELETE", path: "/setting/roles/3", cred: adminCred}), http.StatusOK)
	wantError(t, s.do(t, req{path: "/setting/roles/3", cred: adminCred}), 404, "Role <3> is not found")
}

// TestRoleValidation: the required properties and privilege rules of the
// roles comment block in roles.go, as 400s naming the privilege and the fix.
func TestRoleValidation(t *testing.T) {
	s := startSim(t, Options{})
	for _, tc := range []struct {
		name, body, want string
	}{
		{"no privileges", `{"name":"r"}`, "name and privileges are required"},
		{"blank object type", `{"name":"r","privileges":[{"objectType":" ","objectId":"*","operation":"read"}]}`, "privileges[0]: objectType is required"},
		{"no object id", `{"name":"r","privileges":[{"objectType":"help","operation":"read"}]}`, "privileges[0]: objectId is required"},
		{"unknown operation", `{"name":"r","privileges":[{"objectType":"help","objectId":"","operation":"read"},{"objectType":"host_group","objectId":"*","operation":"delete"}]}`, `privileges[1]: operation "delete" is invalid: use one of read, write, ack`},
		{"duplicate name", `{"name":"readonly","privileges":[]}`, "already used by role <2>"},
		{"negative group", `{"name":"r","privileges":[],"roleGroupId":-1}`, "roleGroupId -1 is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.do(t, req{method: "POST", path: "/setting/roles", body: tc.body, cred: adminCred}), 400, tc.want)
		})
	}
	if n := len(s.Server.Roles()); n != 2 {
		t.Errorf("rejected creates left %d roles, want the 2 of the fixture", n)
	}

	r := s.do(t, req{method: "POST", path: "/setting/roles", cred: adminCred, body: `{"name":"ci","twoFARequired":true,"roleGroupId":4,
		"privileges":[{"objectType":"host_group","objectId":"*","operation":"ack"}]}`})
	m := r.json(t)
	p := m["privileges"].([]any)[0].(map[string]any)
	if m["twoFARequired"] != true || m["requireEULA"] != false || m["roleGroupId"] != 4.0 || p["objectName"] != "*" || p["operation"] != "ack" {
		t.Errorf("create role: %s", r.body)
	}
	// PATCH leaves what it does not name.
	r = s.do(t, req{method: "PATCH", path: "/setting/roles/3", body: `{"requireEULA":true}`, cred: adminCred})
	if m := r.json(t); m["twoFARequired"] != true || m["requireEULA"] != true || len(m["privileges"].([]any)) != 1 {
		t.Errorf("patch role: %s", r.body)
	}

	// A role held by a user cannot go; once the user has gone, it can.
	s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred, body: `{"username":"svc","email":"s@example.com","roles":[{"id":3}],"apionly":true}`})
	wantError(t, s.do(t, req{method: "DELETE", path: "/setting/roles/3", cred: adminCred}), 400, "is assigned to 1 users and cannot be deleted")
	s.do(t, req{method: "DELETE", path: "/setting/admins/143", cred: adminCred})
	wantStatus(t, s.do(t, req{method: "DELETE", path: "/setting/roles/3", cred: adminCred}), http.StatusOK)
}
