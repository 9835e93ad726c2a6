package serve

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// stoppable stands in for the framework: ReadDataSource runs until
// StopProvider cancels it, then takes cleanupTime to finish (a create
// deleting what it may have made), as the framework's registered contexts
// make the provider's operations do.
type stoppable struct {
	Inner
	cleanupTime time.Duration

	mu       sync.Mutex
	cancels  []context.CancelFunc
	stops    atomic.Int32
	returned atomic.Int32
}

func (s *stoppable) ReadDataSource(ctx context.Context, _ *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancels = append(s.cancels, cancel)
	s.mu.Unlock()
	<-ctx.Done()
	time.Sleep(s.cleanupTime)
	s.returned.Add(1)
	return &tfprotov6.ReadDataSourceResponse{}, nil
}

func (s *stoppable) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	s.stops.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.cancels {
		c()
	}
	s.cancels = nil
	return &tfprotov6.StopProviderResponse{}, nil
}

// running starts a ReadDataSource through srv and waits until it runs.
func running(t *testing.T, srv *Server) {
	t.Helper()
	go func() { _, _ = srv.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{}) }()
	for deadline := time.Now().Add(5 * time.Second); srv.running.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the RPC never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWatch_parentGone: when the CLI has died, the provider stops what
// runs through the framework's StopProvider, lets it finish, runs the exit
// clean-up after that, and exits.
func TestWatch_parentGone(t *testing.T) {
	inner := &stoppable{Inner: frameworkServer(t), cleanupTime: 200 * time.Millisecond}
	srv := Wrap(inner)
	running(t, srv)

	gone := make(chan struct{})
	var cleanedWhileRunning atomic.Int64
	var cleaned atomic.Bool
	exited := make(chan int, 1)
	l := lifecycle{
		sigterm:    make(chan os.Signal),
		resetTERM:  func() { t.Error("SIGTERM's action reset without a SIGTERM") },
		parentGone: gone,
		cleanup: func(ctx context.Context) {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("the clean-up has no deadline")
			}
			cleanedWhileRunning.Store(srv.running.Load())
			cleaned.Store(true)
		},
		exit: func(code int) { exited <- code },
	}
	watched := make(chan struct{})
	go func() { srv.watch(l, make(chan struct{})); close(watched) }()

	start := time.Now()
	close(gone)
	select {
	case code := <-exited:
		if code == 0 {
			t.Errorf("exit code 0 for a provider whose CLI died")
		}
	case <-time.After(drainWait + cleanupWait + 2*time.Second):
		t.Fatal("the provider did not exit")
	}
	<-watched
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("exited %s after the CLI died, with an RPC that needed 200ms to finish", d)
	}
	if inner.stops.Load() != 1 || inner.returned.Load() != 1 {
		t.Errorf("StopProvider called %d times, RPC returned %d times; want 1 and 1", inner.stops.Load(), inner.returned.Load())
	}
	if !cleaned.Load() || cleanedWhileRunning.Load() != 0 {
		t.Errorf("clean-up ran: %v, with %d RPCs still running; want it after they all returned", cleaned.Load(), cleanedWhileRunning.Load())
	}
}

// TestWatch_sigterm: SIGTERM cancels what runs, so that it returns with
// its real failure, restores SIGTERM's default action and leaves the
// provider serving until the CLI shuts it down.
func TestWatch_sigterm(t *testing.T) {
	inner := &stoppable{Inner: frameworkServer(t)}
	srv := Wrap(inner)
	running(t, srv)

	term := make(chan os.Signal, 1)
	var reset atomic.Int32
	l := lifecycle{
		sigterm:    term,
		resetTERM:  func() { reset.Add(1) },
		parentGone: make(chan struct{}),
		cleanup:    func(context.Context) { t.Error("clean-up ran on SIGTERM") },
		exit:       func(int) { t.Error("exited on SIGTERM") },
	}
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() { srv.watch(l, done); close(watched) }()

	term <- os.Interrupt // any value: the channel stands for SIGTERM
	if !srv.Drain(2 * time.Second) {
		t.Fatal("the running RPC did not return after SIGTERM")
	}
	if inner.stops.Load() != 1 || reset.Load() != 1 {
		t.Errorf("StopProvider called %d times, SIGTERM reset %d times; want 1 and 1", inner.stops.Load(), reset.Load())
	}
	select {
	case <-watched:
		t.Fatal("watch ended on SIGTERM; the CLI shuts the provider down")
	case <-time.After(100 * time.Millisecond):
	}
	close(done)
	select {
	case <-watched:
	case <-time.After(2 * time.Second):
		t.Fatal("watch did not end when Serve returned")
	}
}

// TestDrain_timesOut: Drain gives up after its wait while an RPC runs.
func TestDrain_timesOut(t *testing.T) {
	inner := &stoppable{Inner: frameworkServer(t)}
	srv := Wrap(inner)
	running(t, srv)
	start := time.Now()
	if srv.Drain(100 * time.Millisecond) {
		t.Error("Drain reported no RPC running")
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > time.Second {
		t.Errorf("Drain returned after %s, want about 100ms", d)
	}
	srv.Stop(context.Background())
	if !srv.Drain(time.Second) {
		t.Error("the RPC still runs after Stop")
	}
}
