package lmsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseFilter(t *testing.T) {
	fields := map[string]bool{"note": true, "id": true}
	conds, err := parseFilter(`note:"a,\"b\"|c",id!:1|2`, fields)
	if err != nil {
		t.Fatal(err)
	}
	if len(conds) != 2 || conds[0].op != ":" || !slices.Equal(conds[0].values, []string{`a,"b"|c`}) ||
		conds[1].op != "!:" || !slices.Equal(conds[1].values, []string{"1", "2"}) {
		t.Errorf("parsed %+v", conds)
	}
	for _, bad := range []string{"note", "x:1", `note:"a`, `note:"a"b`, "note:1,", ",id:1", `note:a"b`, `:1`} {
		if _, err := parseFilter(bad, fields); err == nil {
			t.Errorf("parseFilter(%q) accepted", bad)
		}
	}
}

// FuzzParseFilter fuzzes the simulator's filter parser (parseFilter) and
// what a list call does with a filter. filter is read twice: as the decoded
// value of ?filter=, by parseFilter, for the tokens, users and roles of the
// default fixture plus one of each whose text fields are value; and as the
// raw text after "filter=" in the URL of GET /setting/admins. Beyond not
// panicking, it asserts that:
//   - parsing is deterministic;
//   - an accepted filter has only known fields and operators and at least
//     one value per condition, and printed again with every value quoted
//     parses to the same conditions;
//   - applied to objects, a filter selects what all its conditions select,
//     a condition what any of its values selects (for "!:" and "!~": what
//     none of the positive ones does), each operator exactly what its
//     opposite leaves out (":" and "!:", "~" and "!~", ">" and "<:", "<" and
//     ">:"), and "*" in an equality value matches as in a glob;
//   - the list call answers 400 when the query or the filter cannot be
//     read, else 200 with exactly the users the filter selects.
//
// Its seed corpus is testdata/fuzz/FuzzParseFilter. `go test` (and so
// `make test`) runs the seeds, and `make test` fuzzes it for a few seconds;
// `make fuzz` fuzzes every target for FUZZTIME (default 1m) each. A failing
// input is saved under testdata/fuzz/FuzzParseFilter: keep it there, fix
// the parser and add a test below that names the bug.
func FuzzParseFilter(f *testing.F) {
	fx := DefaultFixture()
	srv, err := New(Options{RateLimits: RateLimits{Disabled: true}})
	if err != nil {
		f.Fatal(err)
	}
	users := srv.Admins() // list calls do not change them
	f.Fuzz(func(t *testing.T, filter, value string) {
		for _, set := range filterSets(fx, value) {
			checkFilter(t, set, filter)
		}
		checkListFilter(t, srv, users, filter)
	})
}

// filterSet is one endpoint's filterable fields and its objects, each given
// as its field getter.
type filterSet struct {
	name    string
	fields  map[string]bool
	objects []func(field string) string
}

// filterSets are the fixture's tokens, users and roles, each list with one
// more object whose text fields are value.
func filterSets(fx *Fixture, value string) []filterSet {
	tokens := slices.Clone(fx.APITokens)
	tokens = append(tokens, Token{ID: 9001, AdminID: 131, AccessID: value, Note: value, Status: StatusEnabled})
	admins := slices.Clone(fx.Admins)
	admins = append(admins, Admin{ID: 9001, Username: value, Email: value, FirstName: value, LastName: value, Note: value, Status: AdminActive})
	roles := slices.Clone(fx.Roles)
	roles = append(roles, Role{ID: 9001, Name: value, Description: value})
	sets := []filterSet{
		{name: "tokens", fields: tokenFilterFields},
		{name: "users", fields: adminFilterFields},
		{name: "roles", fields: roleFilterFields},
	}
	for i := range tokens {
		sets[0].objects = append(sets[0].objects, func(f string) string { return tokenField(&tokens[i], f) })
	}
	for i := range admins {
		sets[1].objects = append(sets[1].objects, func(f string) string { return adminField(&admins[i], f) })
	}
	for i := range roles {
		sets[2].objects = append(sets[2].objects, func(f string) string { return roleField(&roles[i], f) })
	}
	return sets
}

// oppositeOp is the operator that holds exactly when op does not, for one
// value.
var oppositeOp = map[string]string{":": "!:", "!:": ":", "~": "!~", "!~": "~", ">": "<:", "<:": ">", "<": ">:", ">:": "<"}

func checkFilter(t *testing.T, set filterSet, filter string) {
	t.Helper()
	conds, err := parseFilter(filter, set.fields)
	again, err2 := parseFilter(filter, set.fields)
	if !reflect.DeepEqual(conds, again) || fmt.Sprint(err) != fmt.Sprint(err2) {
		t.Fatalf("%s: parseFilter(%q) is not deterministic: %+v, %v then %+v, %v", set.name, filter, conds, err, again, err2)
	}
	if err != nil {
		if conds != nil {
			t.Fatalf("%s: parseFilter(%q) returned conditions %+v with its error %v", set.name, filter, conds, err)
		}
		return
	}
	for _, c := range conds {
		if !set.fields[c.field] || oppositeOp[c.op] == "" || len(c.values) == 0 {
			t.Fatalf("%s: parseFilter(%q) accepted the condition %+v", set.name, filter, c)
		}
	}
	printed := formatFilter(conds)
	back, err := parseFilter(printed, set.fields)
	if err != nil || !reflect.DeepEqual(back, conds) {
		t.Fatalf("%s: parseFilter(%q) = %+v, printed as %q, which parses to %+v, %v", set.name, filter, conds, printed, back, err)
	}
	globs := map[string]*regexp.Regexp{}
	for _, get := range set.objects {
		all := true
		for _, c := range conds {
			have := get(c.field)
			holds := c.match(have)
			all = all && holds
			anyOne, everyOne := false, true
			for _, v := range c.values {
				one := condition{field: c.field, op: c.op, values: []string{v}}.match(have)
				anyOne, everyOne = anyOne || one, everyOne && one
				if opposite := (condition{field: c.field, op: oppositeOp[c.op], values: []string{v}}).match(have); opposite == one {
					t.Fatalf("%s: %q %s %q and its opposite %s both give %v", set.name, have, c.op, v, oppositeOp[c.op], one)
				}
				if c.op == ":" && utf8.ValidString(have) && utf8.ValidString(v) {
					re := globs[v]
					if re == nil {
						re = globRegexp(v)
						globs[v] = re
					}
					if want := re.MatchString(have); one != want {
						t.Fatalf("%s: equalWild(%q, %q) = %v, want %v (glob %s)", set.name, have, v, one, want, re)
					}
				}
			}
			negative := c.op == "!:" || c.op == "!~"
			if !negative && holds != anyOne || negative && holds != everyOne {
				t.Fatalf("%s: condition %+v on %q gives %v, but its values one by one give any %v, every %v", set.name, c, have, holds, anyOne, everyOne)
			}
		}
		if got := matches(conds, get); got != all {
			t.Fatalf("%s: filter %q gives %v, its conditions one by one %v", set.name, filter, got, all)
		}
	}
}

// formatFilter prints conditions in LogicMonitor's syntax with every value
// quoted.
func formatFilter(conds []condition) string {
	terms := make([]string, 0, len(conds))
	for _, c := range conds {
		values := make([]string, 0, len(c.values))
		for _, v := range c.values {
			values = append(values, `"`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v)+`"`)
		}
		terms = append(terms, c.field+c.op+strings.Join(values, "|"))
	}
	return strings.Join(terms, ",")
}

// globRegexp is the regular expression of an equality value, in which "*"
// matches any run of characters and nothing else is special.
func globRegexp(v string) *regexp.Regexp {
	parts := strings.Split(v, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`(?s)\A` + strings.Join(parts, ".*") + `\z`)
}

// checkListFilter sends GET /setting/admins?filter=<raw> through the whole
// server and checks its answer against parseFilter and the server's users.
func checkListFilter(t *testing.T, srv *Server, users []Admin, raw string) {
	t.Helper()
	// Bytes a request line cannot carry, and "&" and "#", which would end
	// the filter's value or the query.
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '&' || r == '#' }) {
		return
	}
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/santaba/rest/setting/admins", nil)
	r.URL.RawQuery = "filter=" + raw
	r.Header.Set("Authorization", "Bearer "+DefaultAdminBearer)
	r.Header.Set("X-Version", "3")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)

	q, qerr := url.ParseQuery(r.URL.RawQuery)
	conds, ferr := parseFilter(q.Get("filter"), adminFilterFields)
	if qerr != nil || ferr != nil {
		if w.Code != http.StatusBadRequest {
			t.Fatalf("filter=%s (query error %v, filter error %v): status %d, want 400: %.300s", raw, qerr, ferr, w.Code, w.Body)
		}
		return
	}
	if w.Code != http.StatusOK {
		t.Fatalf("filter=%s: status %d, want 200: %.300s", raw, w.Code, w.Body)
	}
	var got struct {
		Total int `json:"total"`
		Items []struct {
			ID int32 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("filter=%s: %v: %.300s", raw, err, w.Body)
	}
	var want, ids []int32
	for _, a := range users {
		if matches(conds, func(f string) string { return adminField(&a, f) }) {
			want = append(want, a.ID)
		}
	}
	for _, it := range got.Items {
		ids = append(ids, it.ID)
	}
	slices.Sort(want)
	if !slices.Equal(ids, want) || got.Total != len(want) {
		t.Fatalf("filter=%s: users %v (total %d), want %v", raw, ids, got.Total, want)
	}
}

// TestUndecodableQueryIs400 is what FuzzParseFilter found first (seeds
// percent-bare, percent-invalid, percent-truncated and semicolon): a list
// call whose query had a bad %-escape or a ";" lost its filter, because
// r.URL.Query() drops the pairs it cannot decode, and answered every item.
func TestUndecodableQueryIs400(t *testing.T) {
	s := startSim(t, Options{})
	for _, query := range []string{`filter=note~"100%"`, "filter=note~%zz", "filter=note~%", "filter=note~a;b", "size=1&filter=id:1%"} {
		t.Run(query, func(t *testing.T) {
			wantError(t, s.do(t, req{path: "/setting/admins/apitokens", query: query, cred: adminCred}), http.StatusBadRequest, "percent-encode")
		})
	}
	// Encoded, the same values are filters like any other.
	for _, query := range []string{"filter=note~%22100%25%22", "filter=note~a%3Bb"} {
		total, _ := items(t, s.do(t, req{path: "/setting/admins/apitokens", query: query, cred: adminCred}))
		if total != 0 {
			t.Errorf("%s: total %d, want 0", query, total)
		}
	}
}
