package lm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// The shapes a proxy, a gateway or another API version answers with, as
// the issue that brought strict reading found them.
const (
	envelopeBody  = `{"status":1069,"errmsg":"No such record","data":null}`
	nullItemsBody = `{"total":3,"items":null}`
	signInPage    = "<!DOCTYPE html>\n<html>\n  <head><title>Corporate proxy: sign in</title></head>\n  <body><form action=\"/login\">...</form></body>\n</html>\n"
)

// strangeCall is one client call that a strange answer must fail.
type strangeCall struct {
	name   string
	method string
	path   string
	run    func(*Client) error
}

var strangeCalls = []strangeCall{
	{"list tokens", "GET", "/setting/admins/7/apitokens", func(c *Client) error {
		_, err := c.ListAPITokens(context.Background(), 7, ListOptions{})
		return err
	}},
	{"get user", "GET", "/setting/admins/7", func(c *Client) error {
		_, err := c.GetAdmin(context.Background(), 7)
		return err
	}},
	{"get role", "GET", "/setting/roles/2", func(c *Client) error {
		_, err := c.GetRole(context.Background(), 2)
		return err
	}},
	{"list users", "GET", "/setting/admins", func(c *Client) error {
		_, err := c.FindAdminsByUsername(context.Background(), "ci-bot")
		return err
	}},
	{"update token", "PATCH", "/setting/admins/7/apitokens/100", func(c *Client) error {
		note := "n"
		_, err := c.UpdateAPIToken(context.Background(), 7, 100, APITokenPatch{Note: &note})
		return err
	}},
}

// answerWith makes f answer every request with status, content type and body.
func answerWith(f *testSim, status int, ctype, body string) {
	f.setHook(func(w http.ResponseWriter, _ *lmsim.Intercepted) bool {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		} else {
			w.Header()["Content-Type"] = nil // no header, and no sniffing
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return true
	})
}

// checkStrange asserts what every error of a strange answer must be: an
// *Error naming the call, the status, the content type and the answer's
// start, Malformed and never a 404, with the wanted parts and no secret.
func checkStrange(t *testing.T, err error, sc strangeCall, status int, ctype string, want []string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%T is not *Error: %v", err, err)
	}
	if !IsMalformed(err) || IsNotFound(err) {
		t.Errorf("IsMalformed=%v IsNotFound=%v, want true, false: %v", IsMalformed(err), IsNotFound(err), err)
	}
	if e.Method != sc.method || e.Path != sc.path || e.StatusCode != status {
		t.Errorf("method %q path %q status %d, want %s %s %d", e.Method, e.Path, e.StatusCode, sc.method, sc.path, status)
	}
	text := err.Error()
	parts := append([]string{sc.method + " " + sc.path, fmt.Sprintf("HTTP %d", status)}, want...)
	if ctype != "" {
		parts = append(parts, fmt.Sprintf("Content-Type %q", ctype))
	}
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("error lacks %q:\n%s", p, text)
		}
	}
	assertNoSecret(t, text)
}

func TestStrangeAnswersAreErrors(t *testing.T) {
	const notLM = "probably not a LogicMonitor REST API v3"
	tests := []struct {
		name  string
		ctype string
		body  string
		want  []string
		calls []string // names of strangeCalls; nil: all
	}{
		{"v1 error envelope", "application/json", envelopeBody,
			[]string{"errorCode 1069", "API v1 envelope, status 1069", `"No such record"`, "X-Version", notLM, `the answer began "{\"status\":1069`}, nil},
		{"v1 envelope of a success", "application/json", `{"status":200,"errmsg":"OK","data":{"id":7,"total":1,"items":[]}}`,
			[]string{"API v1 envelope, status 200", `"OK"`, "X-Version"}, nil},
		{"empty object", "application/json", `{}`, []string{"JSON, but not LogicMonitor's", notLM, `the answer began "{}"`}, nil},
		{"null items", "application/json", nullItemsBody, []string{"`items` is null", notLM}, []string{"list tokens", "list users"}},
		{"items not an array", "application/json", `{"total":1,"items":{"id":5}}`,
			[]string{"`items` is an object, where LogicMonitor gives an array"}, []string{"list tokens", "list users"}},
		{"total missing", "application/json", `{"items":[]}`, []string{"without `total`"}, []string{"list tokens", "list users"}},
		{"total a string", "application/json", `{"total":"0","items":[]}`,
			[]string{"`total` is a string, where LogicMonitor gives an integer"}, []string{"list tokens", "list users"}},
		{"item without id", "application/json", `{"total":1,"items":[{"note":"x"}]}`, []string{"item 0 has no `id`"}, []string{"list tokens", "list users"}},
		{"object without id", "application/json", `{"username":"ci-bot","note":"x"}`,
			[]string{"without the object's `id`"}, []string{"get user", "get role", "update token"}},
		{"null", "application/json", `null`, []string{"null"}, nil},
		{"an array", "application/json", `[]`, []string{"the answer is an array, where LogicMonitor gives an object"}, nil},
		{"HTML page", "text/html; charset=utf-8", signInPage,
			[]string{"HTML page, not LogicMonitor's JSON API", "`base_url`/`company`", "`/santaba/rest`", "`HTTPS_PROXY`",
				`the answer began "<!DOCTYPE html> <html> <head><title>Corporate proxy: sign in</title>`}, nil},
		{"HTML page called JSON", "application/json", signInPage, []string{"HTML page, not LogicMonitor's JSON API", "`HTTPS_PROXY`"}, nil},
		{"truncated JSON", "application/json", `{"total":3,"items":[{"id":1,"note":"a"`,
			[]string{"not JSON (unexpected end of JSON input", "cut short", notLM}, nil},
		{"text", "text/plain", "upstream connect error", []string{"not JSON (invalid character 'u'", notLM}, nil},
		{"XML", "", `<?xml version="1.0"?><error>denied</error>`, []string{"no Content-Type", "not JSON (invalid character '<'", notLM}, nil},
		{"empty body", "application/json", "", []string{"the answer is empty", notLM}, nil},
	}
	for _, tc := range tests {
		for _, sc := range strangeCalls {
			if tc.calls != nil && !contains(tc.calls, sc.name) {
				continue
			}
			t.Run(tc.name+"/"+sc.name, func(t *testing.T) {
				f := newSim(t)
				answerWith(f, http.StatusOK, tc.ctype, tc.body)
				checkStrange(t, sc.run(f.client(t, nil)), sc, http.StatusOK, tc.ctype, tc.want)
			})
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// A DELETE's answer is not read, but an HTML page or the v1 envelope is
// not LogicMonitor's "done": the token may well be live.
func TestDeleteNeedsLogicMonitorsAnswer(t *testing.T) {
	sc := strangeCall{"delete token", "DELETE", "/setting/admins/7/apitokens/100", func(c *Client) error {
		return c.DeleteAPIToken(context.Background(), 7, 100)
	}}
	for _, tc := range []struct{ name, ctype, body, want string }{
		{"HTML", "text/html", signInPage, "HTML page"},
		{"envelope", "application/json", envelopeBody, "API v1 envelope, status 1069"},
		{"truncated", "application/json", `{"a":`, "not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			answerWith(f, http.StatusOK, tc.ctype, tc.body)
			checkStrange(t, sc.run(f.client(t, nil)), sc, http.StatusOK, tc.ctype, []string{tc.want})
		})
	}
	for _, body := range []string{"{}", ""} {
		f := newSim(t)
		answerWith(f, http.StatusOK, "application/json", body)
		if err := sc.run(f.client(t, nil)); err != nil {
			t.Errorf("DELETE answered %q: %v", body, err)
		}
	}
}

// An answer about another object than the one asked for is not
// LogicMonitor's either.
func TestAnswerAboutAnotherObject(t *testing.T) {
	f := newSim(t)
	answerWith(f, http.StatusOK, "application/json", `{"id":9,"username":"ci-bot2"}`)
	_, err := f.client(t, nil).GetAdmin(context.Background(), 7)
	if !IsMalformed(err) || !strings.Contains(fmt.Sprint(err), "asked for user 7, the answer is user 9") {
		t.Errorf("err = %v", err)
	}

	answerWith(f, http.StatusOK, "application/json", `{"total":1,"items":[{"id":100,"adminId":9,"note":"x"}]}`)
	_, err = f.client(t, nil).ListAPITokens(context.Background(), 7, ListOptions{})
	if !IsMalformed(err) || !strings.Contains(fmt.Sprint(err), "the list of user 7's tokens holds token 100 of user 9") {
		t.Errorf("err = %v", err)
	}
}

// Only LogicMonitor's own 404 proves that an object is gone; a proxy's or
// a web server's 404 page is Malformed.
func TestNotFoundNeedsLogicMonitorsErrorObject(t *testing.T) {
	sc := strangeCalls[1] // get user
	for _, tc := range []struct {
		name, ctype, body string
		want              []string
	}{
		{"HTML", "text/html", "<html><body>404 Not Found</body></html>", []string{"Not Found: the answer was an HTML page", "`HTTPS_PROXY`", "does not prove that the object is gone"}},
		{"gateway JSON", "application/json", `{"message":"no Route matched with those values"}`, []string{"Not Found", "probably not a LogicMonitor REST API v3", "no Route matched"}},
		{"empty", "", "", []string{"Not Found", "does not prove"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			answerWith(f, http.StatusNotFound, tc.ctype, tc.body)
			checkStrange(t, sc.run(f.client(t, nil)), sc, http.StatusNotFound, tc.ctype, tc.want)
		})
	}
	f := newSim(t)
	answerWith(f, http.StatusNotFound, "application/json", `{"errorCode":1404,"errorMessage":"User 7 is not found","errorDetail":null}`)
	if err := sc.run(f.client(t, nil)); !IsNotFound(err) || IsMalformed(err) {
		t.Errorf("LogicMonitor's own 404: IsNotFound=%v IsMalformed=%v: %v", IsNotFound(err), IsMalformed(err), err)
	}
}

// A proxy's pages behind other statuses: the HTML hint, not the hint for
// LogicMonitor's own 403, and a redirect names where it leads without the
// query (which may carry a session).
func TestProxyPagesOnOtherStatuses(t *testing.T) {
	sc := strangeCalls[0]
	f := newSim(t)
	answerWith(f, http.StatusForbidden, "text/html", "<html>Access denied by policy</html>")
	err := sc.run(f.client(t, nil))
	checkStrange(t, err, sc, http.StatusForbidden, "text/html", []string{"Forbidden: the answer was an HTML page", "Access denied by policy"})
	if strings.Contains(err.Error(), "lacks the permission") {
		t.Errorf("a proxy's 403 got LogicMonitor's permission hint: %v", err)
	}

	f.setHook(func(w http.ResponseWriter, _ *lmsim.Intercepted) bool {
		w.Header().Set("Location", "https://sso.example.com/login?session=s3cr3t-session")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusFound)
		_, _ = w.Write([]byte("Found"))
		return true
	})
	err = sc.run(f.client(t, nil))
	checkStrange(t, err, sc, http.StatusFound, "text/plain", []string{"a redirect to https://sso.example.com/login,"})
	if strings.Contains(err.Error(), "s3cr3t-session") {
		t.Errorf("the redirect's query leaked: %v", err)
	}

	// LogicMonitor's own answers keep their meaning and no preview.
	answerWith(f, http.StatusForbidden, "application/json", `{"errorCode":1403,"errorMessage":"Permission denied"}`)
	err = sc.run(f.client(t, nil))
	if IsMalformed(err) || !IsForbidden(err) || !strings.Contains(err.Error(), "lacks the permission") || strings.Contains(err.Error(), "began") {
		t.Errorf("LogicMonitor's 403: %v", err)
	}
}

// The answer's preview never shows a secret: the client's credentials, a
// new token's access key, a password, even when the answer is cut short.
func TestStrangeAnswerPreviewRedacts(t *testing.T) {
	for _, body := range []string{
		`<html>` + testAccessKey + `</html>`,
		`{"id":0,"accessKey":"Fresh+Secret+Key+Of+A+New+Token+0123456789","note":"x"}`,
		`{"total":1,"items":[{"accessKey":"Fresh+Secret+Key+Of+A+New+Token+0123456789`,
		`{"status":1,"errmsg":"bad","data":{"password":"Fresh+Secret+Key+Of+A+New+Token+0123456789"}}`,
		strings.Repeat(" ", 190) + `{"x":"LMv1 ` + testAccessID + `:c2lnbmF0dXJlc2lnbmF0dXJl:1700000000000"}`,
	} {
		f := newSim(t)
		answerWith(f, http.StatusOK, "application/json", body)
		_, err := f.client(t, nil).ListAPITokens(context.Background(), 7, ListOptions{})
		if !IsMalformed(err) {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, err.Error(), "Fresh+Secret", "c2lnbmF0dXJlc2lnbmF0dXJl")
		if !strings.Contains(err.Error(), "<redacted>") {
			t.Errorf("nothing redacted in %v", err)
		}
	}
	// A password the call sent, quoted back in the envelope's message.
	f0 := newSim(t)
	answerWith(f0, http.StatusOK, "application/json", `{"status":1400,"errmsg":"weak password \"Sent-Pass-Word-77\"","data":null}`)
	_, err0 := f0.client(t, nil).CreateAdmin(context.Background(), AdminWrite{Username: "u", Password: "Sent-Pass-Word-77"})
	if !IsMalformed(err0) {
		t.Fatalf("err = %v", err0)
	}
	assertNoSecret(t, err0.Error(), "Sent-Pass-Word-77")

	// The preview is bounded.
	f := newSim(t)
	answerWith(f, http.StatusOK, "text/html", "<html>"+strings.Repeat("é", 5000)+"</html>")
	_, err := f.client(t, nil).GetRole(context.Background(), 2)
	var e *Error
	if !errors.As(err, &e) || len(e.Answer) > previewBytes+len("…") || !strings.HasSuffix(e.Answer, "…") {
		t.Errorf("preview %q", e.Answer)
	}
}

// pagesHook answers list calls with the pages given by offset.
func pagesHook(f *testSim, pages func(offset string, n int) string) {
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(pages(r.URL.Query().Get("offset"), r.N)))
		return true
	})
}

// A listing counts only as a complete, consistent set of pages: a short
// page before the total, a total that changes, more items than the total
// are errors, read once more before they stand.
func TestListPagesMustAddUp(t *testing.T) {
	tok := func(ids ...int) string {
		s := make([]string, len(ids))
		for i, id := range ids {
			s[i] = fmt.Sprintf(`{"id":%d,"adminId":7}`, id)
		}
		return "[" + strings.Join(s, ",") + "]"
	}
	tests := []struct {
		name  string
		pages map[string]string
		want  string
	}{
		{"short page before the total", map[string]string{"0": `{"total":4,"items":` + tok(1, 2) + `}`, "2": `{"total":4,"items":` + tok(3) + `}`},
			"the page at offset 2 held 1 of the 2 items asked for, but `total` says 4, so 1 are missing"},
		{"empty page before the total", map[string]string{"0": `{"total":3,"items":[]}`},
			"the page at offset 0 held 0 of the 2 items asked for, but `total` says 3, so 3 are missing"},
		{"total changes", map[string]string{"0": `{"total":4,"items":` + tok(1, 2) + `}`, "2": `{"total":3,"items":` + tok(4) + `}`},
			"`total` was 4 on the first page and 3 at offset 2"},
		{"more items than the total", map[string]string{"0": `{"total":1,"items":` + tok(1, 2) + `}`},
			"the pages hold more items (2) than `total` (1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			pagesHook(f, func(offset string, _ int) string { return tc.pages[offset] })
			_, err := f.client(t, nil).ListAPITokens(context.Background(), 7, ListOptions{PageSize: 2})
			if !IsMalformed(err) || IsNotFound(err) || !strings.Contains(fmt.Sprint(err), tc.want) ||
				!strings.Contains(fmt.Sprint(err), "GET /setting/admins/7/apitokens: HTTP 200") {
				t.Errorf("err = %v", err)
			}
			first := 0
			for _, r := range f.requests() {
				if r.Query.Get("offset") == "0" {
					first++
				}
			}
			if first != 2 {
				t.Errorf("the listing was started %d times, want 2 (one more read before the error stands)", first)
			}
		})
	}

	// A list that changed under the first read is read again.
	f := newSim(t)
	pagesHook(f, func(offset string, n int) string {
		if n <= 2 { // the first read: a token was deleted between its pages
			return map[string]string{"0": `{"total":4,"items":` + tok(1, 2) + `}`, "2": `{"total":3,"items":` + tok(3) + `}`}[offset]
		}
		return map[string]string{"0": `{"total":3,"items":` + tok(1, 2) + `}`, "2": `{"total":3,"items":` + tok(3) + `}`}[offset]
	})
	toks, err := f.client(t, nil).ListAPITokens(context.Background(), 7, ListOptions{PageSize: 2})
	if err != nil || len(toks) != 3 {
		t.Errorf("after a changed list: %d tokens, %v", len(toks), err)
	}

	// A stream ends with the error after the items it could give.
	f = newSim(t)
	pagesHook(f, func(string, int) string { return `{"total":3,"items":` + tok(1, 2) + `}` })
	var got []int32
	var last error
	for tk, err := range f.client(t, nil).APITokens(context.Background(), 7, ListOptions{PageSize: 2}) {
		if err != nil {
			last = err
			break
		}
		got = append(got, tk.ID)
	}
	if len(got) != 2 || !IsMalformed(last) {
		t.Errorf("stream gave %v then %v", got, last)
	}
}

// A create answered by something that is not LogicMonitor is not retried
// (it would answer the same), but its marker is still looked for, since a
// token may have been made behind it.
func TestCreateAnsweredStrangelyIsNotRetried(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.Method != http.MethodPost {
			return false
		}
		commit(r) // it reached LogicMonitor, the answer did not come back
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(signInPage))
		return true
	})
	_, err := f.client(t, nil).CreateAPIToken(context.Background(), 7, CreateAPITokenRequest{Note: "n", Enabled: true})
	if !IsMalformed(err) || !strings.Contains(fmt.Sprint(err), "any token it made was looked for and deleted (1 found)") ||
		!strings.Contains(fmt.Sprint(err), "HTML page") {
		t.Errorf("err = %v", err)
	}
	if n := f.countRequests(http.MethodPost, "/setting/admins/7/apitokens"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if left := f.allTokens(); len(left) != 0 {
		t.Errorf("tokens left: %+v", left)
	}
}

// A DELETE retried after a 5xx ends as success on LogicMonitor's 404 (the
// first attempt may have deleted the token), but not on a proxy's 404
// page, which says nothing about the token.
func TestDeleteRetryNeedsLogicMonitorsNotFound(t *testing.T) {
	f := newSim(t)
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.N == 1 {
			writeLMError(w, http.StatusBadGateway, "bad gateway")
			return true
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html><body>Not Found</body></html>"))
		return true
	})
	err := f.client(t, nil).DeleteAPIToken(context.Background(), 7, 100)
	if err == nil || !IsMalformed(err) || IsNotFound(err) || !strings.Contains(err.Error(), "HTML page") {
		t.Errorf("DeleteAPIToken = %v, want a malformed-answer error", err)
	}
	if n := f.countRequests(http.MethodDelete, ""); n != 2 {
		t.Errorf("%d DELETEs, want 2", n)
	}
}

// A fields selection always gets the id, which every item must carry.
func TestFieldsAlwaysHoldTheID(t *testing.T) {
	f := newSim(t)
	c := f.client(t, nil)
	for _, fields := range []string{"name", "id,name", "name, id"} {
		if _, err := c.ListRoles(context.Background(), ListOptions{Fields: fields}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, r := range f.requests() {
		got = append(got, r.Query.Get("fields"))
	}
	if strings.Join(got, "|") != "id,name|id,name|name, id" {
		t.Errorf("fields sent: %q", got)
	}
}
