package loadtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// Entry is one request as the simulator logged it.
type Entry struct {
	Time   time.Time
	Method string
	Path   string
	Query  string // the raw query string
	Status int
	Fault  string // "" or an lmsim fault kind
}

// SimLog receives the simulator's JSON request log (lmsim.Options.Log)
// and keeps the entries in the order they were written, optionally copying
// the raw lines to another writer.
type SimLog struct {
	raw io.Writer

	mu      sync.Mutex
	partial []byte
	entries []Entry
}

// NewSimLog returns a SimLog that also writes the raw log to raw (nil: no
// copy).
func NewSimLog(raw io.Writer) *SimLog { return &SimLog{raw: raw} }

// Write implements io.Writer.
func (l *SimLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.raw != nil {
		_, _ = l.raw.Write(p)
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := l.partial[:i]
		l.partial = l.partial[i+1:]
		var e struct {
			Time   string `json:"time"`
			Method string `json:"method"`
			Path   string `json:"path"`
			Query  string `json:"query"`
			Status int    `json:"status"`
			Fault  string `json:"fault"`
		}
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		t, _ := time.Parse(time.RFC3339Nano, e.Time)
		l.entries = append(l.entries, Entry{Time: t, Method: e.Method, Path: e.Path, Query: e.Query, Status: e.Status, Fault: e.Fault})
	}
	l.partial = append([]byte(nil), l.partial...)
	return len(p), nil
}

// Len is the number of entries so far: a mark to slice from.
func (l *SimLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// Since returns a copy of the entries from mark on.
func (l *SimLog) Since(mark int) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Entry(nil), l.entries[mark:]...)
}

// Counts summarizes entries.
type Counts struct {
	Requests    int
	ByMethod    map[string]int
	Faults      map[string]int // injected, by kind
	RateLimited int            // 429 answers from the limiter (injected ones excluded)
	Failed      int            // other answers that were not 2xx, dropped ones included; injected faults excluded
}

// Count summarizes entries.
func Count(entries []Entry) Counts {
	c := Counts{ByMethod: map[string]int{}, Faults: map[string]int{}}
	for _, e := range entries {
		c.Requests++
		c.ByMethod[e.Method]++
		switch {
		case e.Fault != "":
			// For a drop the handler ran but the answer was cut.
			c.Faults[e.Fault]++
		case e.Status == http.StatusTooManyRequests:
			c.RateLimited++
		case e.Status < 200 || e.Status > 299:
			c.Failed++
		}
	}
	return c
}

// Occupancy measures how much of a rolling-window limit of limit requests
// per window a series of accepted requests used: the mean, over every
// instant from one window after the first request to the last request, of
// the accepted requests in the window ending then, divided by limit. A
// client kept exactly at the limit scores 1. ok is false when the requests
// spanned less than a window (the limit never had to bind).
func Occupancy(times []time.Time, limit int, window time.Duration) (occ float64, ok bool) {
	if len(times) == 0 || limit <= 0 {
		return 0, false
	}
	ts := append([]time.Time(nil), times...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	start, end := ts[0].Add(window), ts[len(ts)-1]
	if !end.After(start) {
		return 0, false
	}
	const samples = 2000
	step := end.Sub(start) / samples
	if step <= 0 {
		step = time.Millisecond
	}
	lo, hi, n, sum := 0, 0, 0, 0
	for t := start; !t.After(end); t = t.Add(step) {
		for hi < len(ts) && !ts[hi].After(t) {
			hi++
		}
		for lo < hi && !ts[lo].After(t.Add(-window)) {
			lo++
		}
		sum += hi - lo
		n++
	}
	return float64(sum) / float64(n) / float64(limit), true
}

// Pattern is a request's method and path with the API prefix cut and each
// numeric segment written {id}: "GET /setting/admins/{id}/apitokens".
func Pattern(e Entry) string {
	p := strings.TrimPrefix(e.Path, lmsim.BasePath)
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "{id}"
		}
	}
	return e.Method + " " + strings.Join(segs, "/")
}

// PatternCount is the number of requests of one Pattern.
type PatternCount struct {
	Pattern string
	N       int
}

// ByPattern counts entries by Pattern, most frequent first (ties by
// pattern).
func ByPattern(entries []Entry) []PatternCount {
	m := map[string]int{}
	for _, e := range entries {
		m[Pattern(e)]++
	}
	out := make([]PatternCount, 0, len(m))
	for p, n := range m {
		out = append(out, PatternCount{p, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Pattern < out[j].Pattern
	})
	return out
}
