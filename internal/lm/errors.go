package lm

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Error is a LogicMonitor request that failed: a non-2xx answer, an answer
// that is not one LogicMonitor's API gives (Malformed), or a transport
// failure (StatusCode 0) once retries were spent.
type Error struct {
	StatusCode int    // HTTP status; 0 when no answer was received
	ErrorCode  int32  // LogicMonitor's errorCode (HTTP status + 1000 in API v3), or the status of an API v1 envelope
	Message    string // LogicMonitor's errorMessage, or what is wrong with the answer, with a hint and why retrying stopped
	Method     string
	Path       string // resource path, without /santaba/rest and the query
	Attempts   int    // requests sent, retries included

	// Malformed: the answer is not one LogicMonitor's REST API v3 gives for
	// this call (an HTML page, text, truncated JSON, the v1 envelope, a list
	// without its items, an object without its id, a 404 without
	// LogicMonitor's error object, or list pages that do not add up). It
	// proves nothing about the object asked for: never IsNotFound.
	Malformed bool
	// ContentType and Answer (its first bytes, secrets redacted, white
	// space squeezed) are set for a Malformed answer.
	ContentType string
	Answer      string

	cause error // transport error behind a StatusCode 0 failure
	// pagesChanged: a listing whose pages disagree (total changed, a short
	// page before the total); reading the list again may succeed.
	pagesChanged bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("lm: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
		if e.ErrorCode != 0 {
			fmt.Fprintf(&b, " (errorCode %d)", e.ErrorCode)
		}
		switch {
		case e.Malformed && e.ContentType != "":
			fmt.Fprintf(&b, ", Content-Type %q", e.ContentType)
		case e.Malformed && e.Answer != "":
			b.WriteString(", no Content-Type")
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Malformed && e.Answer != "" {
		fmt.Fprintf(&b, " (the answer began %q)", e.Answer)
	}
	return b.String()
}

// Unwrap exposes the transport error, so callers can still test for
// net.Error and friends.
func (e *Error) Unwrap() error { return e.cause }

// IsNotFound reports whether err is LogicMonitor's 404: the proof that
// the object asked for does not exist. A 404 whose answer is not
// LogicMonitor's error object (a proxy's or web server's page) is
// Malformed instead, and proves nothing.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound && !e.Malformed
}

// IsMalformed reports whether err is an answer that is not LogicMonitor's
// (see Error.Malformed): something in the way, or an endpoint that is not
// LogicMonitor's REST API v3. It never means that an object is gone.
func IsMalformed(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Malformed
}

// IsRateLimited reports whether err is a 429 that outlived the retries.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsUnauthorized reports whether LogicMonitor rejected the credentials.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsForbidden reports whether the credentials lack a permission.
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

func hasStatus(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == code
}

// apiError turns a non-2xx answer into an *Error. The body is LogicMonitor's
// v3 error object when the server is LogicMonitor; proxies and load
// balancers answer with anything, hence the fallback to the status text,
// and a 404 without LogicMonitor's error object is Malformed, not proof
// that the object is gone.
func (c *Client) apiError(cl *call, status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Method: cl.method, Path: cl.path, Attempts: cl.attempts}
	lmAnswer := false
	if code, msg, ok := lmErrorObject(body); ok {
		lmAnswer = true
		e.ErrorCode, e.Message = code, strings.TrimSpace(msg)
	} else if code, msg, ok := v1Envelope(body); ok {
		e.ErrorCode, e.Message = code, fmt.Sprintf("LogicMonitor's API v1 envelope %q", msg)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.Message == "" {
		e.Message = "unexpected answer"
	}
	trimmed := bytes.TrimSpace(body)
	if !lmAnswer && (len(trimmed) > 0 || status == http.StatusNotFound) && status != http.StatusTooManyRequests && status < 500 {
		// Not LogicMonitor speaking (a proxy's page, a redirect to a sign-in
		// page, a web server's 404): say so, and what to check.
		e.Malformed = true
		e.ContentType = header.Get("Content-Type")
		e.Answer = c.preview(trimmed, cl)
		switch {
		case looksHTML(e.ContentType, trimmed):
			e.Message += ": " + htmlHint
		case status >= 300 && status < 400:
			e.Message += fmt.Sprintf(": a redirect to %s, which LogicMonitor's API never answers: %s", c.location(header, cl), notLMHint)
		default:
			e.Message += ": " + notLMHint
		}
		if status == http.StatusNotFound {
			e.Message += "; without LogicMonitor's error object this 404 does not prove that the object is gone"
		}
	}
	// The hints are the client's, so that every caller gets them once; the
	// provider adds none of its own. A proxy's 401 or 403 page is not
	// about LogicMonitor's credentials: it has the hint above instead.
	switch {
	case e.Malformed:
	case status == http.StatusUnauthorized:
		if c.bearer != "" {
			e.Message += " (LogicMonitor rejected the credentials: check the bearer token, that it is enabled and that its user is active)"
		} else {
			e.Message += " (LogicMonitor rejected the credentials: check the access id and access key, that the token is enabled and its user active, " +
				"and that this machine's clock is within 30 minutes of the real time: LMv1 signatures carry a timestamp)"
		}
	case status == http.StatusForbidden:
		e.Message += " (the API token's user lacks the permission for this call: managing API tokens needs a role that may manage users, " +
			"in LogicMonitor Settings > Users and Roles, such as \"administrator\")"
	}
	e.Message = c.redact(e.Message, cl) + gaveUp(cl)
	return e
}

// transportError wraps a failure that produced no answer. When the host
// does not exist or never answered, it says so and adds the client's
// ReachHint.
func (c *Client) transportError(cl *call, cause error) *Error {
	msg := c.redact(cause.Error(), cl) + gaveUp(cl)
	switch cl.reach {
	case reachNotFound:
		var dns *net.DNSError
		errors.As(cause, &dns)
		msg = c.reach.notFoundMessage(dns) // names and settings only: nothing to redact
		cause = &reachError{kind: reachNotFound, err: cause}
	case reachNoAnswer:
		msg += c.reach.withHint()
		cause = &reachError{kind: reachNoAnswer, err: cause}
	}
	return &Error{Method: cl.method, Path: cl.path, Attempts: cl.attempts, Message: msg, cause: cause}
}

// gaveUp says why a retryable failure was not retried again, after how
// many attempts over how long.
func gaveUp(cl *call) string {
	if cl.exhausted == "" {
		return ""
	}
	attempts := "1 attempt"
	if cl.attempts != 1 {
		attempts = fmt.Sprintf("%d attempts", cl.attempts)
	}
	return fmt.Sprintf(" (gave up after %s over %s: %s)", attempts, seconds(time.Since(cl.start)), cl.exhausted)
}

// finish adds to a failed call's error what the error's text does not
// carry: the context's error when it ended the retries (so that
// errors.Is(err, context.Canceled) holds while the text shows the last
// real failure), and whether the server may have acted (IsOutcomeUnknown).
func finish(cl *call, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if cl.stop != nil && errors.As(err, &e) && !errors.Is(err, cl.stop) {
		e.cause = errors.Join(e.cause, cl.stop)
	}
	if cl.ambiguous {
		return &unknownOutcome{err}
	}
	return err
}

// unknownOutcome marks the error of a call that may have been carried out
// although it failed: an answer lost, a 5xx, an answer that could not be
// read.
type unknownOutcome struct{ err error }

func (e *unknownOutcome) Error() string { return e.err.Error() }
func (e *unknownOutcome) Unwrap() error { return e.err }

// IsOutcomeUnknown reports whether err is a failed call that LogicMonitor
// may nevertheless have carried out (its answer was lost, or was a 5xx):
// after a create, the object may exist. A definite refusal (a 4xx), or a
// request that never left (no connection), is not.
func IsOutcomeUnknown(err error) bool {
	var u *unknownOutcome
	return errors.As(err, &u)
}

// alsoIs returns err, matching target too (errors.Is, errors.As), without
// target's text.
func alsoIs(err, target error) error { return &also{err, target} }

type also struct{ err, target error }

func (e *also) Error() string   { return e.err.Error() }
func (e *also) Unwrap() []error { return []error{e.err, e.target} }
