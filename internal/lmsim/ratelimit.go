package lmsim

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limit is a number of requests allowed in a rolling window.
type Limit struct {
	Requests int
	Window   time.Duration
}

func (l Limit) String() string { return fmt.Sprintf("%d/%s", l.Requests, l.Window) }

// RateLimits are LogicMonitor's per-method limits, applied to each method +
// endpoint pair for the whole account. The zero value means the defaults.
type RateLimits struct {
	// Disabled turns limiting off: no 429s and no X-Rate-Limit headers.
	Disabled bool
	// PerMethod overrides the default of the methods it names.
	PerMethod map[string]Limit
}

// DefaultRateLimits are the per-minute values usually quoted for
// LogicMonitor (UNCONFIRMED: LogicMonitor does not publish them).
var DefaultRateLimits = map[string]Limit{
	http.MethodGet:    {500, time.Minute},
	http.MethodPost:   {200, time.Minute},
	http.MethodPut:    {200, time.Minute},
	http.MethodPatch:  {250, time.Minute},
	http.MethodDelete: {300, time.Minute},
}

// For returns the limit that applies to method, if any.
func (r RateLimits) For(method string) (Limit, bool) {
	if r.Disabled {
		return Limit{}, false
	}
	if l, ok := r.PerMethod[method]; ok {
		return l, true
	}
	l, ok := DefaultRateLimits[method]
	return l, ok
}

// String renders the limits in the form ParseRateLimits reads.
func (r RateLimits) String() string {
	if r.Disabled {
		return "off"
	}
	methods := make([]string, 0, len(r.PerMethod))
	for m := range r.PerMethod {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	parts := make([]string, 0, len(methods))
	for _, m := range methods {
		parts = append(parts, m+"="+r.PerMethod[m].String())
	}
	return strings.Join(parts, ",")
}

// ParseRateLimits reads "off", "" (the defaults) or a list such as
// "GET=40/5s,POST=10/500ms"; methods not named keep their defaults.
func ParseRateLimits(spec string) (RateLimits, error) {
	spec = strings.TrimSpace(spec)
	switch strings.ToLower(spec) {
	case "", "default", "defaults":
		return RateLimits{}, nil
	case "off", "none":
		return RateLimits{Disabled: true}, nil
	}
	r := RateLimits{PerMethod: map[string]Limit{}}
	for _, part := range strings.Split(spec, ",") {
		method, rest, ok := strings.Cut(strings.TrimSpace(part), "=")
		method = strings.ToUpper(strings.TrimSpace(method))
		n, window, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || method == "" {
			return RateLimits{}, fmt.Errorf("rate limit %q: want METHOD=COUNT/WINDOW, e.g. GET=40/5s", part)
		}
		if _, known := DefaultRateLimits[method]; !known {
			return RateLimits{}, fmt.Errorf("rate limit %q: method %s is not one of GET, POST, PUT, PATCH, DELETE", part, method)
		}
		count, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || count <= 0 {
			return RateLimits{}, fmt.Errorf("rate limit %q: count must be a positive integer", part)
		}
		window = strings.TrimSpace(window)
		d, err := time.ParseDuration(window)
		if err != nil {
			// "40/s" and "40/m" read naturally.
			d, err = time.ParseDuration("1" + window)
		}
		if err != nil || d <= 0 {
			return RateLimits{}, fmt.Errorf("rate limit %q: window must be a positive duration such as 5s or 1m", part)
		}
		r.PerMethod[method] = Limit{Requests: count, Window: d}
	}
	return r, nil
}

// limiter keeps one sliding log per method + endpoint: the times of the
// requests accepted within the window. A log never holds more than the
// limit, so memory stays bounded by the configured counts.
type limiter struct {
	mu     sync.Mutex
	limits RateLimits
	logs   map[string][]time.Time
}

type limitState struct {
	enabled   bool
	limit     int
	remaining int
	window    time.Duration
}

func newLimiter(r RateLimits) *limiter {
	return &limiter{limits: r, logs: map[string][]time.Time{}}
}

func (l *limiter) set(r RateLimits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits = r
	l.logs = map[string][]time.Time{}
}

// take records a request at now unless the window is full; peek only
// reports. Both prune expired entries first.
func (l *limiter) take(method, endpoint string, now time.Time) (limitState, bool) {
	return l.check(method, endpoint, now, true)
}

func (l *limiter) peek(method, endpoint string, now time.Time) limitState {
	st, _ := l.check(method, endpoint, now, false)
	return st
}

func (l *limiter) check(method, endpoint string, now time.Time, record bool) (limitState, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limits.For(method)
	if !ok {
		return limitState{}, true
	}
	key := method + " " + endpoint
	log := l.logs[key]
	cutoff := now.Add(-lim.Window)
	i := 0
	for i < len(log) && !log[i].After(cutoff) {
		i++
	}
	if i > 0 {
		log = slices.Delete(log, 0, i)
	}
	allowed := len(log) < lim.Requests
	if allowed && record {
		log = append(log, now)
	}
	l.logs[key] = log
	return limitState{
		enabled:   true,
		limit:     lim.Requests,
		remaining: max(lim.Requests-len(log), 0),
		window:    lim.Window,
	}, allowed
}

func (st limitState) setHeaders(h http.Header) {
	if !st.enabled {
		return
	}
	// The header is whole seconds; tests run sub-second windows, which
	// round up so that a client never retries before the window rolls.
	secs := max(int(math.Ceil(st.window.Seconds())), 1)
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(st.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(st.remaining))
	h.Set("X-Rate-Limit-Window", strconv.Itoa(secs))
}

// endpointTemplate turns /setting/admins/131/apitokens/146 into
// /setting/admins/{id}/apitokens/{id}: limits apply per endpoint, not per
// object.
func endpointTemplate(resourcePath string) string {
	segs := strings.Split(resourcePath, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}
