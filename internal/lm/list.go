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
//
// LogicMonitor pages by offset only. A listing counts only as a complete,
// consistent set of well-formed pages (decode checks each page's shape):
// every page reports the same `total`, and the items add up to it, each
// page full until the total is reached. Anything else ends the sequence
// with a Malformed error, so that no caller takes a partial list for the
// whole (a token missing from it would look deleted). A negative total is
// taken as "not counted" (UNCONFIRMED: the Swagger does not say, and
// earlier versions of this client accepted it): the listing then ends at
// the first short page. Every request goes through do, so the pacer
// spaces the pages.
func each[T any](ctx context.Context, c *Client, path string, opts ListOptions, extra url.Values) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		size := opts.PageSize
		if size <= 0 || size > maxPageSize {
			size = maxPageSize
		}
		var total int32
		for offset := 0; ; {
			q := url.Values{}
			for k, v := range extra {
				q[k] = v
			}
			q.Set("size", strconv.Itoa(size))
			q.Set("offset", strconv.Itoa(offset))
			if opts.Filter != "" {
				q.Set("filter", opts.Filter)
			}
			if opts.Fields != "" {
				q.Set("fields", withID(opts.Fields))
			}
			var page pageAnswer[T]
			if err := c.do(ctx, &call{method: http.MethodGet, path: path, query: q, out: &page}); err != nil {
				yield(zero, err)
				return
			}
			items := *page.Items
			if offset == 0 {
				total = *page.Total
			}
			disagree := ""
			switch {
			case *page.Total != total:
				disagree = fmt.Sprintf("`total` was %d on the first page and %d at offset %d", total, *page.Total, offset)
			case total >= 0 && offset+len(items) > int(total):
				disagree = fmt.Sprintf("the pages hold more items (%d) than `total` (%d)", offset+len(items), total)
			}
			if disagree != "" {
				yield(zero, pagesDisagree(path, disagree))
				return
			}
			offset += len(items)
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			full := len(items) >= size
			switch {
			case total < 0 && !full, total >= 0 && offset == int(total):
				return
			case total >= 0 && !full:
				yield(zero, pagesDisagree(path, fmt.Sprintf("the page at offset %d held %d of the %d items asked for, "+
					"but `total` says %d, so %d are missing", offset-len(items), len(items), size, total, int(total)-offset)))
				return
			}
		}
	}
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
