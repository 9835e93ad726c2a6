package lm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// defaultConnectTimeout bounds the retries of a client whose host has not
// answered once (Config.ConnectTimeout).
const defaultConnectTimeout = 30 * time.Second

// reach tells a host that has never answered this client (a mistyped
// portal, a wrong port, a firewall) from one that answered and now fails
// for a while. Retrying the first for many minutes mends nothing, so it
// gets a short budget, shared by all the client's calls; once the host
// has answered, the usual retry policy applies.
type reach struct {
	host   string        // the base URL's host name, without the port
	addr   string        // host and port, for messages
	budget time.Duration // Config.ConnectTimeout
	hint   string        // Config.ReachHint

	mu        sync.Mutex
	answered  bool
	firstMiss time.Time // first failed attempt while nothing had answered
}

// heard records an answer: any HTTP status, a proxy's or load balancer's
// included, shows that the host is there.
func (r *reach) heard() {
	r.mu.Lock()
	r.answered = true
	r.mu.Unlock()
}

// hostNotFound reports an attempt that failed because the base URL's
// host name does not exist: a definite answer of the resolver (NXDOMAIN),
// not a resolver that is down or slow (IsTemporary, IsTimeout). Before the
// host ever answered this is a misspelt name and retrying cannot mend it;
// a name that resolved earlier in the run and then fails is a resolver's
// hiccup, retried as before.
func (r *reach) hostNotFound(err error) bool {
	var dns *net.DNSError
	if !errors.As(err, &dns) || !dns.IsNotFound || dns.IsTimeout || dns.IsTemporary || !strings.EqualFold(dns.Name, r.host) {
		// A name other than the portal's (a proxy's) is not about the
		// portal's settings: it gets the connect budget instead.
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.answered
}

// spent records a failed attempt (no answer) and returns how long to wait
// before the next one, or why retrying must stop: while the host has
// never answered, the client's attempts keep within its connect budget,
// counted from its first failed attempt; the last wait is shortened to end
// with the budget, so that the last attempt comes at its end.
func (r *reach) spent(now time.Time, wait time.Duration) (time.Duration, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.answered {
		return wait, ""
	}
	if r.firstMiss.IsZero() {
		r.firstMiss = now
	}
	left := r.firstMiss.Add(r.budget).Sub(now)
	if left <= 0 {
		return 0, fmt.Sprintf("%s has not answered once, and the connect timeout is %s", r.addr, r.budget)
	}
	return min(wait, left), ""
}

// IsHostNotFound reports whether err is a call that failed because the
// base URL's host name does not exist (see Config.ReachHint).
func IsHostNotFound(err error) bool { return reachIs(err, reachNotFound) }

// IsUnreachable reports whether err is a call that failed because the
// base URL's host never answered within Config.ConnectTimeout.
func IsUnreachable(err error) bool { return reachIs(err, reachNoAnswer) }

// seconds formats a duration for people: "40 ms", "4.2 s", "42 s".
func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d s", int(d.Round(time.Second).Seconds()))
}

// RetryTrack collects the retries of the calls made with a context from
// TrackRetries, so that a caller can tell its user that an operation
// succeeded only after a long wait.
type RetryTrack struct {
	mu      sync.Mutex
	retries int
	first   time.Time // when the first retried failure happened
	reason  string    // the last retried failure
}

type trackKey struct{}

// TrackRetries returns a context whose calls report their retries to the
// returned RetryTrack.
func TrackRetries(ctx context.Context) (context.Context, *RetryTrack) {
	t := &RetryTrack{}
	return context.WithValue(ctx, trackKey{}, t), t
}

func noteRetry(ctx context.Context, reason string) {
	t, _ := ctx.Value(trackKey{}).(*RetryTrack)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.retries == 0 {
		t.first = time.Now()
	}
	t.retries++
	t.reason = reason
}

// Retried reports how many retries the tracked calls made, for how long
// since the first failure that was retried, and the last such failure.
func (t *RetryTrack) Retried() (retries int, since time.Duration, last string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.retries == 0 {
		return 0, 0, ""
	}
	return t.retries, time.Since(t.first), t.reason
}

// reachKind is what a call learnt about its host (call.reach).
type reachKind int

const (
	reachNotFound reachKind = iota + 1 // the host name does not exist
	reachNoAnswer                      // the host never answered within the connect timeout
)

// reachError marks the cause of an *Error with what the call learnt about
// its host, for IsHostNotFound and IsUnreachable.
type reachError struct {
	kind reachKind
	err  error
}

func (e *reachError) Error() string { return e.err.Error() }
func (e *reachError) Unwrap() error { return e.err }

func reachIs(err error, kind reachKind) bool {
	var r *reachError
	return errors.As(err, &r) && r.kind == kind
}

// hostPort is the URL's host with its port, the scheme's default made
// explicit: "refused on port 443" is what the user needs to see.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
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

// notFoundMessage says that the host does not exist, then where its name
// came from.
func (r *reach) notFoundMessage(dns *net.DNSError) string {
	return fmt.Sprintf("the host %s does not exist (the resolver answered %q)", r.host, dns.Err) + r.withHint()
}

func (r *reach) withHint() string {
	if r.hint == "" {
		return ""
	}
	return ". " + r.hint
}

// alsoIs returns err, matching target too (errors.Is, errors.As), without
// target's text.
func alsoIs(err, target error) error { return &also{err, target} }

type also struct{ err, target error }

func (e *also) Error() string   { return e.err.Error() }
func (e *also) Unwrap() []error { return []error{e.err, e.target} }
