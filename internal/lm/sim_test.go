package lm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/clock"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// Test credentials: user 131's tokens in testFixture. The key and bearer
// token are long and distinctive so that a leak into any text is
// unmistakable.
const (
	testAccessID  = lmsim.SeedAccessID  // token 146
	testAccessKey = lmsim.SeedAccessKey // "H_D9i(f5~B^U36^K6i42=^nS~e75gy382Bf6{)P+"
	testBearer    = "lmb_SECRETbearerTOKENvalue0123456789"

	credAdminID     int32 = 131 // the user the client authenticates as
	credTokenID     int32 = 146 // its LMv1 token
	credBearerToken int32 = 147 // its bearer token
)

// testFixture is the account the client's tests run against: the
// credentials' user 131 (an administrator), and users 1 to 10 to own the
// tokens the tests make, among them 7 "ci-bot" (API-only, an
// administrator), 8 with quotes and a backslash in its name, and 9
// "ci-bot2".
func testFixture() *lmsim.Fixture {
	admin := []lmsim.RoleRef{{ID: 1}}
	fx := &lmsim.Fixture{
		Roles: []lmsim.Role{{ID: 1, Name: "administrator"}, {ID: 2, Name: "readonly"}},
		Admins: []lmsim.Admin{
			{ID: credAdminID, Username: "jdoe", Email: "jdoe@example.com", Roles: admin},
		},
		APITokens: []lmsim.Token{
			{ID: credTokenID, AdminID: credAdminID, AccessID: testAccessID, AccessKey: testAccessKey, Note: "the tests' LMv1 credential"},
			{ID: credBearerToken, AdminID: credAdminID, Type: lmsim.TokenTypeBearer, AccessID: "testBearerAccessID01", AccessKey: testBearer, Note: "the tests' bearer credential"},
		},
	}
	for id := int32(1); id <= 10; id++ {
		a := lmsim.Admin{ID: id, Username: fmt.Sprintf("user-%d", id), Email: fmt.Sprintf("user-%d@example.com", id), Roles: []lmsim.RoleRef{{ID: 2}}}
		switch id {
		case 7:
			a.Username, a.Email, a.APIOnly, a.Roles = "ci-bot", "ci@example.com", true, admin
		case 8:
			a.Username, a.Email = `we"ird\name`, "w@example.com"
		case 9:
			a.Username, a.Email = "ci-bot2", "ci2@example.com"
		}
		fx.Admins = append(fx.Admins, a)
	}
	return fx
}

// testSim is the simulator (internal/lmsim) behind an httptest server, as
// the client's tests use it: LogicMonitor's authentication, rate limits,
// paging, filters and objects are the simulator's. It records every
// request (headers and body included) for the tests to inspect, and a
// test scripts the answers no faithful simulator gives at that moment
// through setHook (an lmsim.Intercept).
type testSim struct {
	t   testing.TB
	srv *httptest.Server
	sim *lmsim.Server

	mu     sync.Mutex
	reqs   []seenReq
	hook   lmsim.Intercept
	limits map[string]lmsim.Limit
}

type seenReq struct {
	Method string
	Path   string // resource path
	Query  url.Values
	Header http.Header
	Body   string
	At     time.Time
}

// newSim starts the simulator with testFixture; edit adjusts its options.
func newSim(t testing.TB, edit ...func(*lmsim.Options)) *testSim {
	t.Helper()
	f := &testSim{t: t, limits: map[string]lmsim.Limit{}}
	opts := lmsim.Options{Fixture: testFixture()}
	for _, e := range edit {
		e(&opts)
	}
	opts.Intercept = f.intercept
	sim, err := lmsim.New(opts)
	if err != nil {
		t.Fatalf("lmsim.New: %v", err)
	}
	f.sim = sim
	f.srv = httptest.NewServer(sim)
	t.Cleanup(f.srv.Close)
	return f
}

// simClock starts the simulator's clock at start, for clients whose LMv1
// timestamps come from a test clock: the simulator accepts them only
// within 30 minutes of its own.
func simClock(start time.Time) func(*lmsim.Options) {
	return func(o *lmsim.Options) {
		began := time.Now()
		o.Clock = func() time.Time { return start.Add(time.Since(began)) }
	}
}

func (f *testSim) intercept(w http.ResponseWriter, r *lmsim.Intercepted) bool {
	f.mu.Lock()
	f.reqs = append(f.reqs, seenReq{Method: r.Method, Path: r.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(r.Body), At: time.Now()})
	hook := f.hook
	f.mu.Unlock()
	return hook != nil && hook(w, r)
}

func (f *testSim) url() string { return f.srv.URL + lmsim.BasePath }

// client returns a Client for f with fast retries; edit adjusts the config.
func (f *testSim) client(t testing.TB, edit func(*Config)) *Client {
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

// limit sets method's rate limit (the others keep LogicMonitor's
// defaults) and forgets the requests counted so far.
func (f *testSim) limit(method string, n int, window time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits[method] = lmsim.Limit{Requests: n, Window: window}
	f.sim.SetRateLimits(lmsim.RateLimits{PerMethod: f.limits})
}

// setHook scripts answers: h sees every request first and answers it
// (true) or lets the simulator answer (false).
func (f *testSim) setHook(h lmsim.Intercept) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

// failAlways answers every request with status and msg, as LogicMonitor
// words an error.
func (f *testSim) failAlways(status int, msg string) {
	f.setHook(func(w http.ResponseWriter, _ *lmsim.Intercepted) bool {
		writeLMError(w, status, msg)
		return true
	})
}

func (f *testSim) requests() []seenReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *testSim) countRequests(method, path string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Method == method && (path == "" || r.Path == path) {
			n++
		}
	}
	return n
}

// too429 counts the 429s the simulator answered.
func (f *testSim) too429() int { return f.sim.Stats().RateLimited }

// allTokens returns the tokens in the simulator but the client's own
// credentials: those the tests made or added.
func (f *testSim) allTokens() []lmsim.Token {
	var out []lmsim.Token
	for _, tok := range f.sim.Tokens() {
		if tok.ID != credTokenID && tok.ID != credBearerToken {
			out = append(out, tok)
		}
	}
	return out
}

// addToken stores a token as if created earlier, e.g. by another run.
func (f *testSim) addToken(tok lmsim.Token) lmsim.Token {
	f.t.Helper()
	added, err := f.sim.AddToken(tok)
	if err != nil {
		f.t.Fatalf("AddToken: %v", err)
	}
	return added
}

// commit lets the simulator carry out r and throws its answer away, for
// hooks that then lose or replace the answer.
func commit(r *lmsim.Intercepted) { r.Serve(httptest.NewRecorder()) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeLMError answers LogicMonitor's error object (errorCode = status + 1000).
func writeLMError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, ErrorResponse{ErrorCode: int32(status + 1000), ErrorMessage: msg})
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

func containsLine(lines []string, parts ...string) bool {
	for _, l := range lines {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return true
		}
	}
	return false
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
