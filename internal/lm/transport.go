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
	"time"
)

// transport paces, signs, sends and retries, below the request-building
// code; each attempt is signed afresh (LMv1 timestamps age during waits).
// Retryable failures are retried until the request's deadline (every call
// has one: Client.bound) or the optional max_retries cap.
type transport struct {
	c    *Client
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		// Attempts send fresh readers over call.body.
		_ = req.Body.Close()
	}
	cl := callFrom(req.Context())
	if cl == nil {
		return nil, errors.New("lm: internal error: request not built by Client.do")
	}
	c := t.c
	ctx := req.Context()
	key := EndpointKey(req.Method, cl.path)
	// The last retried failure: when the deadline or a cancellation ends
	// the next attempt or the wait for it, it says more than "context
	// deadline exceeded" or "context canceled".
	var lastResp *http.Response
	var lastErr error
	ended := func() (*http.Response, error) {
		if lastResp == nil && lastErr == nil {
			return nil, ctx.Err()
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cl.exhausted = "the operation's timeout ran out before the next one could finish"
		} else {
			cl.exhausted = "the operation was cancelled"
			cl.stop = ctx.Err()
		}
		return lastResp, lastErr
	}
	for attempt := 1; ; attempt++ {
		resp, sent, err := t.attempt(req, cl, key, attempt)
		if resp != nil {
			c.reach.heard()
		}
		if sent && ((err != nil && !neverSent(err)) || (resp != nil && resp.StatusCode >= 500)) {
			cl.ambiguous = true
		}
		if err != nil && ctx.Err() != nil {
			return ended()
		}
		if c.reach.hostNotFound(err) {
			// A name that does not exist stays so: no retry can mend it.
			cl.reach = reachNotFound
			return nil, err
		}
		reason, retry := retryable(req.Method, resp, err)
		if !retry {
			return resp, err
		}
		if c.maxRetries >= 0 && attempt > c.maxRetries {
			cl.exhausted = fmt.Sprintf("max_retries is %d", c.maxRetries)
			return resp, err
		}

		wait := c.backoff(attempt)
		limited := resp != nil && resp.StatusCode == http.StatusTooManyRequests
		if limited {
			// LogicMonitor's limit is a rolling window; once it is full
			// only time frees it. Block the endpoint for every goroutine:
			// the next attempt's pacing does the waiting.
			wait = c.pace.block(key, resp.Header, wait)
		}
		if !fits(ctx, wait) {
			// Waiting would only end in the deadline's error; the last
			// failure says more.
			cl.exhausted = "the operation's timeout leaves no time for another"
			return resp, err
		}
		if err != nil {
			var why string
			if wait, why = c.reach.spent(time.Now(), wait); why != "" {
				cl.exhausted = why
				cl.reach = reachNoAnswer
				return resp, err
			}
		}
		lastResp, lastErr = keep(resp), err
		c.count(func(s *Stats) { s.Retries++ })
		reason = c.redact(reason, cl)
		noteRetry(ctx, reason)
		c.log.Warn(ctx, "retrying LogicMonitor request", map[string]any{
			"method":     req.Method,
			"path":       cl.path,
			"attempt":    attempt,
			"reason":     reason,
			"wait_ms":    wait.Milliseconds(),
			"next_in":    seconds(wait),
			"elapsed_ms": time.Since(cl.start).Milliseconds(),
		})
		if !limited && sleep(ctx, wait) != nil {
			return ended()
		}
	}
}

// attempt sends the request once. sent reports whether it got as far as the
// base round tripper, so that a wait cancelled before sending is never
// mistaken for a request the server may have seen.
func (t *transport) attempt(req *http.Request, cl *call, key string, n int) (resp *http.Response, sent bool, err error) {
	c := t.c
	ctx := req.Context()
	if err := c.pace.wait(ctx, key, c.log, cl.path); err != nil {
		return nil, false, err
	}
	cl.attempts = n
	if n == 1 {
		cl.start = time.Now()
	}

	// The per-attempt timeout starts after pacing: a long rate-limit wait
	// is not the server being slow.
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	r := req.Clone(actx)
	if cl.body != nil {
		r.Body = io.NopCloser(bytes.NewReader(cl.body))
		r.ContentLength = int64(len(cl.body))
	} else {
		r.Body = nil
		r.ContentLength = 0
	}
	r.GetBody = nil
	if c.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+c.bearer)
	} else {
		r.Header.Set("Authorization", SignLMv1(c.accessID, c.accessKey, r.Method, cl.path, cl.body, c.clock.Now().UnixMilli()))
	}

	c.count(func(s *Stats) { s.Requests[r.Method]++ })
	start := time.Now()
	resp, err = t.base.RoundTrip(r)
	c.pace.release(key, start, resp)
	fields := map[string]any{
		"method":      r.Method,
		"path":        cl.path,
		"attempt":     n,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if err != nil {
		cancel()
		if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", c.timeout, err)
		}
		fields["error"] = c.redact(err.Error(), cl)
		c.log.Debug(ctx, "LogicMonitor request failed", fields)
		return nil, true, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	if resp.StatusCode == http.StatusTooManyRequests {
		c.count(func(s *Stats) { s.RateLimited++ })
	}
	fields["status"] = resp.StatusCode
	if v := resp.Header.Get(headerRemaining); v != "" {
		fields["rate_limit_remaining"] = v
	}
	c.log.Debug(ctx, "LogicMonitor request", fields)
	return resp, true, nil
}

// retryable decides whether an attempt may be repeated. GET, PUT, PATCH and
// DELETE are idempotent here (PATCH sets absolute values). A POST creates a
// token, so it is repeated only when the server provably did not act: the
// connection was never made, or it answered 429. Other POST failures are
// left to CreateAPIToken, which cleans up by marker before trying again.
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

// fits reports whether ctx leaves time to wait d before another attempt.
func fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ctx.Err() == nil && (!ok || time.Until(deadline) > d)
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

// cancelOnClose keeps the per-attempt context alive while the caller reads
// the body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
