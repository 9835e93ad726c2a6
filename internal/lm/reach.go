package lm

import (
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

// missed records an attempt that got no answer, and reports whether the
// connect timeout applies to it (the host has never answered this
// client) and how much of it is left: it is counted from the client's
// first such attempt, for all its calls (budget.next decides with it).
func (r *reach) missed(now time.Time) (unanswered bool, left time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.answered {
		return false, 0
	}
	if r.firstMiss.IsZero() {
		r.firstMiss = now
	}
	return true, r.firstMiss.Add(r.budget).Sub(now)
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
