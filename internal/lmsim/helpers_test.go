package lmsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is an injectable clock that tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cred is how a test request authenticates: LMv1 when key is set, bearer
// when bearer is set, nothing otherwise.
type cred struct {
	id, key, bearer string
}

var (
	adminCred  = cred{id: DefaultAdminAccessID, key: DefaultAdminAccessKey}
	bearerCred = cred{bearer: DefaultAdminBearer}
	roCred     = cred{id: DefaultReadOnlyAccessID, key: DefaultReadOnlyAccessKey}
	seedCred   = cred{id: SeedAccessID, key: SeedAccessKey}
)

// testSign is the test's own LMv1 signer, written from LogicMonitor's
// documentation independently of the server's code.
func testSign(c cred, method, resourcePath, body string, ms int64) string {
	mac := hmac.New(sha256.New, []byte(c.key))
	fmt.Fprintf(mac, "%s%d%s%s", method, ms, body, resourcePath)
	hexDigest := fmt.Sprintf("%x", mac.Sum(nil))
	return fmt.Sprintf("LMv1 %s:%s:%d", c.id, base64.StdEncoding.EncodeToString([]byte(hexDigest)), ms)
}

// req describes one test request. path is the resource path (after
// /santaba/rest).
type req struct {
	method, path, query, body string
	cred                      cred
	// version is the X-Version header; "" means 3, "none" omits it.
	version string
	// at overrides the LMv1 timestamp; signBody and signPath override what
	// is signed, to test tampering.
	at       time.Time
	signBody *string
	signPath string
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// sim is a running simulator with what tests need to talk to it.
type sim struct {
	*Running
	clock  *testClock
	client *http.Client
}

func startSim(t testing.TB, opts Options) *sim {
	t.Helper()
	clk := newTestClock()
	if opts.Clock == nil {
		opts.Clock = clk.Now
	}
	r, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	s := &sim{Running: r, clock: clk, client: &http.Client{Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		// Idle client connections would hold up the server's Shutdown.
		s.client.CloseIdleConnections()
		if err := r.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func (s *sim) do(t testing.TB, rq req) resp {
	t.Helper()
	r, err := s.try(rq)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	checkConformance(t, rq, r)
	return r
}

func (s *sim) request(rq req) *http.Request {
	if rq.method == "" {
		rq.method = http.MethodGet
	}
	url := s.URL + rq.path
	if rq.query != "" {
		url += "?" + rq.query
	}
	hr, err := http.NewRequestWithContext(context.Background(), rq.method, url, strings.NewReader(rq.body))
	if err != nil {
		panic(err)
	}
	switch rq.version {
	case "":
		hr.Header.Set("X-Version", "3")
	case "none":
	default:
		hr.Header.Set("X-Version", rq.version)
	}
	if rq.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	switch {
	case rq.cred.key != "":
		at := rq.at
		if at.IsZero() {
			at = s.clock.Now()
		}
		body, path := rq.body, rq.path
		if rq.signBody != nil {
			body = *rq.signBody
		}
		if rq.signPath != "" {
			path = rq.signPath
		}
		hr.Header.Set("Authorization", testSign(rq.cred, rq.method, path, body, at.UnixMilli()))
	case rq.cred.bearer != "":
		hr.Header.Set("Authorization", "Bearer "+rq.cred.bearer)
	}
	return hr
}

func (s *sim) try(rq req) (resp, error) {
	hr := s.request(rq)
	res, err := s.client.Do(hr)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}, nil
}

// wantError checks an API v3 error answer.
func wantError(t testing.TB, r resp, status int, msgContains string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	m := r.json(t)
	if code, _ := m["errorCode"].(float64); int(code) != status+1000 {
		t.Errorf("errorCode = %v, want %d", m["errorCode"], status+1000)
	}
	if v, present := m["errorDetail"]; !present || v != nil {
		t.Errorf("errorDetail = %v (present %v), want null", v, present)
	}
	if msg, _ := m["errorMessage"].(string); !strings.Contains(msg, msgContains) {
		t.Errorf("errorMessage = %q, want it to contain %q", msg, msgContains)
	}
}

func wantStatus(t testing.TB, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
}

// items decodes a list answer.
func items(t testing.TB, r resp) (total int, list []map[string]any) {
	t.Helper()
	var p struct {
		Total    int              `json:"total"`
		SearchID *string          `json:"searchId"`
		Items    []map[string]any `json:"items"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("list answer: %v: %s", err, r.body)
	}
	if p.SearchID != nil {
		t.Errorf("searchId = %q, want null", *p.SearchID)
	}
	if p.Items == nil {
		t.Errorf("items is null or missing, want an array: %s", r.body)
	}
	return p.Total, p.Items
}

func ids(list []map[string]any) []int {
	out := make([]int, 0, len(list))
	for _, m := range list {
		id, _ := m["id"].(float64)
		out = append(out, int(id))
	}
	return out
}

func strptr(s string) *string { return &s }

// fixtureWith returns the default fixture plus extra admins and tokens.
func fixtureWith(admins []Admin, tokens []Token) *Fixture {
	f := DefaultFixture()
	f.Admins = append(f.Admins, admins...)
	f.APITokens = append(f.APITokens, tokens...)
	return f
}
