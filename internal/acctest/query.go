package acctest

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

// IDIs is the identity { id } of lm_user and lm_role results.
func IDIs(id int64) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{"id": knownvalue.Int64Exact(id)}
}

// ByID is a query filter on the identity { id } of lm_user and lm_role results.
func ByID(id int64) queryfilter.QueryFilter { return queryfilter.ByResourceIdentity(IDIs(id)) }

// Named is a query filter on the display name of the result named name
// (a username or a role name, which start the display name).
func Named(name string) queryfilter.QueryFilter {
	return queryfilter.ByDisplayName(knownvalue.StringRegexp(regexp.MustCompile(`^` + regexp.QuoteMeta(name) + ` `)))
}

// CheckPages checks the page requests a listing made of the simulator at
// paths (below lmsim.BasePath): every one asks for 1000 items, and, each
// counted under key, they are exactly want.
func CheckPages(t *testing.T, log *loadtest.SimLog, paths []string, key func(path string, q url.Values) string, want map[string]int) {
	t.Helper()
	pages := map[string]int{}
	for _, entry := range log.Since(0) {
		path := strings.TrimPrefix(entry.Path, lmsim.BasePath)
		if entry.Method != "GET" || path == entry.Path || !slices.Contains(paths, path) {
			continue
		}
		q, err := url.ParseQuery(entry.Query)
		if err != nil {
			t.Fatal(err)
		}
		if q.Get("size") != "1000" {
			t.Errorf("page request with size %q, want 1000: %s", q.Get("size"), entry.Query)
		}
		pages[key(path, q)]++
	}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("pages requested:\n%v\nwant\n%v", pages, want)
	}
}
