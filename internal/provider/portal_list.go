package provider

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// portalList is one portal-wide listing (the API tokens of one type, the
// users, the roles) that serves a plan's refreshes once enough of them
// ask, instead of one call each (DESIGN.md, "Batched refresh").
//
// Refreshes arrive one Read per object, at most -parallelism at a time, so
// the provider never knows the plan's size up front. The rule is the
// classic rent-or-buy one, with LogicMonitor's own counts:
//
//   - The first lookup reads the listing's first page (at most 1000
//     items): one GET, as the object's own call would be, and, in a
//     portal of up to 1000 such objects, the whole listing. Its `total`
//     says how many pages the rest would take (R).
//   - Lookups that the pages read so far do not answer are fetched on
//     their own ("rent": a user's token list, one user's or role's GET),
//     counted per key (a token's user; a user or a role itself), until
//     the keys rented reach R: then the rest of the listing is read
//     ("buy") and serves every later lookup. A plan never pays much more
//     than twice the cheaper of the two.
//   - Before renting, the lookups are weighed (estimate): those that
//     waited for the first page, and those that arrive while two more
//     pages could be read, are a sample of the plan. How often they
//     repeat a key says how many keys the plan reads (the birthday
//     estimate, capped at twice the sample so that the bound holds);
//     when that reaches R, the rest is read at once: a large plan pays
//     about what the listings alone cost.
//
// What a complete listing lacks is only "unlisted": the caller still
// proves it gone with its own call (gone.go), since offset paging of a
// list that changes while it is read can skip an item. This process's
// writes are applied to what was read, and replayed over pages read
// later, so a lookup never returns data older than a write the same
// process made.
type portalList[T any] struct {
	what     string // what the listing holds, for errors: "users"
	pageSize int    // 0: LogicMonitor's maximum
	pages    func(lm.ListOptions) (*lm.Pages[T], error)
	idOf     func(T) int32

	// mu and sample may be shared with peers: the token listings of the
	// two types, which one plan's refresh reads together.
	mu       *sync.Mutex
	sample   *lookupSample
	probe    *listRound // the first page: nil before the first lookup
	buy      *listRound // the rest: nil until bought
	p        *lm.Pages[T]
	byID     map[int32]T // what the pages read so far hold, with this process's writes
	complete bool
	// pending holds this process's writes since the first page was asked
	// for, replayed over pages read after them.
	pending []func(map[int32]T)
	// waiting: keys of lookups waiting for the first page, or for the
	// decision after it, with their ids.
	waiting map[int32][]int32
	// decided, while not nil, is closed when the lookups the first page
	// did not answer have been weighed; decideAt is when they are; took
	// is how long the first page took; weighed: the weighing is over.
	decided  chan struct{}
	decideAt time.Time
	took     time.Duration
	weighed  bool
	// seen counts the lookups since the first page came, and those of
	// them the pages read did not answer (outside): the share of the
	// plan's lookups that would need their own calls.
	seen, seenOutside int
	rented            map[int32]bool // keys fetched on their own
	rent              int            // pages those cost (one per key, and spent's)
	// off: the listing is given up (fail): every lookup makes its own
	// call from then on.
	off   bool
	reads int // listing pages read, for tests
}

// listRound is one read of the first page, or of the rest; its waiters
// learn its outcome.
type listRound struct {
	done chan struct{}
	err  error
}

// listVerdict is what the listing says of one lookup.
type listVerdict int

const (
	// listed: the listing holds the object, as returned.
	listed listVerdict = iota
	// unlisted: a complete listing lacks it; the caller confirms.
	unlisted
	// own: the listing does not answer it (yet): the caller fetches it
	// on its own.
	own
)

func newPortalList[T any](what string, pages func(lm.ListOptions) (*lm.Pages[T], error), idOf func(T) int32) *portalList[T] {
	return &portalList[T]{what: what, pages: pages, idOf: idOf, rented: map[int32]bool{},
		mu: &sync.Mutex{}, sample: &lookupSample{keys: map[int32]bool{}}}
}

// get answers a lookup of the object id, whose own call is keyed by key.
func (l *portalList[T]) get(ctx context.Context, key, id int32) (T, listVerdict, error) {
	var zero T
	counted := false // in seen: a lookup that waited for the first page is counted there
	l.mu.Lock()
	for {
		if l.off {
			l.mu.Unlock()
			return zero, own, nil
		}
		if l.probe == nil {
			r := &listRound{done: make(chan struct{})}
			l.probe, l.byID, l.pending, l.p = r, nil, nil, nil
			l.waiting = map[int32][]int32{key: {id}}
			l.sample.add(key)
			counted = true
			l.mu.Unlock()
			l.readFirst(ctx, r)
			l.mu.Lock()
			if r.err != nil && !l.off {
				l.mu.Unlock()
				return zero, own, r.err
			}
			continue
		}
		if l.complete {
			it, ok := l.byID[id]
			l.mu.Unlock()
			if ok {
				return it, listed, nil
			}
			return zero, unlisted, nil
		}
		if l.byID == nil { // the first page is on its way
			l.waiting[key] = append(l.waiting[key], id)
			l.sample.add(key)
			counted = true
			if err := l.wait(ctx, l.probe); err != nil {
				return zero, own, err
			}
			continue
		}
		it, ok := l.byID[id]
		if !counted {
			counted = true
			l.seen++
			if !ok {
				l.seenOutside++
			}
		}
		if ok {
			l.mu.Unlock()
			return it, listed, nil
		}
		if l.buy != nil {
			if err := l.wait(ctx, l.buy); err != nil {
				return zero, own, err
			}
			continue
		}
		if ch := l.decided; ch != nil { // weighing the lookups after the first page
			if !slices.Contains(l.waiting[key], id) { // not one that waited for the first page
				l.waiting[key] = append(l.waiting[key], id)
				l.sample.add(key)
				if l.rent+l.estimate() >= l.p.Remaining() {
					// Enough to buy already: no need to wait.
					if b := l.decide(); b != nil {
						if err := l.readRestNow(ctx, b); err != nil {
							return zero, own, err
						}
					}
					continue
				}
			}
			timer := time.NewTimer(time.Until(l.decideAt))
			l.mu.Unlock()
			select {
			case <-ch:
			case <-timer.C:
			case <-ctx.Done():
			}
			timer.Stop()
			if err := ctx.Err(); err != nil {
				return zero, own, fmt.Errorf("cancelled while the portal's %s were weighed: %w", l.what, context.Cause(ctx))
			}
			l.mu.Lock()
			if l.decided == ch { // this lookup weighs them
				if b := l.decide(); b != nil {
					if err := l.readRestNow(ctx, b); err != nil {
						return zero, own, err
					}
				}
			}
			continue
		}
		if !l.weighed { // the first lookup the first page does not answer
			l.waiting = map[int32][]int32{key: {id}}
			l.sample.add(key)
			if b := l.weigh(); b != nil {
				if err := l.readRestNow(ctx, b); err != nil {
					return zero, own, err
				}
			}
			continue
		}
		rest := l.p.Remaining()
		if l.rented[key] || rest < 0 || l.rent < rest {
			// Cheaper on its own so far (a listing whose total is not
			// counted is never bought: its cost is unknown).
			if !l.rented[key] {
				l.rented[key] = true
				l.rent++
			}
			l.mu.Unlock()
			return zero, own, nil
		}
		r := &listRound{done: make(chan struct{})}
		l.buy = r
		if err := l.readRestNow(ctx, r); err != nil {
			return zero, own, err
		}
	}
}

// readRestNow reads the rest of the listing in the caller's goroutine,
// with l.mu held on entry and on a nil return.
func (l *portalList[T]) readRestNow(ctx context.Context, b *listRound) error {
	l.mu.Unlock()
	l.readRest(ctx, b)
	l.mu.Lock()
	if b.err != nil && !l.off { // a listing given up leaves the lookup its own call
		l.mu.Unlock()
		return b.err
	}
	return nil
}

// wait waits for a round, with l.mu held on entry and on a nil return.
func (l *portalList[T]) wait(ctx context.Context, r *listRound) error {
	l.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		// The round's reader usually ends a moment later with the failure
		// it was retrying, which says more than "context canceled".
		select {
		case <-r.done:
		case <-time.After(time.Second):
			return fmt.Errorf("cancelled while another refresh was listing the portal's %s: %w", l.what, context.Cause(ctx))
		}
	}
	l.mu.Lock()
	if r.err != nil && !l.off { // a listing given up leaves the lookup its own call
		l.mu.Unlock()
		return r.err
	}
	return nil
}

// readFirst reads the first page and decides, from the lookups that
// waited for it, whether to read the rest at once.
func (l *portalList[T]) readFirst(ctx context.Context, r *listRound) {
	p, err := l.pages(lm.ListOptions{PageSize: l.pageSize})
	var items []T
	start := time.Now()
	if err == nil {
		items, err = p.Next(ctx)
	}
	took := time.Since(start)
	l.mu.Lock()
	if err != nil {
		l.fail(r, err)
		l.mu.Unlock()
		return
	}
	l.reads++
	l.p = p
	l.byID = make(map[int32]T, len(items))
	l.merge(items)
	l.took = took
	for _, ids := range l.waiting {
		for _, id := range ids {
			l.seen++
			if _, ok := l.byID[id]; !ok {
				l.seenOutside++
			}
		}
	}
	var b *listRound
	switch {
	case p.Done():
		l.complete, l.pending, l.waiting = true, nil, nil
	case l.outside() > 0:
		b = l.weigh()
	default:
		l.waiting = nil // answered: the weighing starts with the first lookup it does not answer
	}
	close(r.done)
	l.mu.Unlock()
	if b != nil {
		l.readRest(ctx, b)
	}
}

// readRest reads the pages after the first; pages that do not add up (the
// list changed while it was read) are read again from the first, once.
func (l *portalList[T]) readRest(ctx context.Context, r *listRound) {
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	var rest []T
	n, err := 0, error(nil)
	read := func(p *lm.Pages[T]) {
		for !p.Done() {
			var items []T
			if items, err = p.Next(ctx); err != nil {
				return
			}
			n++
			rest = append(rest, items...)
		}
	}
	read(p)
	again := lm.IsPagesChanged(err)
	if again {
		// The first page is read again too: the new pages replace it.
		rest, err = nil, nil
		if p, err = l.pages(lm.ListOptions{PageSize: l.pageSize}); err == nil {
			read(p)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads += n
	if err != nil {
		l.fail(r, err)
		return
	}
	if again {
		l.byID = make(map[int32]T, len(rest))
	}
	l.merge(rest)
	l.complete, l.pending = true, nil
	close(r.done)
}

// merge adds items read from LogicMonitor, then replays this process's
// writes since the first page was asked for over them. l.mu is held.
func (l *portalList[T]) merge(items []T) {
	for _, it := range items {
		l.byID[l.idOf(it)] = it
	}
	for _, op := range l.pending {
		op(l.byID)
	}
}

// fail ends a round in an error and forgets the listing, so that the
// next lookup starts afresh instead of caching a failure. l.mu is held.
func (l *portalList[T]) fail(r *listRound, err error) {
	r.err = err
	// Given up for the run: a listing that answers 404 (an endpoint
	// missing, or something in the way), and one that changed under two
	// reads in a row (a busy portal; readRest reads it twice). The
	// objects' own calls are always right.
	l.off = l.off || lm.IsNotFound(err) || lm.IsPagesChanged(err)
	l.probe, l.buy, l.p, l.byID, l.pending, l.waiting, l.complete = nil, nil, nil, nil, nil, nil, false
	if l.decided != nil {
		close(l.decided)
		l.decided = nil
	}
	l.weighed, l.seen, l.seenOutside = false, 0, 0
	close(r.done)
}
