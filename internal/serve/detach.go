package serve

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrRPCReturned is the cause of a detached context's cancellation when its
// RPC returned (context.Cause); Err is context.Canceled, as for the gRPC
// request context, which gRPC cancels at the same moment.
var ErrRPCReturned = errors.New("serve: the RPC returned")

// Detach returns a context for one RPC that carries parent's values,
// deadline and cancellation until release is called; release cancels it
// and drops every reference to parent, so a child the framework keeps after
// the RPC no longer pins the request (loggers, fields, gRPC stream).
// release is idempotent and goroutine-safe; for a standard-library parent
// (gRPC's) no goroutine is started.
func Detach(parent context.Context) (ctx context.Context, release func()) {
	v := &valuesCtx{}
	v.parent.Store(&parentRef{parent})
	// valuesCtx has a nil Done, so the standard library's cancelCtx and
	// timerCtx above it start no goroutine, and children of ctx register
	// with those directly.
	cctx, cancel := context.WithCancelCause(context.Context(v))
	ctx = cctx
	stopTimer := context.CancelFunc(func() {})
	d, hasDeadline := parent.Deadline()
	if hasDeadline {
		ctx, stopTimer = context.WithDeadline(ctx, d)
	}
	// AfterFunc runs in parent's cancellation or, for a parent the standard
	// library does not know, in a goroutine that stop ends.
	stop := context.AfterFunc(parent, func() {
		if hasDeadline && errors.Is(parent.Err(), context.DeadlineExceeded) {
			// Our own timer, due now, expires ctx with the same error
			// rather than context.Canceled.
			return
		}
		cancel(context.Cause(parent))
	})
	return ctx, func() {
		stop()
		v.parent.Store(nil)
		cancel(ErrRPCReturned)
		stopTimer()
	}
}

type parentRef struct{ ctx context.Context }

// valuesCtx answers Value from the parent until it is released, and nothing
// else: no deadline, no cancellation (the contexts Detach stacks on it
// carry those).
type valuesCtx struct {
	parent atomic.Pointer[parentRef]
}

func (*valuesCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (*valuesCtx) Done() <-chan struct{}       { return nil }
func (*valuesCtx) Err() error                  { return nil }

func (v *valuesCtx) Value(key any) any {
	if p := v.parent.Load(); p != nil {
		return p.ctx.Value(key)
	}
	return nil
}

func (v *valuesCtx) String() string {
	if v.parent.Load() == nil {
		return "serve.Detach(released)"
	}
	return "serve.Detach(parent)"
}
