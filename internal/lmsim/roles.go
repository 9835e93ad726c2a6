package lmsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Roles (/setting/roles) as LogicMonitor documents them, and where its
// documents are silent, the safe choice (marked UNCONFIRMED):
//
//   - name and privileges are required on POST and PUT (the Swagger's
//     required properties); names are unique, compared exactly (400).
//   - every privilege needs objectType (not blank), objectId (may be "",
//     as for the "help" privileges) and an operation LogicMonitor documents:
//     read, write or ack; anything else is a 400 naming the privilege.
//     objectName is read-only and echoes objectId (UNCONFIRMED).
//   - roleGroupId is kept and answered although the Swagger subset predates
//     it (LogicMonitor's own provider and SDKs have it); role groups are
//     not modelled, so any id >= 0 is accepted (UNCONFIRMED).
//   - deleting a role that users still hold is refused with 400 and the
//     number of users (UNCONFIRMED: the documents are silent). This is the
//     safe choice: deleting it would either leave users with a dangling
//     role or silently strip their privileges (and a user's last role).
//     Remove the role from its users, or delete them, first.

var roleFilterFields = map[string]bool{"id": true, "name": true, "description": true}

func roleField(r *Role, field string) string {
	switch field {
	case "id":
		return strconv.Itoa(int(r.ID))
	case "name":
		return r.Name
	case "description":
		return r.Description
	}
	return ""
}

// roleView is the Role object: name and privileges always present (the
// Swagger requires them), associatedUserCount computed.
type roleView struct {
	ID                  int32       `json:"id"`
	Name                string      `json:"name"`
	Description         string      `json:"description"`
	AssociatedUserCount int32       `json:"associatedUserCount"`
	Privileges          []Privilege `json:"privileges"`
	TwoFARequired       bool        `json:"twoFARequired"`
	RequireEULA         bool        `json:"requireEULA"`
	RoleGroupID         int32       `json:"roleGroupId"`
	CustomHelpLabel     string      `json:"customHelpLabel"`
	CustomHelpURL       string      `json:"customHelpURL"`
}

func (c *call) roleView(r *Role) roleView {
	v := roleView{
		ID: r.ID, Name: r.Name, Description: r.Description, Privileges: r.Privileges,
		TwoFARequired: r.TwoFARequired, RequireEULA: r.RequireEULA, RoleGroupID: r.RoleGroupID,
		CustomHelpLabel: r.CustomHelpLabel, CustomHelpURL: r.CustomHelpURL,
	}
	if v.Privileges == nil {
		v.Privileges = []Privilege{}
	}
	v.AssociatedUserCount = c.roleUsers(r.ID)
	return v
}

func (c *call) roleUsers(roleID int32) int32 {
	var n int32
	for _, a := range c.st.admins {
		if slices.ContainsFunc(a.Roles, func(ref RoleRef) bool { return ref.ID == roleID }) {
			n++
		}
	}
	return n
}

func errRoleNotFound(id int32) *apiError {
	return errorf(http.StatusNotFound, "Role <%d> is not found", id)
}

func listRoles(c *call) (int, any) {
	return listOf(c, c.st.roles, roleFilterFields, roleField, nil, func(r *Role) any { return c.roleView(r) })
}

func getRole(c *call) (int, any) {
	r, found := c.st.roles[c.ids[0]]
	if !found {
		return fail(errRoleNotFound(c.ids[0]))
	}
	return c.answerOne(c.roleView(r))
}

type roleBody struct {
	Name          *string          `json:"name"`
	Description   *string          `json:"description"`
	Privileges    *[]privilegeBody `json:"privileges"`
	TwoFARequired *bool            `json:"twoFARequired"`
	RequireEULA   *bool            `json:"requireEULA"`
	RoleGroupID   *int32           `json:"roleGroupId"`
	// The custom Help & Support menu entry: kept and answered as written
	// (LogicMonitor's Terraform provider sets both).
	CustomHelpLabel *string `json:"customHelpLabel"`
	CustomHelpURL   *string `json:"customHelpURL"`
}

// privilegeBody is a privilege as sent; pointers tell absent from empty.
// objectName and subOperation are read-only and ignored.
type privilegeBody struct {
	ObjectType *string `json:"objectType"`
	ObjectID   *string `json:"objectId"`
	Operation  *string `json:"operation"`
}

// privilegeOperations are the operations LogicMonitor documents.
var privilegeOperations = []string{"read", "write", "ack"}

func checkPrivileges(in []privilegeBody) ([]Privilege, *apiError) {
	out := make([]Privilege, 0, len(in))
	for i, p := range in {
		switch {
		case p.ObjectType == nil || strings.TrimSpace(*p.ObjectType) == "":
			return nil, errorf(http.StatusBadRequest, "privileges[%d]: objectType is required, such as host_group, dashboard_group, setting or help", i)
		case p.ObjectID == nil:
			return nil, errorf(http.StatusBadRequest, "privileges[%d]: objectId is required (\"*\" for all objects of the type)", i)
		case p.Operation == nil || !slices.Contains(privilegeOperations, *p.Operation):
			op := ""
			if p.Operation != nil {
				op = *p.Operation
			}
			return nil, errorf(http.StatusBadRequest, "privileges[%d]: operation %q is invalid: use one of %s", i, op, strings.Join(privilegeOperations, ", "))
		}
		out = append(out, Privilege{ObjectType: *p.ObjectType, ObjectID: *p.ObjectID, ObjectName: *p.ObjectID, Operation: *p.Operation})
	}
	return out, nil
}

func (c *call) applyRole(r *Role, b roleBody, replace bool) *apiError {
	if replace {
		if b.Name == nil || b.Privileges == nil {
			return errorf(http.StatusBadRequest, "name and privileges are required")
		}
		*r = Role{ID: r.ID}
	}
	if b.Name != nil {
		name := strings.TrimSpace(*b.Name)
		if name == "" {
			return errorf(http.StatusBadRequest, "name must not be empty")
		}
		for _, other := range c.st.roles {
			if other.ID != r.ID && other.Name == name {
				return errorf(http.StatusBadRequest, "The role name <%s> is already used by role <%d>", name, other.ID)
			}
		}
		r.Name = name
	}
	setIf(&r.Description, b.Description)
	if b.Privileges != nil {
		ps, e := checkPrivileges(*b.Privileges)
		if e != nil {
			return e
		}
		r.Privileges = ps
	}
	setIf(&r.TwoFARequired, b.TwoFARequired)
	setIf(&r.RequireEULA, b.RequireEULA)
	setIf(&r.CustomHelpLabel, b.CustomHelpLabel)
	setIf(&r.CustomHelpURL, b.CustomHelpURL)
	if b.RoleGroupID != nil {
		if *b.RoleGroupID < 0 {
			return errorf(http.StatusBadRequest, "roleGroupId %d is invalid: it must not be negative", *b.RoleGroupID)
		}
		r.RoleGroupID = *b.RoleGroupID
	}
	return nil
}

func createRole(c *call) (int, any) {
	var b roleBody
	if e := decode(c.body, &b); e != nil {
		return fail(e)
	}
	r := &Role{ID: c.st.next.Roles}
	if e := c.applyRole(r, b, true); e != nil {
		return fail(e)
	}
	c.st.next.Roles++
	c.st.roles[r.ID] = r
	c.st.changed()
	return answer(c.roleView(r))
}

func updateRole(c *call, replace bool) (int, any) {
	cur, found := c.st.roles[c.ids[0]]
	if !found {
		return fail(errRoleNotFound(c.ids[0]))
	}
	var b roleBody
	if e := decode(c.body, &b); e != nil {
		return fail(e)
	}
	r := *cur
	if e := c.applyRole(&r, b, replace); e != nil {
		return fail(e)
	}
	*cur = r
	c.st.changed()
	return answer(c.roleView(cur))
}

func patchRole(c *call) (int, any) { return updateRole(c, false) }

func putRole(c *call) (int, any) { return updateRole(c, true) }

func deleteRole(c *call) (int, any) {
	id := c.ids[0]
	if _, found := c.st.roles[id]; !found {
		return fail(errRoleNotFound(id))
	}
	// Refused while users hold it: see the comment block on roles above.
	if n := c.roleUsers(id); n > 0 {
		return fail(errorf(http.StatusBadRequest, "Role <%d> is assigned to %d users and cannot be deleted: remove it from them first", id, n))
	}
	delete(c.st.roles, id)
	c.st.changed()
	return answer(struct{}{})
}
