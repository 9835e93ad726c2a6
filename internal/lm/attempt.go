package lm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// attempt sends the call once: it waits for the pacer's room, signs
// afresh (an LMv1 signature carries a timestamp that ages during waits),
// sends req's copy through the base transport and logs it at DEBUG. sent
// reports whether it got as far as sending, so that a wait cancelled
// before sending is never mistaken for a request the server may have
// seen.
func (c *Client) attempt(ctx context.Context, cl *call, req *http.Request, key string, n int) (resp *http.Response, sent bool, err error) {
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
	}
	if c.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+c.bearer)
	} else {
		r.Header.Set("Authorization", SignLMv1(c.accessID, c.accessKey, r.Method, cl.path, cl.body, c.clock.Now().UnixMilli()))
	}

	c.count(func(s *Stats) { s.Requests[r.Method]++ })
	start := time.Now()
	resp, err = c.base.RoundTrip(r)
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
