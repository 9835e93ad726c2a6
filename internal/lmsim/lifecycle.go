package lmsim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

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
