package lm

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	headerLimit     = "X-Rate-Limit-Limit"
	headerRemaining = "X-Rate-Limit-Remaining"
	headerWindow    = "X-Rate-Limit-Window"

	// maxLog bounds an endpoint's log when the server sends no limits.
	maxLog = 10000
	// unknownHorizon is how long sends are remembered before the limit of an
	// endpoint is known, so that the first answer can be reconciled with them.
	unknownHorizon = 5 * time.Minute
)

// pacer keeps the client under LogicMonitor's rate limits instead of
// collecting 429s. The limits are a rolling window per method and endpoint
// for the whole account, announced on every answer by X-Rate-Limit-Limit,
// -Remaining and -Window (seconds).
//
// A token bucket at limit/window cannot honour a rolling window: it allows
// its burst on top of a full window's worth. So the pacer mirrors the
// server's algorithm. Per endpoint key it counts requests in flight and logs
// when each answer arrived; a request may go while in-flight requests plus
// answers within the window stay under Limit. Logging the answer's arrival
// rather than the send makes the mirror safe whatever the latency: the
// server stamped the request somewhere between the two, so it leaves the
// server's window no later than it leaves ours.
//
// Answers also reconcile the log with the server's view: when Remaining says
// more requests were counted than we can account for (another client on the
// account), phantom entries make up the difference. A 429 blocks the key for
// one whole window, after which the server's window is necessarily empty of
// what filled it.
//
// One pacer per Client: all its goroutines share it, so ten concurrent
// creates queue in the client rather than race for the last slots.
type pacer struct {
	mu   sync.Mutex
	keys map[string]*paceState
	now  func() time.Time // wall clock; the LMv1 clock may be frozen in tests
}

type paceState struct {
	limit        int           // 0 until an answer announces it
	window       time.Duration // as announced
	inflight     int
	done         []time.Time // answer arrivals, ascending
	blockedUntil time.Time
}

// inflightPoll is how often a request re-checks a key whose whole limit is
// in flight; such a key frees up only when answers arrive.
const inflightPoll = 10 * time.Millisecond

func newPacer() *pacer {
	return &pacer{keys: map[string]*paceState{}, now: time.Now}
}

func (p *pacer) state(key string) *paceState {
	s := p.keys[key]
	if s == nil {
		s = &paceState{}
		p.keys[key] = s
	}
	return s
}

// span is the window the pacer counts over: the server's plus a sliver for
// servers that round their arithmetic differently.
func (s *paceState) span() time.Duration {
	return s.window + min(s.window/100, 250*time.Millisecond)
}

func (s *paceState) prune(now time.Time) {
	horizon := unknownHorizon
	if s.limit > 0 {
		horizon = 2 * s.span()
	}
	i, _ := slices.BinarySearchFunc(s.done, now.Add(-horizon), time.Time.Compare)
	s.done = s.done[i:]
	if len(s.done) > maxLog {
		s.done = s.done[len(s.done)-maxLog:]
	}
}

func (s *paceState) insert(t time.Time) {
	i, _ := slices.BinarySearchFunc(s.done, t, time.Time.Compare)
	for i < len(s.done) && !s.done[i].After(t) {
		i++
	}
	s.done = slices.Insert(s.done, i, t)
}

// countSince counts entries after t.
func (s *paceState) countSince(t time.Time) int {
	i, _ := slices.BinarySearchFunc(s.done, t, time.Time.Compare)
	for i < len(s.done) && !s.done[i].After(t) {
		i++
	}
	return len(s.done) - i
}

// reserve takes a slot for a request and returns 0, or returns how long to
// wait before asking again. Every successful reserve must be followed by
// release.
func (p *pacer) reserve(key string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	s := p.state(key)
	if now.Before(s.blockedUntil) {
		return s.blockedUntil.Sub(now)
	}
	s.prune(now)
	if s.limit > 0 {
		span := s.span()
		in := s.countSince(now.Add(-span))
		if used := in + s.inflight; used >= s.limit {
			// k+1 of the oldest answers in the window must age out to
			// leave one slot free.
			k := used - s.limit
			if k >= in {
				return inflightPoll
			}
			return s.done[len(s.done)-in+k].Add(span).Sub(now) + time.Millisecond
		}
	}
	s.inflight++
	return 0
}

// longWait is how long a wait may last before it is logged at WARN rather
// than DEBUG.
const longWait = 5 * time.Second

// wait blocks until key may be sent, honouring ctx.
func (p *pacer) wait(ctx context.Context, key string, log Logger, path string) error {
	for {
		d := p.reserve(key)
		if d <= 0 {
			return nil
		}
		fields := map[string]any{
			"endpoint": key,
			"path":     path,
			"wait_ms":  d.Milliseconds(),
		}
		if d >= longWait {
			// A user who sees nothing for this long deserves a reason.
			fields["reason"] = "the rate-limit window of " + key + " is full"
			fields["next_in"] = seconds(d)
			log.Warn(ctx, "waiting for the LogicMonitor rate limit", fields)
		} else {
			log.Debug(ctx, "waiting for the LogicMonitor rate limit", fields)
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// release ends a reserved request. resp is nil when no answer came; the
// request still counts, since the server may have seen it. sentAt is when
// it left.
func (p *pacer) release(key string, sentAt time.Time, resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	s := p.state(key)
	s.inflight--
	s.insert(now)
	if resp == nil {
		return
	}
	h := resp.Header
	limit, lok := headerInt(h, headerLimit)
	window, wok := headerSeconds(h, headerWindow)
	if !lok || !wok || limit <= 0 || window <= 0 {
		return
	}
	s.limit, s.window = limit, window
	remaining, ok := headerInt(h, headerRemaining)
	if !ok {
		return
	}
	used := limit - max(remaining, 0)
	if resp.StatusCode == http.StatusTooManyRequests {
		used = limit
	}
	// What the server counted for this answer arrived within a window
	// before the request left, or is still in flight: an upper bound on
	// our share, so only usage we cannot explain becomes phantoms.
	mine := s.countSince(sentAt.Add(-s.span())) + s.inflight
	for ; mine < used; mine++ {
		s.insert(now)
	}
}

// block stops key until its window has rolled after a 429, and returns the
// wait. Without window headers, fallback is used.
func (p *pacer) block(key string, h http.Header, fallback time.Duration) time.Duration {
	d := fallback
	if w, ok := headerSeconds(h, headerWindow); ok && w > 0 {
		d = w
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.state(key)
	if until := p.now().Add(d); until.After(s.blockedUntil) {
		s.blockedUntil = until
	}
	return d
}

func headerInt(h http.Header, name string) (int, bool) {
	v, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	return v, err == nil
}

// headerSeconds reads a window in seconds. LogicMonitor sends whole
// seconds; fractions are accepted so tests can run short windows.
func headerSeconds(h http.Header, name string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(h.Get(name)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 86400 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}
