// Package lmsim simulates the part of the LogicMonitor REST API (v1 and
// v3) that terraform-provider-lm uses: users, roles and API tokens, with
// LMv1 and bearer authentication, per-endpoint rate limits, paging and
// filters, and optional injected faults. Every test, benchmark and the demo
// run against it, so it aims to answer as LogicMonitor does; choices the
// public sources do not settle are marked UNCONFIRMED where they are made.
package lmsim

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// BasePath is where LogicMonitor serves its REST API.
const BasePath = "/santaba/rest"

// maxBody bounds what one request may upload; the API's bodies are tiny.
const maxBody = 1 << 20

// Options configure a Server.
type Options struct {
	// Fixture is the initial account; nil means DefaultFixture().
	Fixture *Fixture
	// StatePath, if set, is loaded instead of Fixture when it exists, and
	// rewritten after every change.
	StatePath string
	// RateLimits: the zero value means LogicMonitor's defaults; use
	// ParseRateLimits("off") to disable.
	RateLimits RateLimits
	// Faults to inject; the zero value injects none.
	Faults Faults
	// Seed makes fault injection reproducible; 0 picks a random seed.
	Seed int64
	// Strange answers to give on chosen paths (faults.go).
	Strange []Strange
	// Log receives one JSON line per request; nil means no log.
	Log io.Writer
	// Clock replaces time.Now for LMv1 timestamps, createdOn, lastUsedOn,
	// the rate-limit windows and the log.
	Clock func() time.Time
	// Intercept, for tests, is offered every request first (intercept.go);
	// Server.SetIntercept changes it later.
	Intercept Intercept
}

// Server is the simulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	store   *store
	persist *persister
	limiter *limiter
	faults  *injector
	icept   interceptor
	clock   func() time.Time

	logMu sync.Mutex
	log   io.Writer

	statsMu sync.Mutex
	stats   Stats
}

// Stats count what the server has seen since New or ResetStats.
type Stats struct {
	// Requests by HTTP method, every request included.
	Requests map[string]int
	// Faults injected, by kind (Fault5xx, Fault429, FaultReset, FaultDrop,
	// and the shapes of strange answers).
	Faults map[string]int
	// RateLimited counts every 429 answered, injected ones included.
	RateLimited int
	// Total is the number of requests.
	Total int
}

// New builds a Server from opts.
func New(opts Options) (*Server, error) {
	if err := opts.Faults.validate(); err != nil {
		return nil, err
	}
	var fx *Fixture
	fromState := false
	if opts.StatePath != "" {
		f, err := LoadFixture(opts.StatePath)
		switch {
		case err == nil:
			fx, fromState = f, true
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("load state: %w", err)
		}
	}
	if fx == nil {
		if opts.Fixture == nil {
			fx = DefaultFixture()
		} else {
			fx = opts.Fixture.clone()
			if err := fx.normalize(); err != nil {
				return nil, fmt.Errorf("fixture: %w", err)
			}
		}
	}
	s := &Server{
		store:   newStore(fx),
		limiter: newLimiter(opts.RateLimits),
		faults:  newInjector(opts.Faults, opts.Seed),
		clock:   opts.Clock,
		log:     opts.Log,
		stats:   newStats(),
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.icept.f = opts.Intercept
	if err := s.SetStrange(opts.Strange...); err != nil {
		return nil, err
	}
	if opts.StatePath != "" {
		s.persist = &persister{path: opts.StatePath}
		if !fromState {
			// Write at once so that the file exists, and a bad path fails
			// here rather than on the first change.
			if err := s.persist.write(0, marshalState(s.store.snapshot())); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

func newStats() Stats {
	return Stats{Requests: map[string]int{}, Faults: map[string]int{}}
}

// ServeHTTP answers one request: a test's Intercept first, if one is
// set, then the simulator (serve).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.intercept(w, r) {
		return
	}
	s.serve(w, r)
}

// serve answers one request as the simulator. The order follows what a
// client of LogicMonitor observes: network faults first, then
// authentication, then the rate limit (only authenticated calls count),
// then routing and permissions, then the operation.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	now := s.clock()
	entry := &logEntry{
		Time:   now.UTC().Format(time.RFC3339Nano),
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.RawQuery,
		// Faults strike before authentication; the claimed id still tells
		// which client was hit.
		AccessID: claimedAccessID(r),
	}
	logged := false
	defer func() {
		if !logged {
			s.writeLog(entry)
		}
	}()
	// A client that sees its connection reset must already find the
	// line in the log, so aborts log first.
	abort := func() {
		s.writeLog(entry)
		logged = true
		abortConn(w)
	}
	s.count(func(st *Stats) {
		st.Requests[r.Method]++
		st.Total++
	})

	resourcePath, ok := strings.CutPrefix(r.URL.Path, BasePath)
	if !ok || resourcePath != "" && resourcePath[0] != '/' {
		entry.Status = gatewayReply(w, errorf(http.StatusNotFound, "%s is not a LogicMonitor REST API path (they start with %s)", r.URL.Path, BasePath))
		return
	}

	d := s.faults.draw()
	if d.latency > 0 {
		t := time.NewTimer(d.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if shape := s.faults.strangeFor(r.Method, resourcePath); shape != "" {
		entry.Fault = shape
		s.count(func(st *Stats) { st.Faults[shape]++ })
		entry.Status = s.answerStrange(w, r, resourcePath, shape, entry)
		return
	}
	if d.fault != "" {
		entry.Fault = d.fault
		s.count(func(st *Stats) { st.Faults[d.fault]++ })
	}
	switch d.fault {
	case FaultReset:
		abort()
		return
	case Fault5xx:
		entry.Status = gatewayReply(w, errorf(d.status, "%s", http.StatusText(d.status)))
		return
	case Fault429:
		st := s.limiter.peek(r.Method, endpointTemplate(resourcePath), s.clock())
		st.remaining = 0
		st.setHeaders(w.Header())
		s.count(func(st *Stats) { st.RateLimited++ })
		entry.Status = gatewayReply(w, errorf(http.StatusTooManyRequests, "Too Many Requests"))
		return
	}

	gateway, status, payload := s.serveAPI(w, r, resourcePath, entry)
	if status == http.StatusTooManyRequests {
		s.count(func(st *Stats) { st.RateLimited++ })
	}
	if d.fault == FaultDrop {
		entry.Status = status
		abort()
		return
	}
	if e, ok := payload.(*apiError); ok && gateway {
		entry.Status = gatewayReply(w, e)
		return
	}
	entry.Status = s.replyStatus(w, r, status, payload)
}

// serveAPI authenticates, rate-limits, routes and runs one call. gateway
// reports an answer given in front of the API (the rate limiter), which
// does not take the v1 envelope.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, resourcePath string, entry *logEntry) (gateway bool, status int, payload any) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return false, http.StatusBadRequest, errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	if len(body) > maxBody {
		return false, http.StatusRequestEntityTooLarge, errorf(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", maxBody)
	}
	endpoint := endpointTemplate(resourcePath)
	p, aerr := s.authenticate(r, resourcePath, body)
	if p.accessID != "" {
		entry.AccessID = p.accessID
	}
	if aerr != nil {
		s.limiter.peek(r.Method, endpoint, s.clock()).setHeaders(w.Header())
		return false, aerr.status, aerr
	}
	st, allowed := s.limiter.take(r.Method, endpoint, s.clock())
	st.setHeaders(w.Header())
	if !allowed {
		e := errorf(http.StatusTooManyRequests, "Too Many Requests: rate limit of %d requests per %s for %s %s exceeded", st.limit, st.window, r.Method, endpoint)
		return true, e.status, e
	}
	status, payload = s.route(w, r, resourcePath, body, p)
	return false, status, payload
}

// abortConn closes the client's connection without an answer. A TCP
// connection is reset (SO_LINGER 0) so the client sees what a dropped
// connection through a load balancer looks like.
func abortConn(w http.ResponseWriter) {
	// The controller finds the connection through writers that wrap it
	// (an Intercept's).
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
		return
	}
	// HTTP/2 and other writers that cannot be hijacked: net/http aborts
	// the stream or connection on this panic without logging it.
	panic(http.ErrAbortHandler)
}
