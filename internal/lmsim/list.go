package lmsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Paging limits of LogicMonitor list calls.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// listOf answers a list call over one collection: the items in id order
// that keep (when given) and the query's filter accept, rendered by view and
// paged by size and offset.
func listOf[T any](c *call, items map[int32]*T, filterFields map[string]bool,
	field func(*T, string) string, keep func(*T) bool, view func(*T) any,
) (int, any) {
	lq, e := parseListQuery(c.query, filterFields)
	if e != nil {
		return fail(e)
	}
	var all []any
	for _, id := range sortedIDs(items) {
		it := items[id]
		if keep != nil && !keep(it) {
			continue
		}
		if matches(lq.conds, func(f string) string { return field(it, f) }) {
			all = append(all, view(it))
		}
	}
	return answer(paginate(all, lq))
}

// listQuery is the common query of list calls.
type listQuery struct {
	conds  []condition
	size   int
	offset int
	fields []string
}

func parseListQuery(q url.Values, filterFields map[string]bool) (listQuery, *apiError) {
	lq := listQuery{size: defaultPageSize}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return lq, errorf(http.StatusBadRequest, "size %q is not an integer", v)
		case n > maxPageSize:
			return lq, errorf(http.StatusBadRequest, "size %d is above the maximum of %d", n, maxPageSize)
		case n < 0:
			return lq, errorf(http.StatusBadRequest, "size %d is negative", n)
		}
		// UNCONFIRMED: size=0 returns no items but the total, which is how
		// a caller counts matches cheaply.
		lq.size = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return lq, errorf(http.StatusBadRequest, "offset %q is not an integer", v)
		}
		if n < 0 {
			return lq, errorf(http.StatusBadRequest, "offset %d is negative", n)
		}
		lq.offset = n
	}
	conds, err := parseFilter(q.Get("filter"), filterFields)
	if err != nil {
		return lq, errorf(http.StatusBadRequest, "%s", err)
	}
	lq.conds = conds
	lq.fields = parseFields(q.Get("fields"))
	return lq, nil
}

func parseFields(v string) []string {
	var fields []string
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			fields = append(fields, f)
		}
	}
	return fields
}

// page is the list answer (ApiTokenPaginationResponse and friends).
type page struct {
	Total    int     `json:"total"`
	SearchID *string `json:"searchId"`
	Items    []any   `json:"items"`
}

// paginate cuts the matches into the requested page, each item restricted
// to the requested fields.
func paginate(all []any, lq listQuery) page {
	p := page{Total: len(all), Items: []any{}}
	if lq.offset < len(all) {
		end := min(lq.offset+lq.size, len(all))
		for _, v := range all[lq.offset:end] {
			p.Items = append(p.Items, selectFields(v, lq.fields))
		}
	}
	return p
}

// answerOne answers a single object, restricted to the query's fields.
func (c *call) answerOne(v any) (int, any) {
	return answer(selectFields(v, parseFields(c.query.Get("fields"))))
}

// selectFields keeps only the named properties of v. UNCONFIRMED: unknown
// names are ignored rather than rejected.
func selectFields(v any, fields []string) any {
	if len(fields) == 0 {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		panic(err)
	}
	out := make(map[string]json.RawMessage, len(fields))
	for _, f := range fields {
		if raw, ok := all[f]; ok {
			out[f] = raw
		}
	}
	return out
}
