package provider

// What a portalList (portal_list.go) learns besides its own reads: this
// process's writes, kept over pages read later, and answers without a
// call for data sources.

// apply records a write of this process.
func (l *portalList[T]) apply(op func(map[int32]T)) {
	if l == nil {
		return // a provider made by a test without listings
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first == nil {
		return // nothing read yet: the first page will be read fresh
	}
	if l.byID != nil {
		op(l.byID)
	}
	if !l.complete {
		l.pending = append(l.pending, op)
	}
}

// put records an object this process created or changed.
func (l *portalList[T]) put(it T) {
	id := l.idOf(it)
	l.apply(func(m map[int32]T) { m[id] = it })
}

// remove records an object this process deleted.
func (l *portalList[T]) remove(id int32) {
	l.apply(func(m map[int32]T) { delete(m, id) })
}

// forgetAll drops everything read: after a write that changes objects of
// this listing in ways the provider does not follow one by one (a user's
// write changes its roles' user counts), every later lookup makes its
// own call.
func (l *portalList[T]) forgetAll() {
	l.apply(func(m map[int32]T) { clear(m) })
}

// pagesRead is how many listing pages were read, for tests.
func (l *portalList[T]) pagesRead() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads
}

// find returns an object that satisfies match among those read so far,
// without a call of its own: for data sources that look objects up by
// name, which fall back to their filtered call when it finds nothing.
func (l *portalList[T]) find(match func(T) bool) (T, bool) {
	var zero T
	if l == nil {
		return zero, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, it := range l.byID {
		if match(it) {
			return it, true
		}
	}
	return zero, false
}
