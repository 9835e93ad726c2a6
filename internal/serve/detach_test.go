package serve

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type ctxKey struct{}

// gcWait is how long to wait for payloads to be freed: long where they
// should be, short in a control where they should not.
func gcWait(shouldFree bool) time.Duration {
	if shouldFree {
		return 2 * time.Second
	}
	return 100 * time.Millisecond
}

// registry does what terraform-plugin-framework v1.19.0's proto6server
// does with each RPC's context: WithCancel, and the CancelFunc kept until
// StopProvider.
type registry struct {
	mu      sync.Mutex
	cancels []context.CancelFunc
}

func (r *registry) register(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cancels = append(r.cancels, cancel)
	return ctx
}

// payload is a request's context value; collected counts those the garbage
// collector has freed.
type payload struct{ _ [4096]byte }

// requestContext returns a context like a gRPC request's: cancellable,
// carrying a value whose collection is counted.
func requestContext(collected *atomic.Int64) (context.Context, context.CancelFunc) {
	p := &payload{}
	runtime.AddCleanup(p, func(c *atomic.Int64) { c.Add(1) }, collected)
	ctx, cancel := context.WithCancel(context.Background())
	return context.WithValue(ctx, ctxKey{}, p), cancel
}

// waitCollected runs the garbage collector until want payloads are freed or
// wait has passed, and returns how many were.
func waitCollected(collected *atomic.Int64, want int64, wait time.Duration) int64 {
	deadline := time.Now().Add(wait)
	for collected.Load() < want && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	return collected.Load()
}

// rpcs runs n RPCs on the registry; with detach, each through Detach.
func rpcs(t *testing.T, reg *registry, n int, detach bool, collected *atomic.Int64) {
	t.Helper()
	for range n {
		func() {
			parent, cancelParent := requestContext(collected)
			defer cancelParent() // gRPC cancels the stream context when the RPC ends
			ctx := parent
			if detach {
				var release func()
				ctx, release = Detach(parent)
				defer release()
			}
			ctx = reg.register(ctx)
			if ctx.Value(ctxKey{}) == nil {
				t.Fatal("the request's value is not visible during the RPC")
			}
		}()
	}
}

// TestDetach_registeredContextsDoNotPinRequests: after N RPCs whose
// contexts a framework-like server keeps, every request's values are
// collectable through Detach; without it, none is (the control, which
// shows the test can see the leak).
func TestDetach_registeredContextsDoNotPinRequests(t *testing.T) {
	const n = 200
	for _, detach := range []bool{false, true} {
		var collected atomic.Int64
		reg := &registry{}
		rpcs(t, reg, n, detach, &collected)
		got := waitCollected(&collected, n, gcWait(detach))
		switch {
		case detach && got != n:
			t.Errorf("with Detach: %d of %d request contexts collected while their registered children are kept", got, n)
		case !detach && got != 0:
			t.Errorf("control without Detach: %d of %d request contexts collected; the test cannot see the leak", got, n)
		}
		runtime.KeepAlive(reg)
	}
}

// TestDetach_noGoroutinePerRPC: neither Detach nor a context derived from
// it and kept (the framework's) leaves a goroutine behind, whether the
// parent is a standard-library context or a foreign one with its own Done
// channel, for which context.AfterFunc needs a goroutine until release.
func TestDetach_noGoroutinePerRPC(t *testing.T) {
	for name, newParent := range map[string]func() (context.Context, context.CancelFunc){
		"stdlib": func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.WithValue(context.Background(), ctxKey{}, 1))
		},
		"foreign": func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			return foreignCtx{ctx}, cancel
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			reg := &registry{}
			var parents []context.CancelFunc // parents stay live: only release may end the goroutines
			for range 500 {
				parent, cancel := newParent()
				parents = append(parents, cancel)
				ctx, release := Detach(parent)
				reg.register(ctx)
				release()
			}
			if after := settledGoroutines(before); after > before+2 {
				t.Errorf("%d goroutines before 500 RPCs, %d after", before, after)
			}
			for _, c := range parents {
				c()
			}
		})
	}
}

// foreignCtx hides the standard library's context type, so the context
// package cannot register children with it directly.
type foreignCtx struct{ ctx context.Context }

func (f foreignCtx) Deadline() (time.Time, bool) { return f.ctx.Deadline() }
func (f foreignCtx) Done() <-chan struct{}       { return f.ctx.Done() }
func (f foreignCtx) Err() error                  { return f.ctx.Err() }
func (f foreignCtx) Value(k any) any             { return f.ctx.Value(k) }

func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 100 && n > want; i++ {
		time.Sleep(5 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// TestDetach_cancellationDuringRPC: cancelling the parent during the RPC
// cancels the detached context and what the framework derived from it,
// with the parent's cause; values and deadline are the parent's.
func TestDetach_cancellationDuringRPC(t *testing.T) {
	cause := errors.New("client went away")
	deadline := time.Now().Add(time.Hour)
	base, cancel := context.WithCancelCause(context.Background())
	base, cancelDeadline := context.WithDeadline(base, deadline)
	defer cancelDeadline()
	parent := context.WithValue(base, ctxKey{}, "v")

	ctx, release := Detach(parent)
	defer release()
	child := (&registry{}).register(ctx)
	if got := child.Value(ctxKey{}); got != "v" {
		t.Errorf("value %v, want v", got)
	}
	if d, ok := child.Deadline(); !ok || !d.Equal(deadline) {
		t.Errorf("deadline %v %v, want %v", d, ok, deadline)
	}
	if child.Err() != nil {
		t.Fatalf("cancelled before the parent: %v", child.Err())
	}
	cancel(cause)
	select {
	case <-child.Done():
	case <-time.After(time.Second):
		t.Fatal("the parent's cancellation did not reach the RPC's context")
	}
	if !errors.Is(child.Err(), context.Canceled) || !errors.Is(context.Cause(child), cause) {
		t.Errorf("err %v, cause %v; want context.Canceled and %v", child.Err(), context.Cause(child), cause)
	}
	if child.Value(ctxKey{}) != "v" {
		t.Error("values are gone before the RPC returned")
	}
}

// TestDetach_deadline: the parent's deadline expires the detached context
// with context.DeadlineExceeded.
func TestDetach_deadline(t *testing.T) {
	parent, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ctx, release := Detach(parent)
	defer release()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("err %v, want context.DeadlineExceeded", ctx.Err())
	}
}

// TestDetach_release: after release the context is cancelled (as gRPC
// cancels the request's) and answers no value; the parent is untouched.
func TestDetach_release(t *testing.T) {
	parent := context.WithValue(context.Background(), ctxKey{}, "v")
	ctx, release := Detach(parent)
	child := (&registry{}).register(ctx)
	release()
	release() // idempotent
	if !errors.Is(child.Err(), context.Canceled) || !errors.Is(context.Cause(child), ErrRPCReturned) {
		t.Errorf("after release: err %v, cause %v", child.Err(), context.Cause(child))
	}
	if child.Value(ctxKey{}) != nil || ctx.Value(ctxKey{}) != nil {
		t.Error("values still reachable after release")
	}
	if parent.Err() != nil || parent.Value(ctxKey{}) != "v" {
		t.Error("release touched the parent")
	}
	if _, ok := ctx.Deadline(); ok {
		t.Error("deadline without a parent deadline")
	}
}
