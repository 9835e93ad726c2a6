package lm

import (
	"context"
	"errors"
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

func TestRetryable(t *testing.T) {
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	readErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	tests := []struct {
		method string
		resp   *http.Response
		err    error
		want   bool
	}{
		{"GET", resp(429), nil, true},
		{"GET", resp(500), nil, true},
		{"GET", resp(502), nil, true},
		{"PUT", resp(503), nil, true},
		{"DELETE", resp(504), nil, true},
		{"GET", resp(501), nil, false},
		{"GET", resp(404), nil, false},
		{"GET", nil, readErr, true},
		{"GET", nil, dialErr, true},
		{"POST", resp(429), nil, true},
		{"POST", resp(500), nil, false},
		{"POST", resp(503), nil, false},
		{"POST", nil, readErr, false},
		{"POST", nil, dialErr, true},
		{"POST", nil, &net.DNSError{Err: "no such host", Name: "x"}, true},
	}
	for _, tc := range tests {
		if _, got := retryable(tc.method, tc.resp, tc.err); got != tc.want {
			code := 0
			if tc.resp != nil {
				code = tc.resp.StatusCode
			}
			t.Errorf("retryable(%s, %d, %v) = %v, want %v", tc.method, code, tc.err, got, tc.want)
		}
	}
}
