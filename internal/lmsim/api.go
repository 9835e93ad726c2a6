package lmsim

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// call is one routed API call. Handlers run with the store locked.
type call struct {
	st    *store
	p     principal
	query url.Values
	body  []byte
	ids   []int32
	now   time.Time
}

type handler func(c *call) (int, any)

type route struct {
	// pattern segments; "#" matches an all-digit id.
	pattern []string
	methods map[string]handler
}

var routes = []route{
	{[]string{"setting", "admins"}, map[string]handler{
		http.MethodGet: listAdmins, http.MethodPost: createAdmin}},
	{[]string{"setting", "admins", "apitokens"}, map[string]handler{
		http.MethodGet: listAllTokens}},
	{[]string{"setting", "admins", "#"}, map[string]handler{
		http.MethodGet: getAdmin, http.MethodPatch: patchAdmin, http.MethodPut: putAdmin, http.MethodDelete: deleteAdmin}},
	{[]string{"setting", "admins", "#", "apitokens"}, map[string]handler{
		http.MethodGet: listAdminTokens, http.MethodPost: createToken}},
	{[]string{"setting", "admins", "#", "apitokens", "#"}, map[string]handler{
		http.MethodPatch: patchToken, http.MethodPut: putToken, http.MethodDelete: deleteToken}},
	{[]string{"setting", "roles"}, map[string]handler{
		http.MethodGet: listRoles, http.MethodPost: createRole}},
	{[]string{"setting", "roles", "#"}, map[string]handler{
		http.MethodGet: getRole, http.MethodPatch: patchRole, http.MethodPut: putRole, http.MethodDelete: deleteRole}},
}

func matchRoute(resourcePath string) (*route, []int32) {
	segs := strings.Split(strings.Trim(resourcePath, "/"), "/")
next:
	for i := range routes {
		rt := &routes[i]
		if len(rt.pattern) != len(segs) {
			continue
		}
		var ids []int32
		for j, want := range rt.pattern {
			if want != "#" {
				if segs[j] != want {
					continue next
				}
				continue
			}
			n, err := strconv.ParseInt(segs[j], 10, 32)
			if err != nil || n < 0 || strings.Trim(segs[j], "0123456789") != "" {
				continue next
			}
			ids = append(ids, int32(n)) //nolint:gosec // G115: ParseInt bounded n to 32 bits
		}
		return rt, ids
	}
	return nil, nil
}

// route finds and runs the handler, then saves the state if it changed.
func (s *Server) route(w http.ResponseWriter, r *http.Request, resourcePath string, body []byte, p principal) (int, any) {
	rt, ids := matchRoute(resourcePath)
	if rt == nil {
		return http.StatusNotFound, errorf(http.StatusNotFound, "No such API: %s %s", r.Method, resourcePath)
	}
	h, ok := rt.methods[r.Method]
	if !ok {
		allowed := make([]string, 0, len(rt.methods))
		for m := range rt.methods {
			allowed = append(allowed, m)
		}
		slices.Sort(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		return http.StatusMethodNotAllowed, errorf(http.StatusMethodNotAllowed, "Method %s is not supported on %s (allowed: %s)", r.Method, endpointTemplate(resourcePath), strings.Join(allowed, ", "))
	}
	if r.Method != http.MethodGet && !p.admin {
		return http.StatusForbidden, errorf(http.StatusForbidden, "Permission denied: user <%s> may only read (the %q role is required to change settings)", p.username, AdministratorRole)
	}

	// r.URL.Query() drops a pair it cannot decode (a bare "%", a ";"), so
	// a malformed filter would list everything. UNCONFIRMED what
	// LogicMonitor answers; a 400 is what a client needs to see.
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return http.StatusBadRequest, errorf(http.StatusBadRequest, "query %q cannot be read (%v): percent-encode %%, ; and & in values", r.URL.RawQuery, err)
	}

	st := s.store
	st.mu.Lock()
	seq := st.seq
	c := &call{st: st, p: p, query: query, body: body, ids: ids, now: s.clock()}
	status, payload := h(c)
	var state []byte
	if st.seq != seq && s.persist != nil {
		state = marshalState(st.snapshot())
		st.dirty = false
	}
	newSeq := st.seq
	st.mu.Unlock()
	if state != nil {
		if err := s.persist.write(newSeq, state); err != nil {
			// The change is made; a simulator that cannot save it should
			// say so loudly rather than pretend.
			return http.StatusInternalServerError, errorf(http.StatusInternalServerError, "saving state: %v", err)
		}
	}
	return status, payload
}

func answer(v any) (int, any) { return http.StatusOK, v }

func fail(e *apiError) (int, any) { return e.status, e }

// decode reads a JSON object body. Unknown and read-only properties are
// ignored, as LogicMonitor ignores what the SDKs send back from a GET.
func decode(body []byte, v any) *apiError {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return errorf(http.StatusBadRequest, "The request body is empty; send a JSON object, at least {}")
	}
	if trimmed[0] != '{' {
		return errorf(http.StatusBadRequest, "Malformed JSON: the request body must be a JSON object")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return errorf(http.StatusBadRequest, "Malformed JSON: %v", err)
	}
	return nil
}

// ---- users ----

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
}

func (c *call) adminView(a *Admin) adminView {
	v := adminView{
		ID: a.ID, Username: a.Username, Email: a.Email, FirstName: a.FirstName, LastName: a.LastName,
		Note: a.Note, APIOnly: a.APIOnly, Status: a.Status, CreatedBy: a.CreatedBy, Roles: []roleView{},
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

// listOf answers a list call over one collection: the items in id order
// that keep (when given) and the query's filter accept, rendered by view and
// paged by size and offset.
func listOf[T any](c *call, items map[int32]*T, filterFields map[string]bool,
	field func(*T, string) string, keep func(*T) bool, view func(*T) any,
) (int, any) {
	lq, e := parseListQuery(c.query, filterFields)
	if e != nil {
		return fail(e)
	}
	var all []any
	for _, id := range sortedIDs(items) {
		it := items[id]
		if keep != nil && !keep(it) {
			continue
		}
		if matches(lq.conds, func(f string) string { return field(it, f) }) {
			all = append(all, view(it))
		}
	}
	return answer(paginate(all, lq))
}

func getAdmin(c *call) (int, any) {
	a, found := c.st.admins[c.ids[0]]
	if !found {
		return fail(errUserNotFound(c.ids[0]))
	}
	return answer(selectFields(c.adminView(a), parseFields(c.query.Get("fields"))))
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
}

// applyAdmin copies b onto a. With replace (POST, PUT) absent properties
// take their defaults and username, email and roles are required.
func (c *call) applyAdmin(a *Admin, b adminBody, replace bool) *apiError {
	if replace {
		if b.Username == nil || b.Email == nil || b.Roles == nil {
			return errorf(http.StatusBadRequest, "username, email and roles are required")
		}
		*a = Admin{ID: a.ID, CreatedBy: a.CreatedBy, Status: AdminActive}
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
	if b.FirstName != nil {
		a.FirstName = *b.FirstName
	}
	if b.LastName != nil {
		a.LastName = *b.LastName
	}
	if b.Note != nil {
		a.Note = *b.Note
	}
	if b.APIOnly != nil {
		a.APIOnly = *b.APIOnly
	}
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

// ---- API tokens ----

var tokenFilterFields = map[string]bool{"id": true, "accessId": true, "adminId": true, "note": true, "status": true}

func tokenField(t *Token, field string) string {
	switch field {
	case "id":
		return strconv.Itoa(int(t.ID))
	case "accessId":
		return t.AccessID
	case "adminId":
		return strconv.Itoa(int(t.AdminID))
	case "note":
		return t.Note
	case "status":
		return strconv.Itoa(int(t.Status))
	}
	return ""
}

// tokenView is the APIToken object as the API shows it. AccessKey is only
// set in the create answer: LogicMonitor shows the secret once.
type tokenView struct {
	ID         int32    `json:"id"`
	AccessID   string   `json:"accessId"`
	AccessKey  string   `json:"accessKey,omitempty"`
	AdminID    int32    `json:"adminId"`
	AdminName  string   `json:"adminName"`
	Roles      []string `json:"roles"`
	Note       string   `json:"note"`
	Status     int32    `json:"status"`
	CreatedOn  int64    `json:"createdOn"`
	LastUsedOn int64    `json:"lastUsedOn"`
	CreatedBy  string   `json:"createdBy"`
	// lastAuthIp is kept (Server.Tokens shows it) but not answered: the
	// Swagger contract has no such property, and answers must conform.
}

func (c *call) tokenView(t *Token) tokenView {
	v := tokenView{
		ID: t.ID, AccessID: t.AccessID, AdminID: t.AdminID, Note: t.Note, Status: t.Status,
		CreatedOn: t.CreatedOn, LastUsedOn: t.LastUsedOn, CreatedBy: t.CreatedBy,
		Roles: []string{},
	}
	if a, found := c.st.admins[t.AdminID]; found {
		v.AdminName = a.Username
		for _, ref := range c.st.roleRefs(a) {
			v.Roles = append(v.Roles, ref.Name)
		}
	}
	return v
}

// tokenType reads the `type` query: omitted means LMv1 tokens.
func (c *call) tokenType() (string, *apiError) {
	switch v := strings.ToLower(c.query.Get("type")); v {
	case "", TokenTypeLMv1:
		return TokenTypeLMv1, nil
	case TokenTypeBearer:
		return TokenTypeBearer, nil
	default:
		return "", errorf(http.StatusBadRequest, "type %q is not supported (omit it for LMv1 tokens, or use bearer)", v)
	}
}

func (c *call) listTokens(adminID int32) (int, any) {
	typ, e := c.tokenType()
	if e != nil {
		return fail(e)
	}
	keep := func(t *Token) bool { return t.Type == typ && (adminID == 0 || t.AdminID == adminID) }
	return listOf(c, c.st.tokens, tokenFilterFields, tokenField, keep, func(t *Token) any { return c.tokenView(t) })
}

func listAllTokens(c *call) (int, any) { return c.listTokens(0) }

func listAdminTokens(c *call) (int, any) {
	if _, found := c.st.admins[c.ids[0]]; !found {
		return fail(errUserNotFound(c.ids[0]))
	}
	return c.listTokens(c.ids[0])
}

// tokenBody is what a client may write: note and status; the rest of the
// APIToken object is read-only and ignored.
type tokenBody struct {
	Note   *string `json:"note"`
	Status *int32  `json:"status"`
}

func (b tokenBody) check() *apiError {
	if b.Status != nil && *b.Status != StatusEnabled && *b.Status != StatusDisabled {
		return errorf(http.StatusBadRequest, "status %d is invalid: 1 = disabled, 2 = enabled", *b.Status)
	}
	return nil
}

func createToken(c *call) (int, any) {
	adminID := c.ids[0]
	if _, found := c.st.admins[adminID]; !found {
		return fail(errUserNotFound(adminID))
	}
	typ, e := c.tokenType()
	if e != nil {
		return fail(e)
	}
	var b tokenBody
	if e := decode(c.body, &b); e != nil {
		return fail(e)
	}
	if e := b.check(); e != nil {
		return fail(e)
	}
	t := &Token{
		ID: c.st.next.APITokens, AdminID: adminID, Type: typ,
		Status: StatusEnabled, CreatedOn: c.now.Unix(), CreatedBy: c.p.username,
	}
	if b.Note != nil {
		t.Note = *b.Note
	}
	if b.Status != nil {
		t.Status = *b.Status
	}
	for t.AccessID == "" || c.st.accessIDTaken(t.AccessID) {
		t.AccessID = randomString(accessIDAlphabet, 20)
	}
	if typ == TokenTypeBearer {
		t.AccessKey = "lmb_" + randomString(accessIDAlphabet, 36)
	} else {
		t.AccessKey = randomString(accessKeyAlphabet, 40)
	}
	c.st.next.APITokens++
	c.st.addToken(t)
	c.st.changed()
	v := c.tokenView(t)
	v.AccessKey = t.AccessKey
	return answer(v)
}

// findToken resolves /setting/admins/{adminId}/apitokens/{apitokenId}: the
// token must belong to that user.
func (c *call) findToken() (*Token, *apiError) {
	adminID, tokenID := c.ids[0], c.ids[1]
	if _, found := c.st.admins[adminID]; !found {
		return nil, errUserNotFound(adminID)
	}
	t, found := c.st.tokens[tokenID]
	if !found || t.AdminID != adminID {
		return nil, errorf(http.StatusNotFound, "API token <%d> is not found for user <%d>", tokenID, adminID)
	}
	return t, nil
}

func updateToken(c *call, replace bool) (int, any) {
	t, e := c.findToken()
	if e != nil {
		return fail(e)
	}
	var b tokenBody
	if e := decode(c.body, &b); e != nil {
		return fail(e)
	}
	if e := b.check(); e != nil {
		return fail(e)
	}
	if replace {
		// PUT replaces the writable properties: an omitted status becomes
		// 2 (enabled), which is why clients should PATCH. UNCONFIRMED: that
		// an omitted note becomes empty.
		t.Note, t.Status = "", StatusEnabled
	}
	if b.Note != nil {
		t.Note = *b.Note
	}
	if b.Status != nil {
		t.Status = *b.Status
	}
	c.st.changed()
	return answer(c.tokenView(t))
}

func patchToken(c *call) (int, any) { return updateToken(c, false) }

func putToken(c *call) (int, any) { return updateToken(c, true) }

func deleteToken(c *call) (int, any) {
	t, e := c.findToken()
	if e != nil {
		return fail(e)
	}
	c.st.deleteToken(t.ID)
	c.st.changed()
	return answer(struct{}{})
}

// Alphabets of generated credentials. Access ids are alphanumeric, like
// LogicMonitor's. Keys mix in the symbols seen in LogicMonitor's keys,
// leaving out quotes, backslash and <>& so that they survive JSON, shells
// and HTML-escaping encoders unchanged.
const (
	accessIDAlphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	accessKeyAlphabet = accessIDAlphabet + "()[]{}~^=+-_!*"
)

// randomString draws n characters uniformly from alphabet with crypto/rand.
func randomString(alphabet string, n int) string {
	// Rejection sampling keeps the draw uniform: bytes at or above the
	// largest multiple of len(alphabet) are thrown away.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf) // never fails (crypto/rand panics instead)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// ---- roles ----

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
}

func (c *call) roleView(r *Role) roleView {
	v := roleView{
		ID: r.ID, Name: r.Name, Description: r.Description, Privileges: r.Privileges,
		TwoFARequired: r.TwoFARequired, RequireEULA: r.RequireEULA, RoleGroupID: r.RoleGroupID,
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
	return answer(selectFields(c.roleView(r), parseFields(c.query.Get("fields"))))
}

type roleBody struct {
	Name          *string          `json:"name"`
	Description   *string          `json:"description"`
	Privileges    *[]privilegeBody `json:"privileges"`
	TwoFARequired *bool            `json:"twoFARequired"`
	RequireEULA   *bool            `json:"requireEULA"`
	RoleGroupID   *int32           `json:"roleGroupId"`
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
	if b.Description != nil {
		r.Description = *b.Description
	}
	if b.Privileges != nil {
		ps, e := checkPrivileges(*b.Privileges)
		if e != nil {
			return e
		}
		r.Privileges = ps
	}
	if b.TwoFARequired != nil {
		r.TwoFARequired = *b.TwoFARequired
	}
	if b.RequireEULA != nil {
		r.RequireEULA = *b.RequireEULA
	}
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
