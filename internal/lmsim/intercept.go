package lmsim

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Intercept lets a test script an answer that a faithful simulator would
// not give at that moment: "the third request is reset", "this GET is
// answered by a proxy's redirect", "the POST is carried out and its
// answer lost". It is offered every request before the simulator (faults,
// strange answers, authentication, the API) sees it, and either answers
// it and returns true, or returns false to let the simulator answer as
// usual. Random faults and strange answers on a path need no Intercept
// (Options.Faults, Options.Strange); it is for tests that need one
// precise answer, and it makes a second, hand-written LogicMonitor
// unnecessary.
//
// A request it answers alone is counted in Stats (Faults["intercepted"])
// and logged with that fault; one it lets the simulator serve
// (Intercepted.Serve) is counted and logged as the simulator answered it.
type Intercept func(w http.ResponseWriter, r *Intercepted) bool

// FaultIntercepted marks, in the request log and Stats.Faults, a request
// that an Intercept answered.
const FaultIntercepted = "intercepted"

// Intercepted is a request offered to an Intercept.
type Intercepted struct {
	*http.Request
	// Path is the resource path, after /santaba/rest.
	Path string
	// Body is the request body, read in full (Request.Body is spent).
	Body []byte
	// N counts the requests offered to this Intercept, this one included.
	N int

	s      *Server
	served bool
}

// Serve lets the simulator answer the request into w, faults and all, as
// if it had not been intercepted. To have the call carried out and its
// answer lost or replaced, serve it into an httptest.ResponseRecorder,
// then Abort or answer otherwise.
func (r *Intercepted) Serve(w http.ResponseWriter) {
	r.served = true
	req := r.Request.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(r.Body))
	r.s.serve(w, req)
}

// Abort closes the client's connection without an answer, as the reset
// and drop faults do: the client cannot tell whether the call was made.
func Abort(w http.ResponseWriter) { abortConn(w) }

// SetIntercept replaces the Intercept (nil: none) and restarts its count.
func (s *Server) SetIntercept(f Intercept) {
	s.icept.mu.Lock()
	defer s.icept.mu.Unlock()
	s.icept.f, s.icept.n = f, 0
}

// interceptor holds the Intercept and its count.
type interceptor struct {
	mu sync.Mutex
	f  Intercept
	n  int
}

func (in *interceptor) next() (Intercept, int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.f == nil {
		return nil, 0
	}
	in.n++
	return in.f, in.n
}

// intercept offers r to the Intercept, if any, and reports whether it
// answered.
func (s *Server) intercept(w http.ResponseWriter, r *http.Request) bool {
	f, n := s.icept.next()
	if f == nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		// The simulator answers what it answers to a body it cannot read.
		body = nil
	}
	ic := &Intercepted{Request: r, Path: strings.TrimPrefix(r.URL.Path, BasePath), Body: body, N: n, s: s}
	sw := &statusWriter{ResponseWriter: w}
	if !f(sw, ic) {
		if !ic.served {
			ic.Serve(w)
		}
		return true
	}
	if !ic.served {
		s.count(func(st *Stats) {
			st.Requests[r.Method]++
			st.Total++
			st.Faults[FaultIntercepted]++
		})
		s.writeLog(&logEntry{
			Time: s.clock().UTC().Format(time.RFC3339Nano), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Status: sw.status, AccessID: claimedAccessID(r), Fault: FaultIntercepted,
		})
	}
	return true
}

// statusWriter notes the status an Intercept answered, for the log; it
// unwraps for http.ResponseController, so that Abort can hijack.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
