package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// portalList is one portal-wide listing (the API tokens of one type, the
// users, the roles) that serves a plan's refreshes from its pages instead
// of one call each (DESIGN.md, "Batched refresh").
//
// Refreshes arrive one Read per object, at most -parallelism at a time, so
// the provider never knows the plan's size up front. The rule reads only
// pages that the lookups ask for, so that a page is never read in vain:
//
//   - The first lookup reads the first page (at most 1000 items): one GET,
//     as the object's own call would be, and, in a portal of up to 1000
//     such objects, the whole listing. Its `total` says how many pages
//     there are.
//   - A lookup that the pages read do not answer reads the page that
//     should hold its object. LogicMonitor lists by id, so that page is
//     found from where the ids of the pages read lie (locate); it is
//     part of the listing, so a plan that reads every object pays the
//     listing's pages and no more, however its Reads are ordered.
//   - A key (a token's user; a user or role itself) whose lookups have
//     read two pages and still go unanswered (its objects spread thin
//     over a huge listing, or ids not in order) makes its own call
//     ("rent": a user's token list; the user's or role's GET). When the
//     keys rented cost as much as the pages still unread, those are read
//     ("buy"): a plan never pays much more than twice the cheaper choice.
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

	mu       sync.Mutex
	p        *lm.Pages[T]       // the listing read: nil before its first page
	first    *listRound         // the first page: nil before the first lookup
	reading  map[int]*listRound // other pages on their way, by index
	spans    map[int]pageSpan   // pages read, by index
	buy      *listRound         // the rest: nil until bought
	byID     map[int32]T        // what the pages read hold, with this process's writes
	complete bool
	// pending holds this process's writes since the first page was asked
	// for, replayed over pages read after them.
	pending []func(map[int32]T)
	located map[int32]int  // pages read for each key's lookups
	rented  map[int32]bool // keys fetched on their own
	rent    int            // pages those cost (one per key, and spent's)
	// resets counts listings that changed while they were read; off: the
	// listing is given up (fail), every lookup makes its own call.
	resets int
	off    bool
	reads  int // listing pages read, for tests
}

// maxLocated is how many pages one key's lookups may read before the key
// makes its own call: a token's user whose tokens straddle two pages
// reads both; one whose tokens are spread over many does not.
const maxLocated = 2

// listRound is one page read, or the rest of the listing; its waiters
// learn its outcome.
type listRound struct {
	done chan struct{}
	err  error
}

func newRound() *listRound { return &listRound{done: make(chan struct{})} }

// listVerdict is what the listing says of one lookup.
type listVerdict int

const (
	// listed: the listing holds the object, as returned.
	listed listVerdict = iota
	// unlisted: a complete listing lacks it; the caller confirms.
	unlisted
	// own: the listing does not answer it: the caller fetches it on its
	// own.
	own
)

func newPortalList[T any](what string, pages func(lm.ListOptions) (*lm.Pages[T], error), idOf func(T) int32) *portalList[T] {
	return &portalList[T]{what: what, pages: pages, idOf: idOf, rented: map[int32]bool{}}
}

// get answers a lookup of the object id, whose own call is keyed by key.
func (l *portalList[T]) get(ctx context.Context, key, id int32) (T, listVerdict, error) {
	var zero T
	l.mu.Lock()
	for {
		if l.off {
			l.mu.Unlock()
			return zero, own, nil
		}
		if l.first == nil {
			r := newRound()
			l.first, l.p, l.byID, l.pending, l.complete = r, nil, nil, nil, false
			l.reading, l.spans, l.located = map[int]*listRound{}, map[int]pageSpan{}, map[int32]int{}
			l.mu.Unlock()
			l.readPage(ctx, r, nil, 0)
			l.mu.Lock()
			if err := l.outcome(r); err != nil {
				return zero, own, err
			}
			continue
		}
		if l.byID == nil { // the first page is on its way
			if err := l.wait(ctx, l.first); err != nil {
				return zero, own, err
			}
			continue
		}
		if it, ok := l.byID[id]; ok {
			l.mu.Unlock()
			return it, listed, nil
		}
		if l.complete {
			l.mu.Unlock()
			return zero, unlisted, nil
		}
		if l.buy != nil {
			if err := l.wait(ctx, l.buy); err != nil {
				return zero, own, err
			}
			continue
		}
		rest := l.p.Remaining()
		if rest >= 0 && l.rent >= rest {
			// The own calls made cost as much as the pages unread: read
			// them (a listing whose total is not counted is never bought:
			// its cost is unknown).
			b := newRound()
			l.buy = b
			l.mu.Unlock()
			l.readRest(ctx, b)
			l.mu.Lock()
			if err := l.outcome(b); err != nil {
				return zero, own, err
			}
			continue
		}
		if i := l.locate(id); i >= 0 {
			if r := l.reading[i]; r != nil {
				if err := l.wait(ctx, r); err != nil {
					return zero, own, err
				}
				continue
			}
			if l.located[key] < maxLocated {
				l.located[key]++
				r := newRound()
				l.reading[i] = r
				p := l.p
				l.mu.Unlock()
				l.readPage(ctx, r, p, i)
				l.mu.Lock()
				if err := l.outcome(r); err != nil {
					return zero, own, err
				}
				continue
			}
		}
		if !l.rented[key] {
			l.rented[key] = true
			l.rent++
		}
		l.mu.Unlock()
		return zero, own, nil
	}
}

// outcome is a round's error for the lookup that ran it, with l.mu held
// on entry and on a nil return: none when the listing was given up (the
// lookup makes its own call) or read again.
func (l *portalList[T]) outcome(r *listRound) error {
	if r.err != nil && !l.off {
		l.mu.Unlock()
		return r.err
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
	return l.outcome(r)
}

// readPage reads page i of the listing p (nil: a new listing, of which
// it reads the first page) and adds it to what was read, unless the
// listing was read afresh meanwhile.
func (l *portalList[T]) readPage(ctx context.Context, r *listRound, p *lm.Pages[T], i int) {
	var items []T
	var err error
	if p == nil {
		p, err = l.pages(lm.ListOptions{PageSize: l.pageSize})
	}
	if err == nil {
		items, err = p.Page(ctx, i)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reading[i] == r {
		delete(l.reading, i)
	}
	switch {
	case err != nil:
		l.fail(r, p, err)
		return
	case l.first == r:
		l.p, l.byID = p, make(map[int32]T, len(items))
	case l.p != p: // read afresh meanwhile: this page belongs to the old listing
		close(r.done)
		return
	}
	l.reads++
	l.spans[i] = spanOf(items, l.idOf)
	l.merge(items)
	if p.Remaining() == 0 {
		l.complete, l.pending = true, nil
	}
	close(r.done)
}

// readRest reads the pages that no lookup has read or is reading, then
// waits for those on their way.
func (l *portalList[T]) readRest(ctx context.Context, b *listRound) {
	defer close(b.done)
	l.mu.Lock()
	p := l.p
	for i := 0; i < p.Count(); i++ {
		if p.Has(i) || l.reading[i] != nil {
			continue
		}
		r := newRound()
		l.reading[i] = r
		l.mu.Unlock()
		l.readPage(ctx, r, p, i)
		l.mu.Lock()
		if l.p != p { // failed, or read afresh
			b.err = r.err
			l.mu.Unlock()
			return
		}
	}
	var others []*listRound
	for _, r := range l.reading {
		others = append(others, r)
	}
	l.mu.Unlock()
	for _, r := range others {
		select {
		case <-r.done:
			b.err = r.err
		case <-ctx.Done():
			b.err = fmt.Errorf("cancelled while the portal's %s were listed: %w", l.what, context.Cause(ctx))
			return
		}
	}
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

// fail ends a round of the listing p in an error and forgets the
// listing, so that the next lookup starts afresh instead of caching a
// failure. l.mu is held.
func (l *portalList[T]) fail(r *listRound, p *lm.Pages[T], err error) {
	defer close(r.done)
	if l.first != r && l.p != p {
		return // a round of a listing already forgotten: its waiters look again
	}
	// A listing that changed while it was read (a token made or deleted
	// meanwhile) is read again; given up for the run when it changes
	// again (a busy portal), or answers 404 (an endpoint missing, or
	// something in the way). The objects' own calls are always right.
	changed := lm.IsPagesChanged(err)
	if changed {
		l.resets++
	}
	l.off = l.off || lm.IsNotFound(err) || l.resets >= 2
	if !changed {
		r.err = err
	}
	l.first, l.buy, l.p, l.byID, l.pending, l.complete = nil, nil, nil, nil, nil, false
	l.reading, l.spans, l.located = nil, nil, nil
}
