package lmsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Users (/setting/admins) as LogicMonitor documents them, and where its
// documents are silent, the safe choice (marked UNCONFIRMED):
//
//   - username, email and roles are required on POST and PUT; a user needs
//     at least one role, and every role must exist (400 otherwise).
//   - usernames are unique, compared without regard to case (400
//     "The username <x> is already used by user <id>").
//   - a password is required on POST for a user who signs in (apionly
//     false); API-only users need none (UNCONFIRMED: the Swagger marks it
//     required for every user, the portal does not ask API-only users for
//     one). It must be at least 8 characters (UNCONFIRMED policy). On PATCH
//     and PUT it changes only with ?changePassword=true, as documented;
//     otherwise a password in the body is ignored.
//   - the password is never stored: only its SHA-256 is kept in memory
//     (not in the state file) so that tests can ask whether a password was
//     set (Server.PasswordIs). Answers carry "password": "" (see adminView).
//   - deleting a user deletes its API tokens.
//   - the other writable properties (contact details, EULA and two-factor
//     flags, viewPermission) are kept and answered as written: profile.go.

var adminFilterFields = map[string]bool{
	"id": true, "username": true, "email": true, "status": true, "apionly": true,
	"firstName": true, "lastName": true, "note": true,
}

func adminField(a *Admin, field string) string {
	switch field {
	case "id":
		return strconv.Itoa(int(a.ID))
	case "username":
		return a.Username
	case "email":
		return a.Email
	case "status":
		return a.Status
	case "apionly":
		return strconv.FormatBool(a.APIOnly)
	case "firstName":
		return a.FirstName
	case "lastName":
		return a.LastName
	case "note":
		return a.Note
	}
	return ""
}

// adminView is the Admin object as the API shows it. The Swagger's required
// properties (username, email, roles, password) are always present, and
// each role is a whole Role object, whose own required name and privileges
// are present too, so that LogicMonitor's SDKs can parse every answer
// (lm-sdk-python raises on an Admin whose password or roles is null). The
// password is always "": the simulator has none to show.
type adminView struct {
	ID        int32      `json:"id"`
	Username  string     `json:"username"`
	Email     string     `json:"email"`
	Password  string     `json:"password"`
	FirstName string     `json:"firstName"`
	LastName  string     `json:"lastName"`
	Note      string     `json:"note"`
	Roles     []roleView `json:"roles"`
	APIOnly   bool       `json:"apionly"`
	Status    string     `json:"status"`
	CreatedBy string     `json:"createdBy"`
	adminProfileView
}

func (c *call) adminView(a *Admin) adminView {
	v := adminView{
		ID: a.ID, Username: a.Username, Email: a.Email, FirstName: a.FirstName, LastName: a.LastName,
		Note: a.Note, APIOnly: a.APIOnly, Status: a.Status, CreatedBy: a.CreatedBy, Roles: []roleView{},
		adminProfileView: a.AdminProfile.view(),
	}
	for _, ref := range a.Roles {
		if r, ok := c.st.roles[ref.ID]; ok {
			v.Roles = append(v.Roles, c.roleView(r))
		}
	}
	return v
}

func errUserNotFound(id int32) *apiError {
	return errorf(http.StatusNotFound, "User <%d> is not found", id)
}

func listAdmins(c *call) (int, any) {
	return listOf(c, c.st.admins, adminFilterFields, adminField, nil, func(a *Admin) any { return c.adminView(a) })
}

func getAdmin(c *call) (int, any) {
	a, found := c.st.admins[c.ids[0]]
	if !found {
		return fail(errUserNotFound(c.ids[0]))
	}
	return c.answerOne(c.adminView(a))
}

// adminBody is a user as sent in POST, PUT and PATCH; pointers tell absent
// from empty. The password is checked, hashed in memory and discarded.
type adminBody struct {
	Username  *string    `json:"username"`
	Email     *string    `json:"email"`
	FirstName *string    `json:"firstName"`
	LastName  *string    `json:"lastName"`
	Note      *string    `json:"note"`
	Password  *string    `json:"password"`
	Roles     *[]RoleRef `json:"roles"`
	APIOnly   *bool      `json:"apionly"`
	Status    *string    `json:"status"`
	adminProfileBody
}

// applyAdmin copies b onto a. With replace (POST, PUT) absent properties
// take their defaults and username, email and roles are required.
func (c *call) applyAdmin(a *Admin, b adminBody, replace bool) *apiError {
	if replace {
		if b.Username == nil || b.Email == nil || b.Roles == nil {
			return errorf(http.StatusBadRequest, "username, email and roles are required")
		}
		*a = Admin{ID: a.ID, CreatedBy: a.CreatedBy, Status: AdminActive, AdminProfile: defaultProfile()}
	}
	if e := b.adminProfileBody.apply(&a.AdminProfile); e != nil {
		return e
	}
	if b.Username != nil {
		name := strings.TrimSpace(*b.Username)
		if name == "" {
			return errorf(http.StatusBadRequest, "username must not be empty")
		}
		for _, other := range c.st.admins {
			if other.ID != a.ID && strings.EqualFold(other.Username, name) {
				return errorf(http.StatusBadRequest, "The username <%s> is already used by user <%d>", name, other.ID)
			}
		}
		a.Username = name
	}
	if b.Email != nil {
		if !strings.Contains(*b.Email, "@") {
			return errorf(http.StatusBadRequest, "email <%s> is not an email address", *b.Email)
		}
		a.Email = *b.Email
	}
	if b.Roles != nil {
		if len(*b.Roles) == 0 {
			return errorf(http.StatusBadRequest, "a user needs at least one role")
		}
		refs := make([]RoleRef, 0, len(*b.Roles))
		for _, ref := range *b.Roles {
			r := c.findRole(ref)
			if r == nil {
				return errorf(http.StatusBadRequest, "Role <%d> %q does not exist", ref.ID, ref.Name)
			}
			if !slices.ContainsFunc(refs, func(x RoleRef) bool { return x.ID == r.ID }) {
				refs = append(refs, RoleRef{ID: r.ID, Name: r.Name})
			}
		}
		a.Roles = refs
	}
	if b.Status != nil {
		if *b.Status != AdminActive && *b.Status != AdminSuspended {
			return errorf(http.StatusBadRequest, "status must be %q or %q", AdminActive, AdminSuspended)
		}
		a.Status = *b.Status
	}
	setIf(&a.FirstName, b.FirstName)
	setIf(&a.LastName, b.LastName)
	setIf(&a.Note, b.Note)
	setIf(&a.APIOnly, b.APIOnly)
	return nil
}

// minPasswordLength is the simulator's password policy (UNCONFIRMED).
const minPasswordLength = 8

// takePassword applies the password rules of the comment block above for
// a create (POST) or an update (PATCH, PUT) of a. It returns the password
// to remember, or "" for none. Error messages never quote the password.
func (c *call) takePassword(a *Admin, b adminBody, create bool) (string, *apiError) {
	if !create && c.query.Get("changePassword") != "true" {
		return "", nil // documented: without changePassword the password stays
	}
	pw := ""
	if b.Password != nil {
		pw = *b.Password
	}
	switch {
	case pw == "" && create && !a.APIOnly:
		return "", errorf(http.StatusBadRequest, "password is required for a user who signs in (apionly false)")
	case pw == "" && !create:
		return "", errorf(http.StatusBadRequest, "changePassword=true needs a password in the body")
	case pw != "" && len([]rune(pw)) < minPasswordLength:
		return "", errorf(http.StatusBadRequest, "The password is too short: it needs at least %d characters", minPasswordLength)
	}
	return pw, nil
}

// findRole accepts a reference by id, or by name when the id is absent.
func (c *call) findRole(ref RoleRef) *Role {
	if ref.ID != 0 {
		return c.st.roles[ref.ID]
	}
	for _, r := range c.st.roles {
		if ref.Name != "" && r.Name == ref.Name {
			return r
		}
	}
	return nil
}

func createAdmin(c *call) (int, any) {
	var b adminBody
	if e := decode(c.body, &b); e != nil {
		return fail(e)
	}
	a := &Admin{ID: c.st.next.Admins, CreatedBy: c.p.username}
	if e := c.applyAdmin(a, b, true); e != nil {
		return fail(e)
	}
	pw, e := c.takePassword(a, b, true)
	if e != nil {
		return fail(e)
	}
	c.st.next.Admins++
	c.st.admins[a.ID] = a
	c.st.setPassword(a.ID, pw)
	c.st.changed()
	return answer(c.adminView(a))
}

func updateAdmin(c *call, replace bool) (int, any) {
	cur, found := c.st.admins[c.ids[0]]
	if !found {
		return fail(errUserNotFound(c.ids[0]))
	}
	var b adminBody
	if e := decode(c.body, &b); e != nil {
		return fail(e)
	}
	a := *cur
	a.Roles = slices.Clone(cur.Roles)
	if e := c.applyAdmin(&a, b, replace); e != nil {
		return fail(e)
	}
	pw, e := c.takePassword(&a, b, false)
	if e != nil {
		return fail(e)
	}
	*cur = a
	c.st.setPassword(a.ID, pw)
	c.st.changed()
	return answer(c.adminView(cur))
}

func patchAdmin(c *call) (int, any) { return updateAdmin(c, false) }

// putAdmin replaces the user: properties left out take their defaults
// (status "active"), as PUT on a token resets its status.
func putAdmin(c *call) (int, any) { return updateAdmin(c, true) }

func deleteAdmin(c *call) (int, any) {
	id := c.ids[0]
	if _, found := c.st.admins[id]; !found {
		return fail(errUserNotFound(id))
	}
	// A user's tokens go with it, as in LogicMonitor.
	for tid, t := range c.st.tokens {
		if t.AdminID == id {
			c.st.deleteToken(tid)
		}
	}
	delete(c.st.admins, id)
	delete(c.st.passwords, id)
	c.st.changed()
	return answer(struct{}{})
}
