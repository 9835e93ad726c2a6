package provider

import (
	"math"
	"time"
)

// The rent-or-buy decision of a portalList (portal_list.go): whether the
// lookups seen so far make reading the rest of a listing cheaper than
// their own calls.

// lookupSample counts the lookups that waited for a first page, and the
// keys they asked for: how broad the plan is (keysEstimate).
type lookupSample struct {
	lookups int
	keys    map[int32]bool
}

func (s *lookupSample) add(key int32) {
	s.lookups++
	s.keys[key] = true
}

// spent counts pages that a key's own fetch cost beyond its first (a
// user's token list of more than 1000 tokens).
func (l *portalList[T]) spent(pages int) {
	if l == nil || pages <= 0 {
		return
	}
	l.mu.Lock()
	l.rent += pages
	l.mu.Unlock()
}

// weigh starts weighing the waiting lookups that the first page does not
// answer: it returns the round of the rest of the listing, for the caller
// to read, when they already show that the rest is the cheaper; else the
// lookups that arrive while two more pages could be read join them (and
// buy the rest as soon as they are enough) before those that need more
// are weighed and make their own calls (decide). l.mu is held.
func (l *portalList[T]) weigh() *listRound {
	l.weighed = true
	if rest := l.p.Remaining(); rest < 0 || l.rent+l.estimate() >= rest {
		return l.decide()
	}
	l.decided, l.decideAt = make(chan struct{}), time.Now().Add(2*l.took)
	return nil
}

// outside counts the waiting lookups that the pages read do not answer.
// l.mu is held.
func (l *portalList[T]) outside() int {
	n := 0
	for _, ids := range l.waiting {
		for _, id := range ids {
			if _, ok := l.byID[id]; !ok {
				n++
			}
		}
	}
	return n
}

// estimate is how many keys of their own the lookups like those waiting
// would ask for: the waiting lookups are a sample of what the plan asks
// for, and those the pages read do not answer (w, of d keys not rented
// yet) would be fetched on their own. l.mu is held.
func (l *portalList[T]) estimate() int {
	w, d := 0, 0
	for key, ids := range l.waiting {
		if l.rented[key] {
			continue
		}
		n := 0
		for _, id := range ids {
			if _, ok := l.byID[id]; !ok {
				n++
			}
		}
		w += n
		if n > 0 {
			d++
		}
	}
	// The plan's breadth, from every lookup that waited for a first page
	// of this listing or its peers', in the share of lookups that the
	// pages read do not answer.
	est := keysEstimate(w, d)
	if l.seen > 0 {
		est = max(est, keysEstimate(l.sample.lookups, len(l.sample.keys))*l.seenOutside/l.seen)
	}
	return est
}

// decide weighs the waiting lookups: it returns the round of the rest of
// the listing, for the caller to read, when the rest costs no more than
// the own calls they have made and would make (rent-or-buy), else nil
// (they make their own calls). l.mu is held.
func (l *portalList[T]) decide() *listRound {
	var b *listRound
	if rest := l.p.Remaining(); rest >= 0 && !l.complete && l.rent+l.estimate() >= rest {
		b = &listRound{done: make(chan struct{})}
		l.buy = b
	}
	l.waiting = nil
	if l.decided != nil {
		close(l.decided)
		l.decided = nil
	}
	return b
}

// keysEstimate estimates how many keys a plan asks for from a sample of w
// of its lookups that asked for d distinct keys: the smallest number of
// keys among which w lookups drawn at random would be expected to find d
// (the birthday problem: the fewer repeats, the more keys). A sample
// without repeats says only "many"; the estimate is capped at 2w, so a
// purchase it decides costs at most about twice the d own calls it
// replaces.
func keysEstimate(w, d int) int {
	if d == 0 {
		return 0
	}
	for n := d; n < 2*w; n++ {
		// Keys found by w lookups among n: n(1-(1-1/n)^w).
		if float64(n)*(1-math.Pow(1-1/float64(n), float64(w))) >= float64(d)-0.5 {
			return n
		}
	}
	return 2 * w
}
