package lm

// Listing: offset paging through every page, read strictly (decode.go)
// and checked to add up.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// maxPageSize is LogicMonitor's largest page.
const maxPageSize = 1000

// ListOptions select and page list calls.
type ListOptions struct {
	Filter   string // LogicMonitor filter expression, sent as-is
	Fields   string // properties to return; id is always added
	PageSize int    // default and maximum 1000; every page is fetched
	Type     string // "" or TokenTypeLMv1 for LMv1 tokens; TokenTypeBearer for bearer tokens
}

// QuoteFilter quotes a value for a filter expression (ListOptions.Filter):
// inside quotes only `"` and `\` need escaping. (strconv.Quote is not the
// same: it escapes control and non-printable characters as Go does, which
// LogicMonitor does not read back.)
func QuoteFilter(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}

// listAll fetches every page: a complete, consistent listing, or an error.
func listAll[T any](ctx context.Context, c *Client, path string, opts ListOptions, extra url.Values) ([]T, error) {
	return collectAll(func() iter.Seq2[T, error] { return each[T](ctx, c, path, opts, extra) })
}

// collectAll gathers a listing. Pages that do not add up are what a list
// changing while it is read looks like (offset paging shifts under a
// create or delete), so the listing is read once more before the error
// stands.
func collectAll[T any](seq func() iter.Seq2[T, error]) ([]T, error) {
	all, err := collect(seq())
	var e *Error
	if errors.As(err, &e) && e.pagesChanged {
		all, err = collect(seq())
	}
	return all, err
}

// collect gathers a sequence into a slice, or returns its error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	all := []T{}
	for it, err := range seq {
		if err != nil {
			return nil, err
		}
		all = append(all, it)
	}
	return all, nil
}

// each yields the items of every page, one at a time, fetching the next
// page only when the caller keeps iterating. An error ends the sequence.
// The pages are read and checked by Pages.
func each[T any](ctx context.Context, c *Client, path string, opts ListOptions, extra url.Values) iter.Seq2[T, error] {
	return newPages[T](c, path, opts, extra).all(ctx)
}

// all yields the items of the pages still to read, one at a time.
func (p *Pages[T]) all(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for !p.Done() {
			items, err := p.Next(ctx)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
		}
	}
}

// Pages reads one listing a page at a time, at the caller's pace and each
// page under the caller's context of the moment: a caller can read the
// first page, decide from its total whether the rest is worth reading,
// and read the rest, or only the pages it needs, later and in any order
// (the provider's portal-wide refresh does).
//
// LogicMonitor pages by offset only. A listing counts only as a complete,
// consistent set of well-formed pages (decode checks each page's shape):
// every page reports the same `total`, and the items add up to it, each
// page full until the total is reached. Anything else is a Malformed
// error (IsPagesChanged), so that no caller takes a partial list for the
// whole (a token missing from it would look deleted). A negative total is
// taken as "not counted" (UNCONFIRMED: the Swagger does not say, and
// earlier versions of this client accepted it): the listing then ends at
// the first short page, and is read in order only. Every request goes
// through do, so the pacer spaces the pages. Pages are safe to read
// concurrently; an error ends the listing.
type Pages[T any] struct {
	c     *Client
	path  string
	opts  ListOptions
	extra url.Values
	size  int

	mu    sync.Mutex
	total int32
	read  int          // pages read
	got   map[int]bool // which, by index
	done  bool
	err   error // what ended the listing, if not its last page
	// vet, if set, checks every item and completes it (a user's token
	// list holds only that user's tokens; a token gets its type); its
	// error ends the listing.
	vet func(*T) error
}

func newPages[T any](c *Client, path string, opts ListOptions, extra url.Values) *Pages[T] {
	size := opts.PageSize
	if size <= 0 || size > maxPageSize {
		size = maxPageSize
	}
	return &Pages[T]{c: c, path: path, opts: opts, extra: extra, size: size, got: map[int]bool{}}
}

// Done reports whether the listing is complete (or ended in an error).
func (p *Pages[T]) Done() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// Total is the `total` of the first page: how many items the listing
// holds (negative: not counted). Zero before the first page.
func (p *Pages[T]) Total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return int(p.total)
}

// PageSize is the size asked for every page.
func (p *Pages[T]) PageSize() int { return p.size }

// Read is the number of pages read so far.
func (p *Pages[T]) Read() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.read
}

// Count is the number of pages the listing holds, known from the first
// page's total (at least 1); -1 before it, or when the total is not
// counted.
func (p *Pages[T]) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count()
}

func (p *Pages[T]) count() int {
	if p.read == 0 || p.total < 0 {
		return -1
	}
	return max(1, (int(p.total)+p.size-1)/p.size)
}

// Remaining is the number of pages still to read, known from the first
// page's total; -1 when the total is not counted.
func (p *Pages[T]) Remaining() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.done:
		return 0
	case p.read == 0:
		return 1
	case p.total < 0:
		return -1
	}
	return p.count() - len(p.got)
}

// Has reports whether page i was read.
func (p *Pages[T]) Has(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got[i]
}

// Next reads the first page not read yet. After the last page, or an
// error, Done is true and Next returns nothing.
func (p *Pages[T]) Next(ctx context.Context) ([]T, error) {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return nil, nil
	}
	i := 0
	if p.read > 0 && p.total < 0 {
		i = p.read // not counted: in order, each page full until the last
	}
	for p.got[i] {
		i++
	}
	p.mu.Unlock()
	return p.Page(ctx, i)
}

// Page reads page i (the items from offset i × PageSize). Pages after
// the first read may be read in any order once the total is known; a page
// read again, or past the last, is an error, and after an error every
// page is that error.
func (p *Pages[T]) Page(ctx context.Context, i int) ([]T, error) {
	p.mu.Lock()
	switch {
	case p.err != nil:
		p.mu.Unlock()
		return nil, p.err
	case p.got[i] || i < 0 || (p.read > 0 && p.total >= 0 && i >= p.count()) || (p.read > 0 && p.total < 0 && i != p.read):
		p.mu.Unlock()
		return nil, fmt.Errorf("page %d of %s: not a page still to read", i, p.path)
	}
	p.mu.Unlock()
	items, err := p.page(ctx, i)
	if err != nil {
		p.mu.Lock()
		p.done, p.err = true, err
		p.mu.Unlock()
	}
	return items, err
}

func (p *Pages[T]) page(ctx context.Context, i int) ([]T, error) {
	offset := i * p.size
	q := url.Values{}
	for k, v := range p.extra {
		q[k] = v
	}
	q.Set("size", strconv.Itoa(p.size))
	q.Set("offset", strconv.Itoa(offset))
	if p.opts.Filter != "" {
		q.Set("filter", p.opts.Filter)
	}
	if p.opts.Fields != "" {
		q.Set("fields", withID(p.opts.Fields))
	}
	var page pageAnswer[T]
	if err := p.c.do(ctx, &call{method: http.MethodGet, path: p.path, query: q, out: &page}); err != nil {
		return nil, err
	}
	items := *page.Items
	if p.vet != nil {
		for i := range items {
			if err := p.vet(&items[i]); err != nil {
				return nil, err
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.read == 0 {
		p.total = *page.Total
	}
	p.read++
	p.got[i] = true
	full := len(items) >= p.size
	disagree := ""
	switch {
	case *page.Total != p.total:
		disagree = fmt.Sprintf("`total` was %d on the first page and %d at offset %d", p.total, *page.Total, offset)
	case p.total >= 0 && offset+len(items) > int(p.total):
		disagree = fmt.Sprintf("the pages hold more items (%d) than `total` (%d)", offset+len(items), p.total)
	case p.total >= 0 && !full && offset+len(items) < int(p.total):
		disagree = fmt.Sprintf("the page at offset %d held %d of the %d items asked for, "+
			"but `total` says %d, so %d are missing", offset, len(items), p.size, p.total, int(p.total)-offset-len(items))
	}
	if disagree != "" {
		return nil, pagesDisagree(p.path, disagree)
	}
	if (p.total < 0 && !full) || (p.total >= 0 && len(p.got) == p.count()) {
		p.done = true
	}
	return items, nil
}

// IsPagesChanged reports whether err is a listing whose pages did not add
// up: what a list that changed while it was read looks like. Reading it
// again from the first page is the remedy.
func IsPagesChanged(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.pagesChanged
}

// withID adds id to a fields selection: an item without its id is not
// LogicMonitor's answer (decode refuses it).
func withID(fields string) string {
	for _, f := range strings.Split(fields, ",") {
		if strings.TrimSpace(f) == "id" {
			return fields
		}
	}
	return "id," + fields
}

// pagesDisagree is the error of a listing whose pages do not add up.
func pagesDisagree(path, why string) *Error {
	return &Error{
		StatusCode: http.StatusOK, Method: http.MethodGet, Path: path, Malformed: true, pagesChanged: true,
		Message: "the pages of the list do not add up: " + why + "; the list changed while it was read " +
			"(try again), or the endpoint is not LogicMonitor's",
	}
}
