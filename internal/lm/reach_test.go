package lm

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// dialer is a base transport whose dials fail with fail(n) (n counts the
// dials from 1), or reach the simulator when fail returns nil.
func dialer(f *testSim, fail func(n int) error) (*http.Transport, *atomic.Int32) {
	var dials atomic.Int32
	addr := f.srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		if err := fail(int(dials.Add(1))); err != nil {
			return nil, err
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return tr, &dials
}

func noSuchHost(name string) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// TestHostNotFoundFailsAtOnce: a portal name that does not exist ends the
// call on its first attempt, with the host named and the client's hint,
// for reads and for creates alike.
func TestHostNotFoundFailsAtOnce(t *testing.T) {
	const host = "acmee.logicmonitor.com"
	for _, op := range []struct {
		name string
		call func(c *Client) error
	}{
		{"GET", func(c *Client) error { _, err := c.GetAdmin(context.Background(), 7); return err }},
		{"POST of a token", func(c *Client) error {
			_, err := c.CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "n"})
			return err
		}},
	} {
		t.Run(op.name, func(t *testing.T) {
			f := newSim(t)
			tr, dials := dialer(f, func(int) error { return noSuchHost(host) })
			c := f.client(t, func(cfg *Config) {
				cfg.BaseURL = "https://" + host + "/santaba/rest"
				cfg.HTTPClient = &http.Client{Transport: tr}
				cfg.RetryWaitMin, cfg.RetryWaitMax = time.Second, time.Second
				cfg.ReachHint = "The URL comes from company = \"acmee\"."
			})
			start := time.Now()
			err := op.call(c)
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("failed after %s, want at once", d)
			}
			if !IsHostNotFound(err) || IsUnreachable(err) {
				t.Fatalf("err = %v, want IsHostNotFound", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Attempts != 1 {
				t.Errorf("err = %#v, want one attempt", err)
			}
			for _, want := range []string{"the host " + host + " does not exist", `"no such host"`, `company = "acmee"`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			var dns *net.DNSError
			if !errors.As(err, &dns) {
				t.Errorf("err = %v does not unwrap to the *net.DNSError", err)
			}
			if n := dials.Load(); n != 1 {
				t.Errorf("%d dials, want 1", n)
			}
		})
	}
}

// TestHostNotFoundAfterAnAnswerIsRetried: once the host has answered, a
// "no such host" is a resolver's hiccup and retried as before.
func TestHostNotFoundAfterAnAnswerIsRetried(t *testing.T) {
	f := newSim(t)
	host := "127.0.0.1"
	tr, _ := dialer(f, func(n int) error {
		if n == 2 || n == 3 {
			return noSuchHost(host)
		}
		return nil
	})
	tr.DisableKeepAlives = true // every call dials
	c := f.client(t, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
	for i := range 2 {
		if _, err := c.GetAdmin(context.Background(), 7); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if st := c.Stats(); st.Retries != 2 {
		t.Errorf("Retries = %d, want 2", st.Retries)
	}
}

// TestUnansweredHostGetsTheConnectTimeout: a host that refuses every
// connection is retried for the connect timeout, then the call fails with
// the last real error, the attempts and the time; later calls of the same
// client, with the budget spent, try once.
func TestUnansweredHostGetsTheConnectTimeout(t *testing.T) {
	addr := closedPort(t)
	c, err := New(Config{
		BaseURL: "http://" + addr + "/santaba/rest", AccessID: testAccessID, AccessKey: testAccessKey,
		ConnectTimeout: 400 * time.Millisecond, RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond,
		ReachHint: "Check base_url.",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err = c.GetAdmin(ctx, 7)
	d := time.Since(start)
	if d < 400*time.Millisecond || d > 2*time.Second {
		t.Errorf("failed after %s, want the 400ms connect timeout", d)
	}
	if !IsUnreachable(err) || IsHostNotFound(err) {
		t.Fatalf("err = %v, want IsUnreachable", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Attempts < 3 {
		t.Fatalf("err = %#v, want several attempts", err)
	}
	want := regexp.MustCompile(`connection refused \(gave up after \d+ attempts over [4-9]\d\d ms: ` + regexp.QuoteMeta(addr) +
		` has not answered once, and the connect timeout is 400ms\)\. Check base_url\.$`)
	if !want.MatchString(err.Error()) {
		t.Errorf("error %q does not match %s", err, want)
	}

	time.Sleep(100 * time.Millisecond) // the budget is surely spent
	start = time.Now()
	_, err = c.GetAdmin(ctx, 7)
	if !IsUnreachable(err) || !errors.As(err, &e) || e.Attempts != 1 || time.Since(start) > 200*time.Millisecond {
		t.Errorf("with the budget spent: err = %v after %s, want one attempt at once", err, time.Since(start))
	}
}

// TestTemporaryResolverFailureGetsTheConnectTimeout: a resolver that is
// down is not a name that does not exist, and neither is a proxy's name
// that does not: both are retried, within the connect timeout.
func TestTemporaryResolverFailureGetsTheConnectTimeout(t *testing.T) {
	for name, dnsErr := range map[string]*net.DNSError{
		"resolver down":       {Err: "server misbehaving", Name: "127.0.0.1", IsTemporary: true},
		"resolver timed out":  {Err: "i/o timeout", Name: "127.0.0.1", IsTimeout: true},
		"a proxy's name gone": {Err: "no such host", Name: "proxy.example.invalid", IsNotFound: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newSim(t)
			tr, dials := dialer(f, func(int) error { return &net.OpError{Op: "dial", Net: "tcp", Err: dnsErr} })
			c := f.client(t, func(cfg *Config) {
				cfg.HTTPClient = &http.Client{Transport: tr}
				cfg.ConnectTimeout = 200 * time.Millisecond
			})
			_, err := c.GetAdmin(context.Background(), 7)
			if !IsUnreachable(err) || IsHostNotFound(err) || dials.Load() < 3 {
				t.Errorf("err = %v after %d dials, want retries then IsUnreachable", err, dials.Load())
			}
		})
	}
}

// TestConnectTimeoutEndsOnceAnswered: after the host has answered, a
// refusal is retried as before, for longer than the connect timeout.
func TestConnectTimeoutEndsOnceAnswered(t *testing.T) {
	f := newSim(t)
	var refuseUntil atomic.Int64
	tr, _ := dialer(f, func(int) error {
		if time.Now().UnixNano() < refuseUntil.Load() {
			return &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
		}
		return nil
	})
	tr.DisableKeepAlives = true
	c := f.client(t, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: tr}
		cfg.ConnectTimeout = 50 * time.Millisecond
	})
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	refuseUntil.Store(time.Now().Add(300 * time.Millisecond).UnixNano())
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatalf("after an answer, a 300ms outage with a 50ms connect timeout: %v", err)
	}
}

// TestCancelReturnsTheLastFailure: a call cancelled during its retries
// returns the failure that caused them, how many attempts over how long,
// and still matches context.Canceled; it returns at once.
func TestCancelReturnsTheLastFailure(t *testing.T) {
	addr := closedPort(t)
	c, err := New(Config{
		BaseURL: "http://" + addr + "/santaba/rest", AccessID: testAccessID, AccessKey: testAccessKey,
		ConnectTimeout: time.Hour, RetryWaitMin: 20 * time.Millisecond, RetryWaitMax: 40 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled time.Time
	time.AfterFunc(300*time.Millisecond, func() { cancelled = time.Now(); cancel() })
	_, err = c.GetAdmin(ctx, 7)
	if d := time.Since(cancelled); d > 100*time.Millisecond {
		t.Errorf("returned %s after the cancel", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to match context.Canceled", err)
	}
	want := regexp.MustCompile(`^lm: GET /setting/admins/7: dial tcp .*: connection refused \(gave up after \d+ attempts over [2-4]\d\d ms: the operation was cancelled\)$`)
	if !want.MatchString(err.Error()) {
		t.Errorf("error %q does not match %s", err, want)
	}
}

// TestCancelDuringTheFirstAttempt: with no failure to report, the error
// says the call was cancelled while waiting for an answer.
func TestCancelDuringTheFirstAttempt(t *testing.T) {
	f := newSim(t)
	f.setHook(func(_ http.ResponseWriter, r *lmsim.Intercepted) bool {
		<-r.Context().Done()
		return true
	})
	c := f.client(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.GetAdmin(ctx, 7)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "while attempt 1 awaited its answer") {
		t.Errorf("err = %v", err)
	}
}

// TestTrackRetries: the calls made with a tracked context report their
// retries and the last reason.
func TestTrackRetries(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.N <= 2 {
			writeLMError(w, http.StatusBadGateway, "bad gateway")
			return true
		}
		return false
	})
	c := f.client(t, nil)
	ctx, track := TrackRetries(context.Background())
	if n, _, _ := track.Retried(); n != 0 {
		t.Errorf("%d retries before any call", n)
	}
	if _, err := c.GetAdmin(ctx, 7); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	n, since, last := track.Retried()
	if n != 2 || since < 10*time.Millisecond || last != "server error 502" {
		t.Errorf("Retried() = %d, %s, %q; want 2, at least 10ms, server error 502", n, since, last)
	}
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := track.Retried(); n != 2 {
		t.Errorf("an untracked call changed the count to %d", n)
	}
}

// TestLongRateLimitWaitIsLoggedAtWarn: a user waiting for a full window
// learns why at WARN; short waits stay at DEBUG.
func TestLongRateLimitWaitIsLoggedAtWarn(t *testing.T) {
	f := newSim(t)
	f.limit(http.MethodGet, 1, 30*time.Second)
	log := &captureLogger{}
	c := f.client(t, func(cfg *Config) { cfg.Logger = log })
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _ = c.GetAdmin(ctx, 7)
	if !containsLine(log.all(), "WARN waiting for the LogicMonitor rate limit", "rate-limit window of GET /setting/admins/{id} is full", "next_in:") {
		t.Errorf("no WARN line for a long rate-limit wait in %q", log.all())
	}
}

// TestCreateCancelledBetweenAttemptsLeavesNoToken: a create whose POSTs
// keep ending with an unknown outcome (the token made, the answer lost) is
// cancelled while it waits to try again: every token it made is gone, and
// the error names the last failure, not just "context canceled".
func TestCreateCancelledBetweenAttemptsLeavesNoToken(t *testing.T) {
	f := newSim(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		switch r.Method {
		case http.MethodPost:
			commit(r)
			writeLMError(w, http.StatusBadGateway, "Bad Gateway")
			return true
		case http.MethodDelete:
			// The clean-up of the second POST's token is the last request
			// before the wait for the third (50 ms at least): cancel in it.
			r.Serve(w)
			if f.countRequests(http.MethodPost, "") == 2 {
				time.AfterFunc(10*time.Millisecond, cancel)
			}
			return true
		}
		return false
	})
	c := f.client(t, func(cfg *Config) { cfg.RetryWaitMin, cfg.RetryWaitMax = 50*time.Millisecond, 100*time.Millisecond })
	_, err := c.CreateAPIToken(ctx, 7, CreateAPITokenRequest{Note: "ci"})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("err = %v, want the last 502 and context.Canceled", err)
	}
	if posts := f.countRequests(http.MethodPost, ""); posts < 2 {
		t.Errorf("%d POSTs before the cancel; the test wants the cancel to land between attempts", posts)
	}
	if left := f.allTokens(); len(left) != 0 {
		t.Errorf("tokens left after the cancelled create: %+v", left)
	}
}

// TestOutcomeUnknown: only a failure after which the server may have acted
// is IsOutcomeUnknown; a definite refusal or a request that never left is
// not.
func TestOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name   string
		answer func(t *testing.T, w http.ResponseWriter)
		want   bool
	}{
		{"401", func(_ *testing.T, w http.ResponseWriter) {
			writeLMError(w, http.StatusUnauthorized, "Authentication failed")
		}, false},
		{"400", func(_ *testing.T, w http.ResponseWriter) {
			writeLMError(w, http.StatusBadRequest, "The role name <x> is already used")
		}, false},
		{"403", func(_ *testing.T, w http.ResponseWriter) { writeLMError(w, http.StatusForbidden, "Forbidden") }, false},
		{"502", func(_ *testing.T, w http.ResponseWriter) { writeLMError(w, http.StatusBadGateway, "Bad Gateway") }, true},
		{"answer lost", func(_ *testing.T, w http.ResponseWriter) { lmsim.Abort(w) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
				if r.Method == http.MethodPost {
					tc.answer(t, w)
					return true
				}
				return false
			})
			c := f.client(t, nil)
			_, err := c.CreateRole(context.Background(), RoleWrite{Name: "x"})
			var e *Error
			if err == nil || !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if got := IsOutcomeUnknown(err); got != tc.want {
				t.Errorf("IsOutcomeUnknown(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
	c, err := New(Config{BaseURL: "http://" + closedPort(t) + "/santaba/rest", AccessID: testAccessID, AccessKey: testAccessKey, ConnectTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(context.Background(), RoleWrite{Name: "x"}); err == nil || IsOutcomeUnknown(err) {
		t.Errorf("a POST that never connected: err = %v, IsOutcomeUnknown = true", err)
	}
}
