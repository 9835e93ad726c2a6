// Package lmsim simulates the part of the LogicMonitor REST API (v1 and
// v3) that terraform-provider-lm uses: users, roles and API tokens, with
// LMv1 and bearer authentication, per-endpoint rate limits, paging and
// filters, and optional injected faults. Every test, benchmark and the demo
// run against it, so it aims to answer as LogicMonitor does; choices the
// public sources do not settle are marked UNCONFIRMED where they are made.
package lmsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
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
}

// Server is the simulator, an http.Handler. It is safe for concurrent use.
type Server struct {
	store   *store
	persist *persister
	limiter *limiter
	faults  *injector
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

// Close writes the state file if anything changed since it was last
// written (lastUsedOn updates are only flushed here or with the next
// change, to keep reads cheap).
func (s *Server) Close() error {
	if s.persist == nil {
		return nil
	}
	s.store.mu.Lock()
	if !s.store.dirty {
		s.store.mu.Unlock()
		return nil
	}
	s.store.seq++
	seq, b := s.store.seq, marshalState(s.store.snapshot())
	s.store.dirty = false
	s.store.mu.Unlock()
	return s.persist.write(seq, b)
}

// SetFaults replaces the faults injected from now on. Probabilities whose
// sum exceeds 1 starve the later kinds (order: reset, 5xx, 429, drop).
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// SetRateLimits replaces the limits and forgets the requests counted so far.
func (s *Server) SetRateLimits(r RateLimits) { s.limiter.set(r) }

// Tokens returns a snapshot of every token, secrets and type included.
func (s *Server) Tokens() []Token {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot().APITokens
}

// Admins returns a snapshot of every user.
func (s *Server) Admins() []Admin {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot().Admins
}

// Roles returns a snapshot of every role.
func (s *Server) Roles() []Role {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot().Roles
}

// PasswordIs reports whether pw is the last password set for the user.
// Only tests ask: the simulator keeps no password but this hash.
func (s *Server) PasswordIs(adminID int32, pw string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	h, ok := s.store.passwords[adminID]
	return ok && h == sha256.Sum256([]byte(pw))
}

// Snapshot returns the whole account in the fixture format, next ids
// included.
func (s *Server) Snapshot() *Fixture {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot()
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	c := newStats()
	for k, v := range s.stats.Requests {
		c.Requests[k] = v
	}
	for k, v := range s.stats.Faults {
		c.Faults[k] = v
	}
	c.RateLimited, c.Total = s.stats.RateLimited, s.stats.Total
	return c
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.stats = newStats()
}

func (s *Server) count(f func(*Stats)) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	f(&s.stats)
}

// logEntry is one request log line. It never holds a key, a bearer secret
// or a signature: only the access id, which LogicMonitor also shows.
type logEntry struct {
	Time     string `json:"time"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Query    string `json:"query"`
	Status   int    `json:"status"`
	AccessID string `json:"accessId"`
	Fault    string `json:"fault,omitempty"`
}

func (s *Server) writeLog(e *logEntry) {
	if s.log == nil {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	b = append(b, '\n')
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = s.log.Write(b)
}

// ServeHTTP answers one request. The order follows what a client of
// LogicMonitor observes: network faults first, then authentication, then
// the rate limit (only authenticated calls count), then routing and
// permissions, then the operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 and other writers that cannot be hijacked: net/http aborts
	// the stream or connection on this panic without logging it.
	panic(http.ErrAbortHandler)
}

// apiError is an error answer: LogicMonitor's ErrorResponse in v2/v3,
// the envelope's status and errmsg in v1.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, message: fmt.Sprintf(format, args...)}
}

type errorResponse struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorCode    int    `json:"errorCode"`
	ErrorDetail  any    `json:"errorDetail"`
}

// envelope wraps every API v1 answer.
type envelope struct {
	Status int    `json:"status"`
	Errmsg string `json:"errmsg"`
	Data   any    `json:"data"`
}

// apiVersion1 reports whether the request asked for API v1, which is what
// LogicMonitor assumes when X-Version is missing.
func apiVersion1(r *http.Request) bool {
	v := strings.TrimSpace(r.Header.Get("X-Version"))
	return v == "" || v == "1"
}

// gatewayReply answers in front of the API (faults, the rate limiter,
// paths outside it): always LogicMonitor's ErrorResponse with the real HTTP
// status, whatever the API version. UNCONFIRMED for v1 callers.
func gatewayReply(w http.ResponseWriter, e *apiError) int {
	return writeJSON(w, e.status, v3Body(e))
}

func (s *Server) replyStatus(w http.ResponseWriter, r *http.Request, status int, payload any) int {
	if apiVersion1(r) {
		// UNCONFIRMED: API v1 answers HTTP 200 and carries the real status
		// in the envelope. A client that forgets X-Version gets this shape
		// and breaks here as it would against LogicMonitor.
		env := envelope{Status: status, Errmsg: "OK", Data: payload}
		if e, ok := payload.(*apiError); ok {
			env.Errmsg, env.Data = e.message, nil
		}
		return writeJSON(w, http.StatusOK, env)
	}
	return writeJSON(w, status, v3Body(payload))
}

func v3Body(payload any) any {
	if e, ok := payload.(*apiError); ok {
		return errorResponse{ErrorMessage: e.message, ErrorCode: e.status + 1000}
	}
	return payload
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// LogicMonitor does not escape <, > and &; messages such as
	// "User <131> is not found" must read the same.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, `{"errorMessage":"encoding the answer failed","errorCode":1500,"errorDetail":null}`+"\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return status
}

// Running is a Server listening on a loopback port.
type Running struct {
	// URL is the API base, http://127.0.0.1:PORT/santaba/rest.
	URL    string
	Server *Server
	http   *http.Server

	closeOnce sync.Once
	closeErr  error
}

// Start runs a Server built from opts on 127.0.0.1 and a free port, for
// tests and benchmarks that need real connections (reset and drop faults
// do).
func Start(opts Options) (*Running, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return &Running{URL: "http://" + ln.Addr().String() + BasePath, Server: s, http: hs}, nil
}

// Close stops listening, waits briefly for calls in flight, and writes the
// state file. Calling it again returns the first result.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := r.http.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			// Shutdown waits up to 5 s for connections a client opened but
			// never used (its transport dials ahead); cutting them, and any
			// slower call, is what a stopping server does anyway.
			err = r.http.Close()
		}
		r.closeErr = errors.Join(err, r.Server.Close())
	})
	return r.closeErr
}
