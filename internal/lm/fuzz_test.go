package lm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The client's fuzz targets: whatever answers, the client neither panics
// nor hangs, and every result is either well-formed (a list with its
// items, total and ids; an object with its id) or a Malformed *Error that
// is never a 404 and shows no secret. Seeds, and every input that ever
// failed, are in testdata/fuzz/<target>/.

// fuzzShapes are the answer shapes decode reads, selected by the fuzzer's
// first argument.
var fuzzShapes = []struct {
	method, path string
	out          func() any
	check        func(any) error // of a decoded answer
}{
	{"GET", "/setting/admins/7/apitokens", func() any { return &pageAnswer[APIToken]{} }, checkPage[APIToken]},
	{"GET", "/setting/admins", func() any { return &pageAnswer[Admin]{} }, checkPage[Admin]},
	{"GET", "/setting/roles", func() any { return &pageAnswer[Role]{} }, checkPage[Role]},
	{"POST", "/setting/admins/7/apitokens", func() any { return &APIToken{} }, checkObject},
	{"GET", "/setting/admins/7", func() any { return &Admin{} }, checkObject},
	{"PATCH", "/setting/roles/2", func() any { return &Role{} }, checkObject},
	{"DELETE", "/setting/admins/7/apitokens/100", func() any { return nil }, func(any) error { return nil }},
}

func checkPage[T identified](v any) error {
	p, ok := v.(*pageAnswer[T])
	if !ok {
		return fmt.Errorf("decoded into %T", v)
	}
	if p.Items == nil || p.Total == nil {
		return errors.New("a page without items or total passed")
	}
	for i, it := range *p.Items {
		if it.objectID() == 0 {
			return fmt.Errorf("item %d without an id passed", i)
		}
	}
	return nil
}

func checkObject(v any) error {
	if o, ok := v.(identified); !ok || o.objectID() == 0 {
		return fmt.Errorf("%T without an id passed", v)
	}
	return nil
}

// secretInBody finds the values of secret JSON fields in an answer.
var secretInBody = regexp.MustCompile(`"(?:accessKey|password)"\s*:\s*"([^"\\]{8,})`)

// checkFailure is what every error of a strange answer (body) must be.
// A secret is the client's key, or the value of a secret field of the
// answer (one that appears nowhere else in it: text the client cannot
// tell from a secret is no leak). The first few fields are enough, and
// keep the check linear on a large answer.
func checkFailure(err error, body []byte) error {
	for _, m := range secretInBody.FindAllSubmatch(body, 4) {
		if v := m[1]; bytes.Count(body, v) == 1 && strings.Contains(fmt.Sprint(err), string(v)) {
			return fmt.Errorf("error text shows the secret field's value %q: %w", v, err)
		}
	}
	var e *Error
	switch {
	case !errors.As(err, &e):
		return fmt.Errorf("%T is not *Error: %w", err, err)
	case !e.Malformed || IsNotFound(err):
		return fmt.Errorf("Malformed=%v IsNotFound=%v: %w", e.Malformed, IsNotFound(err), err)
	case len(e.Answer) > previewBytes+len("…"):
		return fmt.Errorf("preview of %d bytes", len(e.Answer))
	case !utf8.ValidString(err.Error()):
		return fmt.Errorf("error text is not UTF-8: %q", err.Error())
	case strings.Contains(err.Error(), testAccessKey):
		return fmt.Errorf("error text shows a secret: %w", err)
	}
	return nil
}

func FuzzDecodeAnswer(f *testing.F) {
	c, err := New(Config{BaseURL: "https://acme.logicmonitor.com/santaba/rest", AccessID: testAccessID, AccessKey: testAccessKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), "application/json", []byte(`{"total":1,"searchId":null,"items":[{"id":5,"adminId":7,"accessId":"a","note":"n","status":2}]}`))
	f.Fuzz(func(t *testing.T, shape uint8, ctype string, body []byte) {
		sh := fuzzShapes[int(shape)%len(fuzzShapes)]
		out := sh.out()
		cl := &call{method: sh.method, path: sh.path, out: out}
		err := c.decode(cl, http.StatusOK, http.Header{"Content-Type": {ctype}}, body)
		if err != nil {
			if ferr := checkFailure(err, body); ferr != nil {
				t.Fatal(ferr)
			}
			return
		}
		if out != nil && looksHTML(ctype, bytes.TrimSpace(body)) {
			t.Fatal("an HTML answer passed")
		}
		if err := sh.check(out); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
	})
}

// pagesTransport answers a listing's requests with its pages in turn; a
// request for offset 0 starts them again, so that a listing read twice
// sees the same pages. Past the last page it answers an empty body.
type pagesTransport struct {
	pages [][]byte
	next  int
}

func (p *pagesTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if req.URL.Query().Get("offset") == "0" {
		p.next = 0
	}
	var body []byte
	if p.next < len(p.pages) {
		body = p.pages[p.next]
		p.next++
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: req, ContentLength: int64(len(body)),
	}, nil
}

// FuzzListPages feeds a listing a sequence of pages (separated by a line
// "---"): it must end, and a listing that passes is complete: as many
// tokens as the first page's total, all of user 7, each with an id.
func FuzzListPages(f *testing.F) {
	f.Add(uint8(2), []byte("{\"total\":3,\"items\":[{\"id\":1},{\"id\":2}]}\n---\n{\"total\":3,\"items\":[{\"id\":3}]}"))
	f.Fuzz(func(t *testing.T, size uint8, data []byte) {
		pages := bytes.Split(data, []byte("\n---\n"))
		if len(pages) > 64 {
			return
		}
		c, err := New(Config{
			BaseURL: "https://acme.logicmonitor.com/santaba/rest", AccessID: testAccessID, AccessKey: testAccessKey,
			HTTPClient: &http.Client{Transport: &pagesTransport{pages: pages}}, MaxRetries: -1,
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		toks, err := c.ListAPITokens(ctx, 7, ListOptions{PageSize: int(size%5) + 1})
		if err != nil {
			if ferr := checkFailure(err, data); ferr != nil {
				t.Fatal(ferr)
			}
			return
		}
		var first pageAnswer[APIToken]
		if decodeErr := c.decode(&call{method: "GET", path: "/x", out: &first}, http.StatusOK, http.Header{}, pages[0]); decodeErr != nil {
			t.Fatalf("the listing passed, its first page does not: %v", decodeErr)
		}
		if total := int(*first.Total); total >= 0 && len(toks) != total {
			t.Fatalf("%d tokens, the total says %d", len(toks), total)
		}
		for _, tk := range toks {
			if tk.ID == 0 || (tk.AdminID != 0 && tk.AdminID != 7) || tk.Type != TokenTypeLMv1 {
				t.Fatalf("token %+v passed", tk)
			}
		}
	})
}
