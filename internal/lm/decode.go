package lm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Reading LogicMonitor's answers strictly. Something between the client
// and LogicMonitor (a proxy's sign-in page, a gateway, an endpoint of
// another API version) can answer 200 with anything; read leniently, `{}`
// or `{"items":null}` would become an empty list and a live token would
// look deleted. So an answer counts only with the shape LogicMonitor's
// Swagger gives it, and everything else is an *Error with Malformed set,
// which never passes for a 404.

const (
	// htmlHint is the likely cause of an HTML answer. The names are the
	// provider's settings and the proxy variable Go's transport reads.
	htmlHint = "the answer was an HTML page, not LogicMonitor's JSON API: check `base_url`/`company` " +
		"(it should end in `/santaba/rest`) or an HTTP proxy in the way (`HTTPS_PROXY`)"
	// notLMHint follows a JSON (or text) answer LogicMonitor does not give.
	notLMHint = "the endpoint is probably not a LogicMonitor REST API v3 (check `base_url`/`company`, " +
		"which should end in `/santaba/rest`, and any proxy or gateway in the way)"

	// previewBytes is how much of a strange answer an error shows.
	previewBytes = 200
)

// identified is implemented by the API objects, whose answers must carry
// their id.
type identified interface{ objectID() int32 }

func (t APIToken) objectID() int32 { return t.ID }
func (a Admin) objectID() int32    { return a.ID }
func (r Role) objectID() int32     { return r.ID }

// pageAnswer is how a list answer is decoded: pointers, so that a missing
// or null `total` or `items` is told apart from 0 and [].
type pageAnswer[T any] struct {
	Total *int32 `json:"total"`
	Items *[]T   `json:"items"`
}

// check reports what makes a decoded page other than LogicMonitor's, or "".
func (p *pageAnswer[T]) check(raw []byte) string {
	if p.Items == nil {
		return absent(raw, "items")
	}
	if p.Total == nil {
		return absent(raw, "total")
	}
	for i, it := range *p.Items {
		if o, ok := any(it).(identified); ok && o.objectID() == 0 {
			return fmt.Sprintf("a list answer whose item %d has no `id`", i)
		}
	}
	return ""
}

// absent says how a required field is missing from an answer.
func absent(raw []byte, name string) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return "an answer that is null, not an object"
	}
	if v, ok := fields[name]; ok && string(v) == "null" {
		return fmt.Sprintf("a list answer whose `%s` is null", name)
	}
	return fmt.Sprintf("a list answer without `%s`", name)
}

// pageChecker is implemented by *pageAnswer[T] of every T.
type pageChecker interface{ check(raw []byte) string }

// decode reads a 2xx answer into cl.out (nil: the answer is only checked
// not to be something other than LogicMonitor's, as for a DELETE, whose
// answer is `{}`).
func (c *Client) decode(cl *call, status int, header http.Header, data []byte) error {
	body := bytes.TrimSpace(data)
	ctype := header.Get("Content-Type")
	bad := func(code int32, problem string) error {
		return &Error{
			StatusCode: status, ErrorCode: code, Method: cl.method, Path: cl.path, Attempts: cl.attempts,
			Malformed: true, ContentType: ctype, Answer: c.preview(body, cl),
			Message: c.redact(problem, cl),
		}
	}
	notJSON := func(err error) error {
		return bad(0, fmt.Sprintf("the answer is not JSON (%s): it was cut short, or %s", jsonProblem(err), notLMHint))
	}
	envelope := func() error {
		code, msg, ok := v1Envelope(body)
		if !ok {
			return nil
		}
		return bad(code, fmt.Sprintf("the answer is LogicMonitor's API v1 envelope, status %d: %q. A call with X-Version: 3 "+
			"never gets it, so %s, or a proxy dropped the X-Version header", code, msg, notLMHint))
	}
	if looksHTML(ctype, body) {
		return bad(0, htmlHint)
	}
	if len(body) == 0 {
		if cl.out == nil {
			return nil
		}
		return bad(0, "the answer is empty, where LogicMonitor answers with JSON; "+notLMHint)
	}
	if cl.out == nil {
		if !json.Valid(body) {
			var v json.RawMessage
			return notJSON(json.Unmarshal(body, &v))
		}
		return envelope()
	}
	// The envelope is looked for only when the answer fails: it never has
	// a list's items or an object's id, and a page of 1000 tokens is not
	// worth a second parse.
	var problem string
	if err := json.Unmarshal(body, cl.out); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return notJSON(err)
		}
		problem = typeProblem(err)
	} else {
		switch out := cl.out.(type) {
		case pageChecker:
			problem = out.check(body)
		case identified:
			if out.objectID() == 0 {
				problem = "an answer without the object's `id`"
				if string(body) == "null" {
					problem = "an answer that is null, not an object"
				}
			}
		}
	}
	if problem == "" {
		return nil
	}
	if err := envelope(); err != nil {
		return err
	}
	return bad(0, fmt.Sprintf("the answer is JSON, but not LogicMonitor's: %s; %s", problem, notLMHint))
}

// wrongAnswer is a well-formed answer about another object than the one
// asked for.
func (c *Client) wrongAnswer(method, path, problem string) *Error {
	return &Error{StatusCode: http.StatusOK, Method: method, Path: path, Malformed: true,
		Message: "the answer is JSON, but not LogicMonitor's: " + problem + "; " + notLMHint}
}

// sameID checks that an answer about one object is about the one asked for.
func (c *Client) sameID(method, path, kind string, want, got int32) error {
	if got == want {
		return nil
	}
	return c.wrongAnswer(method, path, fmt.Sprintf("asked for %s %d, the answer is %s %d", kind, want, kind, got))
}

// lmErrorObject reads LogicMonitor's v3 error object
// ({"errorCode", "errorMessage", "errorDetail"}); ok only when it is one.
func lmErrorObject(body []byte) (code int32, msg string, ok bool) {
	var er struct {
		ErrorCode    *int32  `json:"errorCode"`
		ErrorMessage *string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &er) != nil || (er.ErrorCode == nil && er.ErrorMessage == nil) {
		return 0, "", false
	}
	if er.ErrorCode != nil {
		code = *er.ErrorCode
	}
	if er.ErrorMessage != nil {
		msg = *er.ErrorMessage
	}
	return code, msg, true
}

// isLMError reports whether body is LogicMonitor's v3 error object.
func isLMError(body []byte) bool {
	_, _, ok := lmErrorObject(body)
	return ok
}

// v1Envelope recognises the API v1 (and old v2) envelope
// {"status": N, "errmsg": "...", "data": ...}, which LogicMonitor sends
// with HTTP 200 whatever happened.
func v1Envelope(body []byte) (status int32, errmsg string, ok bool) {
	var env struct {
		Status *json.Number `json:"status"`
		Errmsg *string      `json:"errmsg"`
	}
	if json.Unmarshal(body, &env) != nil || env.Status == nil || env.Errmsg == nil {
		return 0, "", false
	}
	n, err := env.Status.Int64()
	if err != nil || n < -1<<31 || n >= 1<<31 {
		return 0, "", false
	}
	return int32(n), *env.Errmsg, true
}

// looksHTML: an HTML content type, or a body that the WHATWG sniffing
// rules (http.DetectContentType) take for HTML, whatever it claims.
func looksHTML(ctype string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(ctype); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	return len(body) > 0 && body[0] == '<' && strings.HasPrefix(http.DetectContentType(body), "text/html")
}

// jsonProblem says where JSON parsing failed.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s, at byte %d", se.Error(), se.Offset)
	}
	return err.Error()
}

// typeProblem turns a decoding error into a sentence naming the field.
func typeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	what := "the answer"
	if te.Field != "" {
		what = "`" + te.Field + "`"
	}
	return fmt.Sprintf("%s is %s, where LogicMonitor gives %s", what, article(te.Value), jsonKind(te.Type))
}

func article(v string) string {
	switch {
	case v == "":
		return "of another type"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	case strings.IndexAny(v[:1], "aeiou") == 0:
		return "an " + v
	}
	return "a " + v
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another type"
}

var (
	// secretFieldRE matches the JSON fields that carry a secret the client
	// does not know: a new token's access key in a create answer, a
	// password. The value may be cut short, hence no closing quote.
	secretFieldRE = regexp.MustCompile(`("(?:accessKey|password)"\s*:\s*")(?:[^"\\]|\\.)*`)
	spaceRunRE    = regexp.MustCompile(`\s+`)
)

// preview is the start of a strange answer for an error: the client's and
// the call's secrets, and secret JSON fields, redacted over the whole body
// before it is cut, so that no part of a secret survives the cut; white
// space squeezed, so that an HTML page shows its words.
func (c *Client) preview(body []byte, cl *call) string {
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = secretFieldRE.ReplaceAllString(s, `${1}<redacted>`)
	s = c.redact(s, cl)
	s = strings.TrimSpace(spaceRunRE.ReplaceAllString(s, " "))
	if len(s) <= previewBytes {
		return s
	}
	cut := previewBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// location is a redirect's target without its query, which may carry a
// session or a token.
func (c *Client) location(header http.Header, cl *call) string {
	loc := header.Get("Location")
	if loc == "" {
		return "nowhere (no Location header)"
	}
	if u, err := url.Parse(loc); err == nil {
		u.RawQuery, u.Fragment, u.User = "", "", nil
		loc = u.String()
	}
	return c.redact(loc, cl)
}
