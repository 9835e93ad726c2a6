package lm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// send delivers a call, retrying what is safe to retry until the call's
// budget runs out: the whole retry policy, top to bottom. Its decisions
// are the small pure functions below it (mayHaveActed, retryable,
// budget.next, backoff), which retry_test.go covers with tables.
func (c *Client) send(ctx context.Context, cl *call, req *http.Request) (*http.Response, error) {
	key := EndpointKey(cl.method, cl.path)
	// The last retried failure: when the context ends the retries, it
	// says more than "context deadline exceeded" or "context canceled".
	var last *failure
	for n := 1; ; n++ {
		// 1. One attempt: paced, signed afresh, sent (attempt.go).
		resp, sent, err := c.attempt(ctx, cl, req, key, n)

		// 2. What it tells about the server: any answer shows that the
		// host is there (reach.go); a 5xx or a lost answer may have been
		// acted on, which a POST must not repeat and a DELETE's later 404
		// may owe to it (do).
		if resp != nil {
			c.reach.heard()
		}
		if mayHaveActed(sent, resp, err) {
			cl.ambiguous = true
		}

		// 3. Stop: the context ended the attempt or the wait for it.
		if err != nil && ctx.Err() != nil {
			return ended(ctx, cl, last)
		}

		// 4. Stop: a failure no retry can mend, or an answer to keep.
		if c.reach.hostNotFound(err) {
			cl.reach = reachNotFound
			return nil, err
		}
		reason, retry := retryable(cl.method, resp, err)
		if !retry {
			return resp, err
		}

		// 5. The wait: backoff, or the window of a 429. LogicMonitor's
		// limit is a rolling window that only time frees, so a 429 blocks
		// the endpoint for every goroutine, and the next attempt's pacing
		// does the waiting.
		wait := c.backoff(n)
		limited := resp != nil && resp.StatusCode == http.StatusTooManyRequests
		if limited {
			wait = c.pace.block(key, resp.Header, wait)
		}

		// 6. The budget: max_retries, the context's deadline, and the
		// connect timeout of a host that never answered.
		b := budget{attempt: n, maxRetries: c.maxRetries, left: timeLeft(ctx)}
		if err != nil {
			b.unanswered, b.connectLeft = c.reach.missed(time.Now())
		}
		wait, stop := b.next(wait)
		if stop != keepGoing {
			cl.exhausted = c.stopReason(stop)
			if stop == stopUnanswered {
				cl.reach = reachNoAnswer
			}
			return resp, err
		}

		// 7. Log, then wait.
		last = &failure{keep(resp), err}
		c.logRetry(ctx, cl, n, c.redact(reason, cl), wait)
		if !limited && sleep(ctx, wait) != nil {
			return ended(ctx, cl, last)
		}
	}
}

// failure is an attempt's result kept for the error of a call that the
// context ends.
type failure struct {
	resp *http.Response
	err  error
}

// ended returns the call's last retried failure, if any, when the context
// ended its retries, noting why they stopped.
func ended(ctx context.Context, cl *call, last *failure) (*http.Response, error) {
	if last == nil {
		return nil, ctx.Err()
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		cl.exhausted = "the operation's timeout ran out before the next one could finish"
	} else {
		cl.exhausted = "the operation was cancelled"
		cl.stop = ctx.Err()
	}
	return last.resp, last.err
}

// logRetry reports a retry: a WARN line (what `TF_LOG=WARN` shows), the
// Stats counter, and the caller's RetryTrack.
func (c *Client) logRetry(ctx context.Context, cl *call, attempt int, reason string, wait time.Duration) {
	c.count(func(s *Stats) { s.Retries++ })
	noteRetry(ctx, reason)
	c.log.Warn(ctx, "retrying LogicMonitor request", map[string]any{
		"method":     cl.method,
		"path":       cl.path,
		"attempt":    attempt,
		"reason":     reason,
		"wait_ms":    wait.Milliseconds(),
		"next_in":    seconds(wait),
		"elapsed_ms": time.Since(cl.start).Milliseconds(),
	})
}

// mayHaveActed reports an attempt that LogicMonitor may have carried out
// without the client learning the result: it was sent, and its answer was
// lost (any failure but one to connect at all) or was a 5xx.
func mayHaveActed(sent bool, resp *http.Response, err error) bool {
	if !sent {
		return false
	}
	if err != nil {
		return !neverSent(err)
	}
	return resp.StatusCode >= 500
}

// retryable decides whether an attempt may be repeated, and says why.
// GET, PUT, PATCH and DELETE are idempotent here (PATCH sets absolute
// values). A POST creates a token, so it is repeated only when the server
// provably did not act: the connection was never made, or it answered
// 429. Other POST failures are left to CreateAPIToken, which cleans up by
// marker before trying again. A certificate that does not verify is never
// retried.
func retryable(method string, resp *http.Response, err error) (reason string, ok bool) {
	if err != nil {
		switch {
		case permanent(err):
			return "", false
		case neverSent(err):
			return "connection failed: " + err.Error(), true
		case method == http.MethodPost:
			return "", false
		default:
			return "connection error: " + err.Error(), true
		}
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return "rate limited (429)", true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if method == http.MethodPost {
			return "", false
		}
		return "server error " + strconv.Itoa(resp.StatusCode), true
	}
	return "", false
}

// neverSent reports a failure to connect at all (refused, DNS, proxy), after
// which the server cannot have seen the request.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// permanent reports errors that a retry cannot fix.
func permanent(err error) bool {
	var (
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
	)
	return errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &he) || errors.As(err, &cie)
}

// budget is what a call has left when an attempt failed in a way worth
// retrying.
type budget struct {
	attempt    int           // the attempt that failed, from 1
	maxRetries int           // retries allowed after the first attempt; negative: no cap
	left       time.Duration // until the context's deadline; 0 once it has ended
	// unanswered: the attempt got no answer, and the host never answered
	// this client; the connect timeout then applies, with connectLeft of
	// it left (reach.go).
	unanswered  bool
	connectLeft time.Duration
}

// stopKind says why retrying ends (Client.stopReason words it).
type stopKind int

const (
	keepGoing      stopKind = iota
	stopMaxRetries          // max_retries is spent
	stopDeadline            // the wait would end after the deadline
	stopUnanswered          // the connect timeout of a host that never answered is spent
)

// next decides whether another attempt may follow after waiting wait,
// and returns the wait to make: the wait itself, or a shorter one that
// ends with the connect timeout, so that the last attempt comes at its
// end. A wait that would end after the deadline is not started: the
// deadline's error would say less than the failure at hand.
func (b budget) next(wait time.Duration) (time.Duration, stopKind) {
	switch {
	case b.maxRetries >= 0 && b.attempt > b.maxRetries:
		return 0, stopMaxRetries
	case b.left <= wait:
		return 0, stopDeadline
	case b.unanswered && b.connectLeft <= 0:
		return 0, stopUnanswered
	case b.unanswered:
		return min(wait, b.connectLeft), keepGoing
	}
	return wait, keepGoing
}

// stopReason words why retrying stopped, for the error (gaveUp).
func (c *Client) stopReason(s stopKind) string {
	switch s {
	case stopMaxRetries:
		return fmt.Sprintf("max_retries is %d", c.maxRetries)
	case stopDeadline:
		return "the operation's timeout leaves no time for another"
	case stopUnanswered:
		return fmt.Sprintf("%s has not answered once, and the connect timeout is %s", c.reach.addr, c.reach.budget)
	}
	return ""
}

// timeLeft is the time until ctx's deadline: 0 once ctx has ended, and
// as good as unbounded without a deadline (every call has one:
// Client.bound).
func timeLeft(ctx context.Context) time.Duration {
	if ctx.Err() != nil {
		return 0
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Duration(1<<63 - 1)
	}
	return time.Until(deadline)
}

// backoff is exponential with full jitter, between RetryWaitMin and a
// ceiling that doubles per attempt up to RetryWaitMax: the jitter spreads
// concurrent Terraform operations apart.
func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.waitMax
	if attempt < 31 {
		if d := c.waitMin << (attempt - 1); d > 0 && d < ceil {
			ceil = d
		}
	}
	if ceil <= c.waitMin {
		return c.waitMin
	}
	return c.waitMin + rand.N(ceil-c.waitMin+1) // #nosec G404 -- jitter needs no cryptographic randomness
}

// keep reads and closes a failed answer's body, and returns the answer
// with the bytes read as its body.
func keep(resp *http.Response) *http.Response {
	if resp == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	kept := *resp
	kept.Body = io.NopCloser(bytes.NewReader(b))
	return &kept
}

// sleep waits d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
