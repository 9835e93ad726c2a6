package lm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// The retry policy's decisions (retry.go), each a pure function, then the
// policy end to end against the simulator.

// TestRetryable: method × outcome → retried or not, and the reason
// logged and tracked.
func TestRetryable(t *testing.T) {
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	proxyErr := &net.OpError{Op: "proxyconnect", Net: "tcp", Err: errors.New("connection refused")}
	readErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	dnsErr := &net.DNSError{Err: "no such host", Name: "x"}
	timeout := fmt.Errorf("no answer within 1m0s: %w", context.DeadlineExceeded)
	tlsErr := &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	hostErr := x509.HostnameError{Certificate: &x509.Certificate{}, Host: "acme.logicmonitor.com"}
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	tests := []struct {
		method string
		resp   *http.Response
		err    error
		want   bool
		reason string // the start of the reason, when retried
	}{
		{"GET", resp(429), nil, true, "rate limited (429)"},
		{"GET", resp(500), nil, true, "server error 500"},
		{"GET", resp(502), nil, true, "server error 502"},
		{"PUT", resp(503), nil, true, "server error 503"},
		{"DELETE", resp(504), nil, true, "server error 504"},
		{"PATCH", resp(503), nil, true, "server error 503"},
		{"GET", resp(501), nil, false, ""},
		{"GET", resp(404), nil, false, ""},
		{"DELETE", resp(404), nil, false, ""},
		{"GET", resp(401), nil, false, ""},
		{"GET", resp(302), nil, false, ""},
		{"GET", resp(200), nil, false, ""},
		{"GET", nil, readErr, true, "connection error: read tcp"},
		{"PATCH", nil, timeout, true, "connection error: no answer within 1m0s"},
		{"GET", nil, dialErr, true, "connection failed: dial tcp"},
		{"GET", nil, dnsErr, true, "connection failed: lookup x"},
		{"GET", nil, tlsErr, false, ""},
		{"GET", nil, hostErr, false, ""},
		{"POST", resp(429), nil, true, "rate limited (429)"},
		{"POST", resp(500), nil, false, ""},
		{"POST", resp(503), nil, false, ""},
		{"POST", nil, readErr, false, ""},
		{"POST", nil, timeout, false, ""},
		{"POST", nil, dialErr, true, "connection failed: dial tcp"},
		{"POST", nil, proxyErr, true, "connection failed: proxyconnect tcp"},
		{"POST", nil, dnsErr, true, "connection failed: lookup x"},
		{"POST", nil, tlsErr, false, ""},
	}
	for _, tc := range tests {
		reason, got := retryable(tc.method, tc.resp, tc.err)
		code := 0
		if tc.resp != nil {
			code = tc.resp.StatusCode
		}
		if got != tc.want || !strings.HasPrefix(reason, tc.reason) || (!got && reason != "") {
			t.Errorf("retryable(%s, %d, %v) = %q, %v; want %q…, %v", tc.method, code, tc.err, reason, got, tc.reason, tc.want)
		}
	}
}

// TestMayHaveActed: an attempt that was sent and whose answer was lost or
// a 5xx may have been carried out; a refused connection, a definite
// answer, or a wait cancelled before sending may not.
func TestMayHaveActed(t *testing.T) {
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	readErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	tests := []struct {
		name string
		sent bool
		resp *http.Response
		err  error
		want bool
	}{
		{"answer lost", true, nil, readErr, true},
		{"cancelled while awaiting the answer", true, nil, context.Canceled, true},
		{"502", true, resp(502), nil, true},
		{"500", true, resp(500), nil, true},
		{"never connected", true, nil, dialErr, false},
		{"429", true, resp(429), nil, false},
		{"400", true, resp(400), nil, false},
		{"200", true, resp(200), nil, false},
		{"cancelled in the pacer's wait", false, nil, context.Canceled, false},
	}
	for _, tc := range tests {
		if got := mayHaveActed(tc.sent, tc.resp, tc.err); got != tc.want {
			t.Errorf("%s: mayHaveActed = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRetryBudget: after a retryable failure, max_retries, the deadline
// and the connect timeout of a host that never answered decide whether
// another attempt follows, and after what wait.
func TestRetryBudget(t *testing.T) {
	const wait = 2 * time.Second
	long := time.Hour
	tests := []struct {
		name     string
		b        budget
		wantWait time.Duration
		wantStop stopKind
	}{
		{"no cap, time left", budget{attempt: 40, maxRetries: -1, left: long}, wait, keepGoing},
		{"under the cap", budget{attempt: 2, maxRetries: 2, left: long}, wait, keepGoing},
		{"cap reached", budget{attempt: 3, maxRetries: 2, left: long}, 0, stopMaxRetries},
		{"no retries", budget{attempt: 1, maxRetries: 0, left: long}, 0, stopMaxRetries},
		{"the cap before the deadline", budget{attempt: 3, maxRetries: 2, left: 0}, 0, stopMaxRetries},
		{"the wait would end at the deadline", budget{attempt: 1, maxRetries: -1, left: wait}, 0, stopDeadline},
		{"the wait ends before the deadline", budget{attempt: 1, maxRetries: -1, left: wait + time.Millisecond}, wait, keepGoing},
		{"the context has ended", budget{attempt: 1, maxRetries: -1, left: 0}, 0, stopDeadline},
		{"the deadline before the connect timeout", budget{attempt: 1, maxRetries: -1, left: time.Second, unanswered: true, connectLeft: long}, 0, stopDeadline},
		{"unanswered, plenty of connect timeout", budget{attempt: 1, maxRetries: -1, left: long, unanswered: true, connectLeft: time.Minute}, wait, keepGoing},
		{"unanswered, the last wait ends with the connect timeout", budget{attempt: 5, maxRetries: -1, left: long, unanswered: true, connectLeft: 300 * time.Millisecond}, 300 * time.Millisecond, keepGoing},
		{"unanswered, the connect timeout is spent", budget{attempt: 6, maxRetries: -1, left: long, unanswered: true, connectLeft: 0}, 0, stopUnanswered},
		{"unanswered, spent long ago", budget{attempt: 1, maxRetries: -1, left: long, unanswered: true, connectLeft: -time.Hour}, 0, stopUnanswered},
		{"an answer: no connect timeout", budget{attempt: 1, maxRetries: -1, left: long, connectLeft: -time.Hour}, wait, keepGoing},
	}
	for _, tc := range tests {
		gotWait, gotStop := tc.b.next(wait)
		if gotWait != tc.wantWait || gotStop != tc.wantStop {
			t.Errorf("%s: next = %s, %d; want %s, %d", tc.name, gotWait, gotStop, tc.wantWait, tc.wantStop)
		}
	}

	c, err := New(Config{BaseURL: "https://acme.logicmonitor.com/santaba/rest", BearerToken: testBearer, MaxRetries: 3, ConnectTimeout: 45 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[stopKind]string{
		stopMaxRetries: "max_retries is 3",
		stopDeadline:   "the operation's timeout leaves no time for another",
		stopUnanswered: "acme.logicmonitor.com:443 has not answered once, and the connect timeout is 45s",
	} {
		if got := c.stopReason(s); got != want {
			t.Errorf("stopReason(%d) = %q, want %q", s, got, want)
		}
	}
}

func TestRetryOn429HonoursWindow(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.N == 1 {
			w.Header().Set(headerLimit, "5")
			w.Header().Set(headerRemaining, "0")
			w.Header().Set(headerWindow, "0.2")
			writeLMError(w, http.StatusTooManyRequests, "Too many requests")
			return true
		}
		return false
	})
	log := &captureLogger{}
	c := f.client(t, func(cfg *Config) { cfg.Logger = log })
	start := time.Now()
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatalf("GetAdmin: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 200*time.Millisecond {
		t.Errorf("retried after %s, before the 200ms window rolled", gap)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	st := c.Stats()
	if st.RateLimited != 1 || st.Retries != 1 || st.Requests["GET"] != 2 {
		t.Errorf("stats = %+v", st)
	}
	if !containsLine(log.all(), "WARN retrying", "rate limited (429)") {
		t.Errorf("no retry warning in %q", log.all())
	}
}

func TestRetriesExhausted(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		maxRetries int
		wantSent   int
	}{
		{"GET 3 retries", http.MethodGet, 3, 4},
		{"DELETE 2 retries", http.MethodDelete, 2, 3},
		{"PATCH 1 retry", http.MethodPatch, 1, 2},
		{"no retries", http.MethodGet, -1, 1},
		{"POST is not retried on 503", http.MethodPost, 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			f.failAlways(http.StatusServiceUnavailable, "Service Unavailable")
			c := f.client(t, func(cfg *Config) { cfg.MaxRetries = tc.maxRetries })
			err := c.do(context.Background(), &call{method: tc.method, path: "/setting/admins/7/apitokens/9", in: map[string]string{}})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if got := f.countRequests(tc.method, ""); got != tc.wantSent {
				t.Errorf("server saw %d requests, want %d", got, tc.wantSent)
			}
			if e.StatusCode != 503 || e.ErrorCode != 1503 || e.Attempts != tc.wantSent {
				t.Errorf("error = %+v", e)
			}
			if tc.wantSent > 1 && !regexp.MustCompile(`gave up after `+strconv.Itoa(tc.wantSent)+` attempts over [0-9.]+ m?s: max_retries is `+strconv.Itoa(tc.maxRetries)).MatchString(err.Error()) {
				t.Errorf("error %q does not say how many attempts", err)
			}
		})
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	f := newSim(t)
	f.failAlways(http.StatusServiceUnavailable, "busy")
	c := f.client(t, func(cfg *Config) { cfg.RetryWaitMin, cfg.RetryWaitMax = 10*time.Second, 20*time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetAdmin(ctx, 7)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned after %s", d)
	}
	if !strings.Contains(err.Error(), "GET /setting/admins/7") {
		t.Errorf("err = %q lacks the request", err)
	}
}

func TestCancelDuringRateLimitWait(t *testing.T) {
	f := newSim(t)
	f.limit(http.MethodGet, 1, 30*time.Second)
	c := f.client(t, nil)
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetAdmin(ctx, 7)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("err = %v after %s", err, time.Since(start))
	}
	if f.too429() != 0 || len(f.requests()) != 1 {
		t.Errorf("the paced request was sent anyway: %d requests, %d 429s", len(f.requests()), f.too429())
	}
}

func TestGETRetriedAfterConnectionReset(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.N == 1 {
			lmsim.Abort(w)
			return true
		}
		return false
	})
	c := f.client(t, nil)
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatalf("GetAdmin: %v", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	f := newSim(t)
	f.setHook(func(_ http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.N == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return true
		}
		return false
	})
	c := f.client(t, func(cfg *Config) { cfg.RequestTimeout = 100 * time.Millisecond })
	start := time.Now()
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatalf("GetAdmin: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s", d)
	}
}

// A refused connection proves the server never saw the request, so even a
// POST may be retried.
func TestPOSTRetriedOnConnectionRefused(t *testing.T) {
	f := newSim(t)
	deadAddr := closedPort(t)

	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		if dials.Add(1) <= 2 {
			return d.DialContext(ctx, network, deadAddr)
		}
		return d.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c := f.client(t, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
	tok, err := c.CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "n", Enabled: true})
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if tok.AccessKey == "" {
		t.Error("no access key")
	}
	st := c.Stats()
	if st.Retries != 2 || st.Orphans != 0 {
		t.Errorf("stats = %+v", st)
	}
	if got := f.countRequests(http.MethodGet, ""); got != 0 {
		t.Errorf("%d cleanup lists after a refused connection, want none", got)
	}
}

func TestBackoffBounds(t *testing.T) {
	c := &Client{waitMin: 10 * time.Millisecond, waitMax: 80 * time.Millisecond}
	for attempt := 1; attempt <= 40; attempt++ {
		ceil := min(c.waitMin<<min(attempt-1, 20), c.waitMax)
		for range 50 {
			d := c.backoff(attempt)
			if d < c.waitMin || d > ceil {
				t.Fatalf("backoff(%d) = %s, outside [%s, %s]", attempt, d, c.waitMin, ceil)
			}
		}
	}
}

// TestRetriesOutlastAFixedCount: by default a request is retried for as
// long as its failures last, not a fixed number of times.
func TestRetriesOutlastAFixedCount(t *testing.T) {
	const failures = 12 // more than the old default of 5 retries
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.N <= failures {
			writeLMError(w, http.StatusServiceUnavailable, "busy")
			return true
		}
		return false
	})
	c := f.client(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.GetAdmin(ctx, 7); err != nil {
		t.Fatalf("GetAdmin after %d failures: %v", failures, err)
	}
	if got := f.countRequests(http.MethodGet, ""); got != failures+1 {
		t.Errorf("server saw %d requests, want %d", got, failures+1)
	}
	if st := c.Stats(); st.Retries != failures {
		t.Errorf("Retries = %d, want %d", st.Retries, failures)
	}
}

// TestRetriesEndBeforeTheDeadline: a fault that never clears is retried
// until the operation's deadline, and the call then returns the last
// failure (not a bare "context deadline exceeded"), without waiting past
// the deadline.
func TestRetriesEndBeforeTheDeadline(t *testing.T) {
	f := newSim(t)
	f.failAlways(http.StatusBadGateway, "bad gateway")
	c := f.client(t, func(cfg *Config) { cfg.RetryWaitMin, cfg.RetryWaitMax = 20*time.Millisecond, 40*time.Millisecond })
	const timeout = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	_, err := c.GetAdmin(ctx, 7)
	elapsed := time.Since(start)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadGateway {
		t.Fatalf("err = %v, want the last 502 as *Error", err)
	}
	if elapsed > timeout+300*time.Millisecond {
		t.Errorf("returned after %s, well past the %s deadline", elapsed, timeout)
	}
	if e.Attempts < 8 {
		t.Errorf("%d attempts in %s; want retries to fill the time (waits are 20-40ms)", e.Attempts, elapsed)
	}
	if !regexp.MustCompile(`attempts over [0-9.]+ m?s: the operation's timeout`).MatchString(err.Error()) {
		t.Errorf("error %q does not say why retrying stopped", err)
	}
}

// TestCallTimeoutBoundsCallsWithoutDeadline: a call whose context has no
// deadline (a data source's) still ends, after Config.CallTimeout.
func TestCallTimeoutBoundsCallsWithoutDeadline(t *testing.T) {
	f := newSim(t)
	f.failAlways(http.StatusServiceUnavailable, "busy")
	c := f.client(t, func(cfg *Config) { cfg.CallTimeout = 300 * time.Millisecond })
	start := time.Now()
	_, err := c.GetAdmin(context.Background(), 7)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %s with a 300ms call timeout", d)
	}
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusServiceUnavailable || e.Attempts < 2 {
		t.Errorf("err = %v, want the last 503 after several attempts", err)
	}
}

// TestCallTimeoutNamesTheLimit: when an attempt is still in flight at the
// call timeout, the error says which limit ended it.
func TestCallTimeoutNamesTheLimit(t *testing.T) {
	f := newSim(t)
	f.setHook(func(_ http.ResponseWriter, r *lmsim.Intercepted) bool {
		<-r.Context().Done()
		return true
	})
	c := f.client(t, func(cfg *Config) { cfg.CallTimeout = 100 * time.Millisecond })
	_, err := c.GetAdmin(context.Background(), 7)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no success within 100ms") {
		t.Errorf("err = %v, want DeadlineExceeded naming the 100ms limit", err)
	}
}

// TestMaxRetriesStillCaps: max_retries, when set, stops retrying before
// the deadline.
func TestMaxRetriesStillCaps(t *testing.T) {
	f := newSim(t)
	f.failAlways(http.StatusServiceUnavailable, "busy")
	c := f.client(t, func(cfg *Config) { cfg.MaxRetries = 2 })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.GetAdmin(ctx, 7)
	if got := f.countRequests(http.MethodGet, ""); got != 3 {
		t.Errorf("server saw %d requests, want 3", got)
	}
	if err == nil || !regexp.MustCompile(`gave up after 3 attempts over [0-9.]+ m?s: max_retries is 2`).MatchString(err.Error()) {
		t.Errorf("err = %v", err)
	}
}

// TestBackoffCappedExponentialWithJitter: waits stay between the floor and
// a ceiling that doubles per attempt up to RetryWaitMax, and vary.
func TestBackoffCappedExponentialWithJitter(t *testing.T) {
	c := &Client{waitMin: 100 * time.Millisecond, waitMax: 2 * time.Second}
	for attempt := 1; attempt <= 64; attempt++ {
		ceil := c.waitMax
		if attempt < 6 {
			ceil = min(c.waitMin<<(attempt-1), c.waitMax)
		}
		seen := map[time.Duration]bool{}
		for range 50 {
			d := c.backoff(attempt)
			if d < c.waitMin || d > ceil {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, d, c.waitMin, ceil)
			}
			seen[d] = true
		}
		if attempt > 1 && len(seen) < 5 {
			t.Errorf("attempt %d: only %d distinct waits in 50: no jitter", attempt, len(seen))
		}
	}
}

// TestDeleteNotFoundAfterAReachedAttempt: a DELETE whose earlier attempt
// may have deleted the object ends as success on the 404 that follows; a
// 404 is still an error when no earlier attempt can have acted.
func TestDeleteNotFoundAfterAReachedAttempt(t *testing.T) {
	tests := []struct {
		name     string
		exists   bool
		first    func(w http.ResponseWriter, r *lmsim.Intercepted)
		wantNil  bool
		wantSent int
	}{
		{"answer lost after the delete", true, func(w http.ResponseWriter, r *lmsim.Intercepted) {
			commit(r)
			lmsim.Abort(w)
		}, true, 2},
		{"5xx, then 404", false, func(w http.ResponseWriter, _ *lmsim.Intercepted) {
			writeLMError(w, http.StatusBadGateway, "bad gateway")
		}, true, 2},
		{"429, then 404", false, func(w http.ResponseWriter, _ *lmsim.Intercepted) {
			writeLMError(w, http.StatusTooManyRequests, "Too many requests")
		}, false, 2},
		{"404 at once", false, nil, false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			tokenID := int32(999)
			if tc.exists {
				tokenID = f.addToken(lmsim.Token{AdminID: 7, Note: "doomed"}).ID
			}
			f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
				if r.N == 1 && tc.first != nil {
					tc.first(w, r)
					return true
				}
				return false
			})
			c := f.client(t, nil)
			err := c.DeleteAPIToken(context.Background(), 7, tokenID)
			switch {
			case tc.wantNil && err != nil:
				t.Errorf("DeleteAPIToken = %v, want success", err)
			case !tc.wantNil && !IsNotFound(err):
				t.Errorf("DeleteAPIToken = %v, want a 404 error", err)
			}
			if got := f.countRequests(http.MethodDelete, ""); got != tc.wantSent {
				t.Errorf("server saw %d DELETEs, want %d", got, tc.wantSent)
			}
			if len(f.allTokens()) != 0 {
				t.Errorf("tokens left: %+v", f.allTokens())
			}
		})
	}
}
