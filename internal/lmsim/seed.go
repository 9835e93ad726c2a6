package lmsim

import (
	"fmt"
	"strings"
)

// AddRole and AddAdmin store objects as if they had been made earlier,
// outside the caller's view, as AddToken does for tokens: make bench seeds
// a portal of thousands of objects this way, in milliseconds, where
// creating them through Terraform would take an hour. The simulator gives
// the id; the rest is stored as given, so that a seeded object can copy
// one the API created. The state file, if any, is not rewritten: seeding
// is for in-process runs.

// AddRole stores a role with the next role id and returns it. Its name
// must be set and unique.
func (s *Server) AddRole(r Role) (Role, error) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if r.Name == "" {
		return Role{}, fmt.Errorf("role name is empty")
	}
	for _, o := range st.roles {
		if o.Name == r.Name {
			return Role{}, fmt.Errorf("role name %q is taken by role %d", r.Name, o.ID)
		}
	}
	r.ID = st.next.Roles
	r.Privileges = append([]Privilege(nil), r.Privileges...)
	st.next.Roles++
	st.roles[r.ID] = &r
	st.changed()
	return r, nil
}

// AddAdmin stores a user with the next user id and returns it. Its
// username must be set and unique regardless of case, and its roles must
// exist; its status defaults to active.
func (s *Server) AddAdmin(a Admin) (Admin, error) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if a.Username == "" {
		return Admin{}, fmt.Errorf("username is empty")
	}
	for _, o := range st.admins {
		if strings.EqualFold(o.Username, a.Username) {
			return Admin{}, fmt.Errorf("username %q is taken by user %d", a.Username, o.ID)
		}
	}
	if a.Status == "" {
		a.Status = AdminActive
	}
	if a.Status != AdminActive && a.Status != AdminSuspended {
		return Admin{}, fmt.Errorf("user status %q is neither %q nor %q", a.Status, AdminActive, AdminSuspended)
	}
	refs := make([]RoleRef, 0, len(a.Roles))
	for _, ref := range a.Roles {
		r, ok := st.roles[ref.ID]
		if !ok {
			return Admin{}, fmt.Errorf("role %d does not exist", ref.ID)
		}
		refs = append(refs, RoleRef{ID: r.ID, Name: r.Name})
	}
	a.Roles = refs
	a.ID = st.next.Admins
	st.next.Admins++
	st.admins[a.ID] = &a
	st.changed()
	return a, nil
}
