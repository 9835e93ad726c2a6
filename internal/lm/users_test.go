package lm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// simClient starts the simulator with its default fixture and returns a
// client of its administrator "terraform": the client's user and role
// calls are tested against the account the provider's tests use.
func simClient(t *testing.T) (*Client, *testSim) {
	t.Helper()
	f := newSim(t, func(o *lmsim.Options) { o.Fixture = lmsim.DefaultFixture() })
	c := f.client(t, func(cfg *Config) {
		cfg.AccessID, cfg.AccessKey = lmsim.DefaultAdminAccessID, lmsim.DefaultAdminAccessKey
	})
	return c, f
}

func TestRoleCRUD(t *testing.T) {
	c, _ := simClient(t)
	ctx := context.Background()
	r, err := c.CreateRole(ctx, RoleWrite{
		Name: "ci-tokens", Description: "tokens for CI", TwoFARequired: true,
		Privileges: []Privilege{{ObjectType: "setting", ObjectID: "*", Operation: OperationWrite}},
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if r.ID == 0 || r.Name != "ci-tokens" || !r.TwoFARequired || r.RequireEULA || len(r.Privileges) != 1 || r.Privileges[0].ObjectName != "*" {
		t.Errorf("created %+v", r)
	}
	got, err := c.GetRole(ctx, r.ID)
	if err != nil || got.Description != "tokens for CI" {
		t.Errorf("GetRole = %+v, %v", got, err)
	}
	found, err := c.FindRolesByName(ctx, "ci-tokens")
	if err != nil || len(found) != 1 || found[0].ID != r.ID {
		t.Errorf("FindRolesByName = %+v, %v", found, err)
	}
	if found, err := c.FindRolesByName(ctx, "ci-*"); err != nil || len(found) != 0 {
		t.Errorf("FindRolesByName(wildcard) = %+v, %v: the filter's wildcard must not match", found, err)
	}

	// PATCH sets every writable field, privileges emptied included.
	up, err := c.UpdateRole(ctx, r.ID, RoleWrite{Name: "ci-tokens-2", RequireEULA: true})
	if err != nil || up.Name != "ci-tokens-2" || up.TwoFARequired || !up.RequireEULA || up.Privileges == nil || len(up.Privileges) != 0 {
		t.Errorf("UpdateRole = %+v, %v", up, err)
	}

	_, err = c.CreateRole(ctx, RoleWrite{Name: "bad", Privileges: []Privilege{{ObjectType: "setting", ObjectID: "*", Operation: "delete"}}})
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, `operation "delete" is invalid`) {
		t.Errorf("bad privilege: %v", err)
	}

	if err := c.DeleteRole(ctx, r.ID); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
	if _, err := c.GetRole(ctx, r.ID); !IsNotFound(err) {
		t.Errorf("GetRole after delete: %v", err)
	}
	if err := c.DeleteRole(ctx, r.ID); !IsNotFound(err) {
		t.Errorf("second DeleteRole: %v", err)
	}
}

func TestAdminCRUD(t *testing.T) {
	c, sim := simClient(t)
	ctx := context.Background()
	const pw = "Sign-In-Secret-1"
	a, err := c.CreateAdmin(ctx, AdminWrite{
		Username: "alice", Email: "alice@example.com", FirstName: "Alice",
		Roles: []RoleRef{{ID: 2}}, Status: AdminActive, Password: pw,
	})
	if err != nil {
		t.Fatalf("CreateAdmin: %v", err)
	}
	if a.ID == 0 || a.Username != "alice" || a.APIOnly || a.Status != AdminActive || len(a.Roles) != 1 || a.Roles[0].Name != "readonly" {
		t.Errorf("created %+v", a)
	}
	if !sim.sim.PasswordIs(a.ID, pw) {
		t.Error("the password was not sent on create")
	}

	// An update without a password leaves it; with one, changes it.
	up, err := c.UpdateAdmin(ctx, a.ID, AdminWrite{Username: "alice", Email: "alice@example.com", Roles: []RoleRef{{ID: 1}, {ID: 2}}, Status: AdminSuspended})
	if err != nil || up.Status != AdminSuspended || len(up.RoleIDs()) != 2 || up.FirstName != "" {
		t.Errorf("UpdateAdmin = %+v, %v", up, err)
	}
	if !sim.sim.PasswordIs(a.ID, pw) {
		t.Error("an update without a password changed it")
	}
	if _, err := c.UpdateAdmin(ctx, a.ID, AdminWrite{Username: "alice", Email: "alice@example.com", Roles: []RoleRef{{ID: 2}}, Password: "Second-Secret-2"}); err != nil {
		t.Fatal(err)
	}
	if !sim.sim.PasswordIs(a.ID, "Second-Secret-2") {
		t.Error("the new password was not sent with changePassword=true")
	}

	// A rejected password never appears in the error.
	_, err = c.UpdateAdmin(ctx, a.ID, AdminWrite{Username: "alice", Email: "alice@example.com", Roles: []RoleRef{{ID: 2}}, Password: "short"})
	if err == nil || strings.Contains(err.Error(), "short\"") {
		t.Errorf("short password: %v", err)
	}
	_, err = c.CreateAdmin(ctx, AdminWrite{Username: "ALICE", Email: "x@example.com", Roles: []RoleRef{{ID: 2}}, APIOnly: true})
	if err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("duplicate username: %v", err)
	}

	// Deleting the user deletes its tokens.
	if _, err := c.CreateAPIToken(ctx, a.ID, CreateAPITokenRequest{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAdmin(ctx, a.ID); err != nil {
		t.Fatalf("DeleteAdmin: %v", err)
	}
	for _, tok := range sim.sim.Tokens() {
		if tok.AdminID == a.ID {
			t.Errorf("token %d of the deleted user remains", tok.ID)
		}
	}
	if err := c.DeleteAdmin(ctx, a.ID); !IsNotFound(err) {
		t.Errorf("second DeleteAdmin: %v", err)
	}
}

// TestHidePassword: a server that quotes the rejected password in its
// error message does not get it into the client's error.
func TestHidePassword(t *testing.T) {
	f := newSim(t)
	f.failAlways(http.StatusBadRequest, `password "Echoed-Secret-9" does not meet the policy`)
	c := f.client(t, nil)
	_, err := c.CreateAdmin(context.Background(), AdminWrite{Username: "u", Password: "Echoed-Secret-9"})
	if err == nil || strings.Contains(err.Error(), "Echoed-Secret-9") || !strings.Contains(err.Error(), "<redacted>") {
		t.Errorf("err = %v", err)
	}
	_, err = c.UpdateAdmin(context.Background(), 7, AdminWrite{Username: "u", Password: "Echoed-Secret-9"})
	if err == nil || strings.Contains(err.Error(), "Echoed-Secret-9") {
		t.Errorf("err = %v", err)
	}
}

// Admins and Roles stream page by page with the filter sent as-is: a
// caller that stops early costs only the pages it saw.
func TestAdminsAndRolesStreamPages(t *testing.T) {
	c, sim := simClient(t)
	ctx := context.Background()
	seen := 0
	requests := func(path string) int { // since the last call
		all := sim.requests()
		n := 0
		for _, r := range all[seen:] {
			if r.Path == path {
				n++
			}
		}
		seen = len(all)
		return n
	}

	var names []string
	for a, err := range c.Admins(ctx, ListOptions{PageSize: 2, Filter: "apionly:true"}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, a.Username)
	}
	if got := strings.Join(names, ","); got != "terraform,svc-pipeline,auditor" {
		t.Errorf("API-only users %s, want terraform,svc-pipeline,auditor", got)
	}
	if n := requests("/setting/admins"); n != 2 {
		t.Errorf("3 users in pages of 2 took %d requests, want 2", n)
	}

	for a, err := range c.Admins(ctx, ListOptions{PageSize: 2}) {
		if err != nil || a.Username != "terraform" {
			t.Fatalf("first user %+v, %v", a, err)
		}
		break
	}
	if n := requests("/setting/admins"); n != 1 {
		t.Errorf("stopping after the first user took %d requests, want 1", n)
	}

	var roles []string
	for r, err := range c.Roles(ctx, ListOptions{PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		roles = append(roles, r.Name)
	}
	if got := strings.Join(roles, ","); got != "administrator,readonly" {
		t.Errorf("roles %s", got)
	}
	if n := requests("/setting/roles"); n != 2 {
		t.Errorf("2 roles in pages of 1 took %d requests, want 2 (the total says there is no third page)", n)
	}

	var errs []error
	for _, err := range c.Roles(ctx, ListOptions{Filter: "privileges:x"}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !hasStatus(errs[0], http.StatusBadRequest) {
		t.Errorf("a filter on an unsupported field: %v, want one bad-request error", errs)
	}
}
