package lm

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

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
