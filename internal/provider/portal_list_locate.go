package provider

import (
	"slices"
)

// Where in a portalList (portal_list.go) a lookup's object should be:
// LogicMonitor lists objects by id (the simulator does; a listing in
// another order only makes the guesses miss, and the lookups make their
// own calls), so the pages read say where the ids lie.

// pageSpan is where the ids of a page read lie: the lowest and highest,
// and how far apart they are near each end (ids per item), for guessing
// the offset of an id near the page.
type pageSpan struct {
	n              int
	lo, hi         int32
	loStep, hiStep float64
}

func spanOf[T any](items []T, idOf func(T) int32) pageSpan {
	ids := make([]int32, len(items))
	for i, it := range items {
		ids[i] = idOf(it)
	}
	slices.Sort(ids)
	n := len(ids)
	if n == 0 {
		return pageSpan{}
	}
	step := func(a, b int) float64 { // ids per item between positions a < b
		if b <= a {
			return 1
		}
		return max(1, float64(ids[b]-ids[a])/float64(b-a))
	}
	return pageSpan{n: n, lo: ids[0], hi: ids[n-1], loStep: step(0, n/2), hiStep: step((n-1)/2, n-1)}
}

// locate returns the page not read yet that should hold the object id, or
// -1 when the pages read say the listing lacks it (its id lies within a
// page read, or between two pages read next to each other). l.mu is held.
func (l *portalList[T]) locate(id int32) int {
	return locatePage(l.spans, l.p.Count(), l.p.PageSize(), id)
}

// locatePage guesses the page of id, among count pages of size items,
// from the spans of the pages read: from the nearer of the pages read
// below and above it, at the spacing of ids found there.
func locatePage(spans map[int]pageSpan, count, size int, id int32) int {
	below, above := -1, count
	for i, s := range spans {
		if s.n == 0 {
			continue
		}
		if s.lo <= id && id <= s.hi {
			return -1
		}
		if s.hi < id && i > below {
			below = i
		}
		if s.lo > id && i < above {
			above = i
		}
	}
	if above <= below+1 {
		return -1
	}
	var pos float64
	fromBelow := func() float64 {
		b := spans[below]
		return float64(below*size+b.n-1) + float64(id-b.hi)/b.hiStep
	}
	fromAbove := func() float64 {
		a := spans[above]
		return float64(above*size) - float64(a.lo-id)/a.loStep
	}
	switch {
	case below >= 0 && above < count:
		if id-spans[below].hi <= spans[above].lo-id {
			pos = fromBelow()
		} else {
			pos = fromAbove()
		}
	case below >= 0:
		pos = fromBelow()
	case above < count:
		pos = fromAbove()
	default:
		return -1
	}
	i := below + 1
	if pos >= 0 {
		i = int(pos) / size
	}
	return min(max(i, below+1), above-1)
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
