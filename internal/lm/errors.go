package lm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Error is a LogicMonitor request that failed: a non-2xx answer, or a
// transport failure (StatusCode 0) once retries were spent.
type Error struct {
	StatusCode int    // HTTP status; 0 when no answer was received
	ErrorCode  int32  // LogicMonitor's errorCode (HTTP status + 1000 in API v3)
	Message    string // LogicMonitor's errorMessage, with a hint for 401 and 403 and why retrying stopped
	Method     string
	Path       string // resource path, without /santaba/rest and the query
	Attempts   int    // requests sent, retries included

	cause error // transport error behind a StatusCode 0 failure
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
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap exposes the transport error, so callers can still test for
// net.Error and friends.
func (e *Error) Unwrap() error { return e.cause }

// IsNotFound reports whether err is a LogicMonitor 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

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
// balancers answer with anything, hence the fallback to the status text.
func (c *Client) apiError(cl *call, status int, body []byte) *Error {
	e := &Error{StatusCode: status, Method: cl.method, Path: cl.path, Attempts: cl.attempts}
	var er ErrorResponse
	if json.Unmarshal(body, &er) == nil {
		e.ErrorCode = er.ErrorCode
		e.Message = strings.TrimSpace(er.ErrorMessage)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.Message == "" {
		e.Message = "unexpected answer"
	}
	// The hints are the client's, so that every caller gets them once; the
	// provider adds none of its own.
	switch status {
	case http.StatusUnauthorized:
		if c.bearer != "" {
			e.Message += " (LogicMonitor rejected the credentials: check the bearer token, that it is enabled and that its user is active)"
		} else {
			e.Message += " (LogicMonitor rejected the credentials: check the access id and access key, that the token is enabled and its user active, " +
				"and that this machine's clock is within 30 minutes of the real time: LMv1 signatures carry a timestamp)"
		}
	case http.StatusForbidden:
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
