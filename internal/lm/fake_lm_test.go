package lm

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/clock"
)

// Test credentials. The key and bearer token are long and distinctive so
// that a leak into any text is unmistakable.
const (
	testAccessID  = "48v2wRzfK94y53sq5EuF"
	testAccessKey = "H_D9i(f5~B^U36^K6i42=^nS~e75gy382Bf6{)P+"
	testBearer    = "lmb_SECRETbearerTOKENvalue0123456789"
)

// fakeLM is an in-memory LogicMonitor for the client's tests: it checks
// LMv1 signatures and bearer tokens, stores tokens, pages and filters lists,
// applies rolling-window rate limits, and lets a test inject faults through
// hook.
type fakeLM struct {
	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	tokens    []*APIToken
	admins    []Admin
	roles     []Role
	nextID    int32
	reqs      []seenReq
	limits    map[string]*rolling // by method
	served429 int

	// hook runs before authentication and routing; returning true means
	// it answered. n counts the requests seen so far, this one included.
	hook func(w http.ResponseWriter, r *http.Request, path string, body []byte, n int) bool
}

type seenReq struct {
	Method string
	Path   string // resource path
	Query  url.Values
	Header http.Header
	Body   string
	At     time.Time
}

type rolling struct {
	limit  int
	window time.Duration
	logs   map[string][]time.Time // by endpoint key
}

func newFakeLM(t testing.TB) *fakeLM {
	t.Helper()
	f := &fakeLM{t: t, nextID: 100, limits: map[string]*rolling{}}
	f.admins = []Admin{
		{ID: 7, Username: "ci-bot", Email: "ci@example.com", APIOnly: true, Roles: []RoleRef{{ID: 1, Name: "administrator"}}},
		{ID: 8, Username: `we"ird\name`, Email: "w@example.com"},
		{ID: 9, Username: "ci-bot2", Email: "ci2@example.com"},
	}
	f.roles = []Role{{ID: 1, Name: "administrator"}, {ID: 2, Name: "readonly"}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLM) url() string { return f.srv.URL + "/santaba/rest" }

// client returns a Client for f with fast retries; edit adjusts the config.
func (f *fakeLM) client(t testing.TB, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:      f.url(),
		AccessID:     testAccessID,
		AccessKey:    testAccessKey,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func (f *fakeLM) limit(method string, n int, window time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits[method] = &rolling{limit: n, window: window, logs: map[string][]time.Time{}}
}

func (f *fakeLM) setHook(h func(w http.ResponseWriter, r *http.Request, path string, body []byte, n int) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

// failAlways answers every request with status and msg.
func (f *fakeLM) failAlways(status int, msg string) {
	f.setHook(func(w http.ResponseWriter, _ *http.Request, _ string, _ []byte, _ int) bool {
		writeLMError(w, status, msg)
		return true
	})
}

func (f *fakeLM) requests() []seenReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fakeLM) countRequests(method, path string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Method == method && (path == "" || r.Path == path) {
			n++
		}
	}
	return n
}

func (f *fakeLM) too429() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served429
}

func (f *fakeLM) allTokens() []APIToken {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]APIToken, 0, len(f.tokens))
	for _, t := range f.tokens {
		out = append(out, *t)
	}
	return out
}

// addToken stores a token as if created earlier, e.g. by another run.
func (f *fakeLM) addToken(tok APIToken) APIToken {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.store(tok)
}

func (f *fakeLM) store(tok APIToken) *APIToken {
	f.nextID++
	tok.ID = f.nextID
	if tok.AccessID == "" {
		tok.AccessID = randomString(20)
	}
	if tok.AccessKey == "" {
		tok.AccessKey = randomString(40)
	}
	if tok.Status == 0 {
		tok.Status = StatusEnabled
	}
	if tok.Type == "" {
		tok.Type = TokenTypeLMv1
	}
	tok.CreatedOn = time.Now().Unix()
	p := &tok
	f.tokens = append(f.tokens, p)
	return p
}

// commitToken creates a token the way POST would, for hooks that commit
// and then fail.
func (f *fakeLM) commitToken(r *http.Request, path string, body []byte) APIToken {
	var in APIToken
	_ = json.Unmarshal(body, &in)
	admin, _ := strconv.Atoi(strings.Split(strings.Trim(path, "/"), "/")[2])
	typ := TokenTypeLMv1
	if r.URL.Query().Get("type") == TokenTypeBearer {
		typ = TokenTypeBearer
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.store(APIToken{AdminID: int32(admin), Note: in.Note, Status: in.Status, Type: typ})
}

func randomString(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (f *fakeLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/santaba/rest")
	f.mu.Lock()
	f.reqs = append(f.reqs, seenReq{Method: r.Method, Path: path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(body), At: time.Now()})
	n := len(f.reqs)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r, path, body, n) {
		return
	}
	if !authOK(r, path, body) {
		writeLMError(w, http.StatusUnauthorized, "Authentication failed")
		return
	}
	if f.rateLimited(w, r.Method, path) {
		return
	}
	f.route(w, r, path, body)
}

func authOK(r *http.Request, path string, body []byte) bool {
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
		return tok == testBearer
	}
	rest, ok := strings.CutPrefix(auth, "LMv1 ")
	if !ok {
		return false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 || parts[0] != testAccessID {
		return false
	}
	ms, err := strconv.ParseInt(parts[2], 10, 64)
	return err == nil && SignLMv1(testAccessID, testAccessKey, r.Method, path, body, ms) == auth
}

func (f *fakeLM) rateLimited(w http.ResponseWriter, method, path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.limits[method]
	if l == nil {
		return false
	}
	key := EndpointKey(method, path)
	now := time.Now()
	log := l.logs[key]
	for len(log) > 0 && !log[0].After(now.Add(-l.window)) {
		log = log[1:]
	}
	ok := len(log) < l.limit
	if ok {
		log = append(log, now)
	}
	l.logs[key] = log
	h := w.Header()
	h.Set(headerLimit, strconv.Itoa(l.limit))
	h.Set(headerRemaining, strconv.Itoa(l.limit-len(log)))
	h.Set(headerWindow, strconv.FormatFloat(l.window.Seconds(), 'f', -1, 64))
	if !ok {
		f.served429++
		writeLMError(w, http.StatusTooManyRequests, "Too Many Requests")
	}
	return !ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeLMError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, ErrorResponse{ErrorCode: int32(status + 1000), ErrorMessage: msg})
}

func (f *fakeLM) route(w http.ResponseWriter, r *http.Request, path string, body []byte) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	q := r.URL.Query()
	typ := TokenTypeLMv1
	if q.Get("type") == TokenTypeBearer {
		typ = TokenTypeBearer
	}
	id := func(i int) int32 {
		n, _ := strconv.Atoi(segs[i])
		return int32(n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case len(segs) == 3 && segs[1] == "admins" && segs[2] == "apitokens" && r.Method == http.MethodGet:
		f.listTokens(w, q, func(t *APIToken) bool { return t.Type == typ })
	case len(segs) == 4 && segs[1] == "admins" && segs[3] == "apitokens":
		admin := id(2)
		switch r.Method {
		case http.MethodGet:
			f.listTokens(w, q, func(t *APIToken) bool { return t.Type == typ && t.AdminID == admin })
		case http.MethodPost:
			var in APIToken
			if err := json.Unmarshal(body, &in); err != nil {
				writeLMError(w, http.StatusBadRequest, "bad body")
				return
			}
			writeJSON(w, http.StatusOK, f.store(APIToken{AdminID: admin, Note: in.Note, Status: in.Status, Type: typ}))
		default:
			writeLMError(w, http.StatusMethodNotAllowed, "method not allowed")
		}
	case len(segs) == 5 && segs[1] == "admins" && segs[3] == "apitokens":
		admin, tid := id(2), id(4)
		i := slices.IndexFunc(f.tokens, func(t *APIToken) bool { return t.ID == tid && t.AdminID == admin })
		if i < 0 {
			writeLMError(w, http.StatusNotFound, fmt.Sprintf("API token %d of user %d is not found", tid, admin))
			return
		}
		switch r.Method {
		case http.MethodPatch:
			var p map[string]json.RawMessage
			if err := json.Unmarshal(body, &p); err != nil {
				writeLMError(w, http.StatusBadRequest, "bad body")
				return
			}
			if v, ok := p["note"]; ok {
				_ = json.Unmarshal(v, &f.tokens[i].Note)
			}
			if v, ok := p["status"]; ok {
				_ = json.Unmarshal(v, &f.tokens[i].Status)
			}
			out := *f.tokens[i]
			out.AccessKey = ""
			writeJSON(w, http.StatusOK, out)
		case http.MethodDelete:
			f.tokens = slices.Delete(f.tokens, i, i+1)
			writeJSON(w, http.StatusOK, struct{}{})
		default:
			writeLMError(w, http.StatusMethodNotAllowed, "method not allowed")
		}
	case len(segs) == 3 && segs[1] == "admins" && r.Method == http.MethodGet:
		aid := id(2)
		i := slices.IndexFunc(f.admins, func(a Admin) bool { return a.ID == aid })
		if i < 0 {
			writeLMError(w, http.StatusNotFound, fmt.Sprintf("User %d is not found", aid))
			return
		}
		writeJSON(w, http.StatusOK, f.admins[i])
	case len(segs) == 2 && segs[1] == "admins" && r.Method == http.MethodGet:
		field, want := parseFilter(q.Get("filter"))
		var items []Admin
		for _, a := range f.admins {
			if field == "" || (field == "username" && a.Username == want) {
				items = append(items, a)
			}
		}
		writePage(w, q, items)
	case len(segs) == 2 && segs[1] == "roles" && r.Method == http.MethodGet:
		writePage(w, q, f.roles)
	default:
		writeLMError(w, http.StatusNotFound, "no such endpoint "+path)
	}
}

func (f *fakeLM) listTokens(w http.ResponseWriter, q url.Values, keep func(*APIToken) bool) {
	field, want := parseFilter(q.Get("filter"))
	var items []APIToken
	for _, t := range f.tokens {
		if !keep(t) {
			continue
		}
		switch field {
		case "":
		case "note":
			if t.Note != want {
				continue
			}
		case "id":
			if strconv.Itoa(int(t.ID)) != want {
				continue
			}
		default:
			continue
		}
		item := *t
		item.AccessKey = "" // shown once, at creation
		items = append(items, item)
	}
	writePage(w, q, items)
}

func writePage[T any](w http.ResponseWriter, q url.Values, items []T) {
	size, err := strconv.Atoi(q.Get("size"))
	if err != nil || size <= 0 {
		size = 50
	}
	size = min(size, 1000)
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = min(max(offset, 0), len(items))
	end := min(offset+size, len(items))
	page := Page[T]{Total: int32(len(items)), Items: items[offset:end]}
	if page.Items == nil {
		page.Items = []T{}
	}
	writeJSON(w, http.StatusOK, page)
}

// parseFilter reads the single condition `field:value` or `field:"value"`.
func parseFilter(s string) (field, value string) {
	field, value, ok := strings.Cut(s, ":")
	if !ok {
		return "", ""
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		var b strings.Builder
		inner := value[1 : len(value)-1]
		for i := 0; i < len(inner); i++ {
			if inner[i] == '\\' && i+1 < len(inner) {
				i++
			}
			b.WriteByte(inner[i])
		}
		value = b.String()
	}
	return field, value
}

// hijackClose drops the connection without an answer, after the request
// was read: the client cannot know whether the server acted.
func hijackClose(t testing.TB, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Errorf("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

// captureLogger keeps every line so tests can assert on them.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}

func (l *captureLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *captureLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *captureLogger) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// tickingClock advances by step on every reading, so that each signature
// gets a distinct timestamp.
type tickingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

var _ clock.Clock = (*tickingClock)(nil)
