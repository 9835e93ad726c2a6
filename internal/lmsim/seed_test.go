package lmsim

import (
	"fmt"
	"net/http"
	"testing"
)

// TestAddRoleAddAdmin: seeded objects get the next ids, are served by the
// API like created ones, and keep the account consistent (unique names,
// existing roles).
func TestAddRoleAddAdmin(t *testing.T) {
	s := startSim(t, Options{RateLimits: RateLimits{Disabled: true}})
	r, err := s.Server.AddRole(Role{Name: "seeded", Description: "d", Privileges: []Privilege{{ObjectType: "help", ObjectID: "", Operation: "read"}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Server.AddAdmin(Admin{Username: "seeded-user", Email: "s@example.com", APIOnly: true, Roles: []RoleRef{{ID: r.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != AdminActive || len(a.Roles) != 1 || a.Roles[0].Name != "seeded" {
		t.Errorf("AddAdmin = %+v, want active with role %q", a, "seeded")
	}
	got := s.do(t, req{path: fmt.Sprintf("/setting/admins/%d", a.ID), cred: adminCred}).json(t)
	if got["username"] != "seeded-user" {
		t.Errorf("GET user %d: username %v", a.ID, got["username"])
	}
	got = s.do(t, req{path: fmt.Sprintf("/setting/roles/%d", r.ID), cred: adminCred}).json(t)
	if got["name"] != "seeded" || got["description"] != "d" {
		t.Errorf("GET role %d: %v", r.ID, got)
	}
	// A role created next does not reuse the seeded id.
	created := s.do(t, req{method: http.MethodPost, path: "/setting/roles", cred: adminCred,
		body: `{"name":"after","privileges":[{"objectType":"help","objectId":"","operation":"read"}]}`}).json(t)
	if id := int32(created["id"].(float64)); id <= r.ID {
		t.Errorf("role created after the seeded %d got id %d", r.ID, id)
	}

	if _, err := s.Server.AddRole(Role{Name: "seeded"}); err == nil {
		t.Error("AddRole accepted a taken name")
	}
	if _, err := s.Server.AddAdmin(Admin{Username: "SEEDED-user", Roles: []RoleRef{{ID: r.ID}}}); err == nil {
		t.Error("AddAdmin accepted a username taken but for its case")
	}
	if _, err := s.Server.AddAdmin(Admin{Username: "x", Roles: []RoleRef{{ID: 99999}}}); err == nil {
		t.Error("AddAdmin accepted a missing role")
	}
}
