package lmsim

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
)

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

// tokenType reads the `type` query of token creates and lists, ignoring
// case. LMv1 tokens: type omitted, or "API Token", the Swagger's default,
// which LogicMonitor's Go SDK sends as type=API+Token (the query decoding
// turns + and %20 into the space), or the simulator's own name "lmv1".
// Bearer tokens: "bearer", as LogicMonitor's REST guide and SDKs send it.
func (c *call) tokenType() (string, *apiError) {
	v := c.query.Get("type")
	switch strings.ToLower(v) {
	case "", tokenTypeSwaggerDefault, TokenTypeLMv1:
		return TokenTypeLMv1, nil
	case TokenTypeBearer:
		return TokenTypeBearer, nil
	default:
		return "", errorf(http.StatusBadRequest, "type %q is not supported: omit it or send \"API Token\" for LMv1 tokens, or send \"bearer\" for bearer tokens", v)
	}
}

// tokenTypeSwaggerDefault is the Swagger's default `type`, lower-cased.
const tokenTypeSwaggerDefault = "api token"

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

// readTokenBody decodes the request body and checks its status.
func readTokenBody(body []byte) (tokenBody, *apiError) {
	var b tokenBody
	if e := decode(body, &b); e != nil {
		return b, e
	}
	if b.Status != nil && *b.Status != StatusEnabled && *b.Status != StatusDisabled {
		return b, errorf(http.StatusBadRequest, "status %d is invalid: 1 = disabled, 2 = enabled", *b.Status)
	}
	return b, nil
}

// apply copies the properties the body carries onto t.
func (b tokenBody) apply(t *Token) {
	setIf(&t.Note, b.Note)
	setIf(&t.Status, b.Status)
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
	b, e := readTokenBody(c.body)
	if e != nil {
		return fail(e)
	}
	t := &Token{
		AdminID: adminID, Type: typ,
		Status: StatusEnabled, CreatedOn: c.now.Unix(), CreatedBy: c.p.username,
	}
	b.apply(t)
	c.st.mintToken(t)
	v := c.tokenView(t)
	v.AccessKey = t.AccessKey
	return answer(v)
}

// mintToken gives t the next id and fresh credentials of its type, and
// stores it.
func (s *store) mintToken(t *Token) {
	t.ID = s.next.APITokens
	t.AccessID = ""
	for t.AccessID == "" || s.accessIDTaken(t.AccessID) {
		t.AccessID = randomString(accessIDAlphabet, 20)
	}
	if t.Type == TokenTypeBearer {
		t.AccessKey = "lmb_" + randomString(accessIDAlphabet, 36)
	} else {
		t.AccessKey = randomString(accessKeyAlphabet, 40)
	}
	s.next.APITokens++
	s.addToken(t)
	s.changed()
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
	b, e := readTokenBody(c.body)
	if e != nil {
		return fail(e)
	}
	if replace {
		// PUT replaces the writable properties: an omitted status becomes
		// 2 (enabled), which is why clients should PATCH. UNCONFIRMED: that
		// an omitted note becomes empty.
		t.Note, t.Status = "", StatusEnabled
	}
	b.apply(t)
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
