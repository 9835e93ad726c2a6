// Package lm is a small LogicMonitor REST API (v3) client for the API token,
// user and role endpoints. It signs requests (LMv1 or bearer), paces them to
// LogicMonitor's rate limits, retries what is safe to retry and never leaves
// a token behind when a create's outcome is unknown. It knows nothing of
// Terraform, so plain Go programs (and the simulator's tests) can use it.
package lm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/clock"
)

const (
	defaultUserAgent      = "terraform-provider-lm/dev"
	defaultCallTimeout    = 5 * time.Minute
	defaultRequestTimeout = 60 * time.Second
	defaultRetryWaitMin   = 500 * time.Millisecond
	defaultRetryWaitMax   = 30 * time.Second

	// maxResponseBytes bounds what a misbehaving server can make us buffer;
	// a full page of 1000 tokens is well under 1 MiB.
	maxResponseBytes = 32 << 20
)

// Config configures a Client. Zero values mean the documented defaults.
type Config struct {
	BaseURL        string        // e.g. https://acme.logicmonitor.com/santaba/rest
	AccessID       string        // LMv1
	AccessKey      string        // LMv1 secret
	BearerToken    string        // alternative to LMv1; exactly one of the two must be given
	UserAgent      string        // default "terraform-provider-lm/dev"
	MaxRetries     int           // cap on retries after the first attempt; 0 means no cap (retry until the deadline); negative means none
	CallTimeout    time.Duration // bounds a call whose context has no deadline, retries included; 0 means 5m
	RequestTimeout time.Duration // per attempt; 0 means 60s
	RetryWaitMin   time.Duration // 0 means 500ms
	RetryWaitMax   time.Duration // 0 means 30s
	HTTPClient     *http.Client  // optional; its Transport is used as the base round tripper
	Logger         Logger        // optional; nil means no logging
	Clock          clock.Clock   // optional; LMv1 timestamps; nil means clock.Real{}

	// ConnectTimeout bounds the retries while the base URL's host has not
	// answered once (refused, unreachable, silent): counted from the
	// client's first failed attempt, for all its calls; 0 means 30s.
	ConnectTimeout time.Duration
	// ReachHint is appended to the errors that say the base URL's host
	// does not exist or never answered: where the URL came from and what
	// to check (the provider names its settings there).
	ReachHint string
}

// BaseURL builds a portal's REST base URL. US GovCloud portals use the
// domain "lmgov.us"; "" means "logicmonitor.com".
func BaseURL(company, domain string) string {
	if domain == "" {
		domain = "logicmonitor.com"
	}
	return "https://" + company + "." + domain + "/santaba/rest"
}

// Client talks to one LogicMonitor portal. It is safe for concurrent use,
// and concurrent callers share one rate-limit pacing state: make one Client
// per portal and credential.
type Client struct {
	baseURL    string // without a trailing slash
	accessID   string
	accessKey  string
	bearer     string
	userAgent  string
	maxRetries int           // negative: no cap
	callTTL    time.Duration // see Config.CallTimeout
	callLimit  error         // the cause bound gives when callTTL runs out
	timeout    time.Duration
	waitMin    time.Duration
	waitMax    time.Duration
	log        Logger
	clock      clock.Clock
	base       http.RoundTripper // sends one attempt; never follows a redirect
	pace       *pacer
	reach      *reach

	statsMu sync.Mutex
	stats   Stats
}

// Stats are counters since New, for diagnostics and benchmarks.
type Stats struct {
	Requests    map[string]int // requests sent by HTTP method, retries included
	Retries     int            // attempts repeated by send (not the leak-free create's new POSTs)
	RateLimited int            // 429 answers seen, retried or not
	Orphans     int            // tokens deleted after a create whose outcome was unknown
}

// New validates cfg and returns a Client. Error texts name the problem, never
// a credential's value.
func New(cfg Config) (*Client, error) {
	raw := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if raw == "" {
		return nil, errors.New("lm: the base URL is required, e.g. " + BaseURL("acme", ""))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, errors.New("lm: the base URL must be an absolute http(s) URL without credentials, e.g. " + BaseURL("acme", ""))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("lm: the base URL %s must not have a query or a fragment", u.Scheme+"://"+u.Host+u.Path)
	}
	lmv1 := cfg.AccessID != "" || cfg.AccessKey != ""
	switch {
	case lmv1 && cfg.BearerToken != "":
		return nil, errors.New("lm: give either an LMv1 access id and access key or a bearer token, not both")
	case lmv1 && cfg.AccessID == "":
		return nil, errors.New("lm: an LMv1 access key was given without its access id")
	case lmv1 && cfg.AccessKey == "":
		return nil, errors.New("lm: an LMv1 access id was given without its access key")
	case !lmv1 && cfg.BearerToken == "":
		return nil, errors.New("lm: no credentials: give an LMv1 access id and access key, or a bearer token")
	}
	if cfg.RequestTimeout < 0 || cfg.CallTimeout < 0 || cfg.ConnectTimeout < 0 || cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0 {
		return nil, errors.New("lm: timeouts and retry waits must not be negative")
	}

	c := &Client{
		baseURL:    u.String(),
		accessID:   cfg.AccessID,
		accessKey:  cfg.AccessKey,
		bearer:     cfg.BearerToken,
		userAgent:  orDefault(cfg.UserAgent, defaultUserAgent),
		maxRetries: cfg.MaxRetries,
		callTTL:    orDefault(cfg.CallTimeout, defaultCallTimeout),
		timeout:    orDefault(cfg.RequestTimeout, defaultRequestTimeout),
		waitMin:    orDefault(cfg.RetryWaitMin, defaultRetryWaitMin),
		waitMax:    orDefault(cfg.RetryWaitMax, defaultRetryWaitMax),
		log:        cfg.Logger,
		clock:      cfg.Clock,
		pace:       newPacer(),
		reach:      &reach{host: u.Hostname(), addr: hostPort(u), budget: orDefault(cfg.ConnectTimeout, defaultConnectTimeout), hint: strings.TrimSpace(cfg.ReachHint)},
		stats:      Stats{Requests: map[string]int{}},
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = -1
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	c.waitMax = max(c.waitMax, c.waitMin)
	c.callLimit = fmt.Errorf("%w: no success within %s (the limit of an API call outside a resource's timeouts)", context.DeadlineExceeded, c.callTTL)
	if c.log == nil {
		c.log = nopLogger{}
	}
	if c.clock == nil {
		c.clock = clock.Real{}
	}

	// Attempts go straight to a RoundTripper, which never follows a
	// redirect: one would be followed with a signature made for another
	// path, so it is surfaced instead (apiError).
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		c.base = cfg.HTTPClient.Transport
	} else if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t := dt.Clone()
		// Concurrent Terraform operations hit one host; the default of 2
		// idle connections would make most requests dial anew.
		t.MaxIdleConnsPerHost = 32
		c.base = t
	} else {
		c.base = http.DefaultTransport
	}
	return c, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// AccessID is the LMv1 access id the client authenticates with; "" for a
// bearer token. The provider uses it to avoid deleting its own credential.
func (c *Client) AccessID() string { return c.accessID }

// Stats returns a copy of the counters.
func (c *Client) Stats() Stats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	s := c.stats
	s.Requests = make(map[string]int, len(c.stats.Requests))
	for k, v := range c.stats.Requests {
		s.Requests[k] = v
	}
	return s
}

func (c *Client) count(f func(*Stats)) {
	c.statsMu.Lock()
	f(&c.stats)
	c.statsMu.Unlock()
}

// call is one logical API call: what do sends, and what its attempts
// (send, attempt) found out, so that do and CreateAPIToken can tell a
// definite failure from an unknown outcome.
type call struct {
	method string
	path   string // resource path, e.g. /setting/admins/7/apitokens
	query  url.Values
	in     any // request body, JSON-encoded; nil for none
	out    any // decoded from a 2xx answer when non-nil, strictly (decode.go)

	body   []byte // the exact bytes sent and signed
	secret string // a value in the body (a password) that no error or log line may show

	attempts  int       // requests sent
	start     time.Time // when the first attempt was sent
	exhausted string    // why retrying stopped while the last failure was retryable; "" if it did not
	// reach: the base URL's host does not exist (reachNotFound) or never
	// answered within the connect timeout (reachNoAnswer); 0 otherwise.
	reach reachKind
	// stop is the context's error when it ended the retries: the error
	// returned is then the last real failure, which also matches stop.
	stop error
	// ambiguous: some attempt may have been acted on by the server without
	// us knowing the result. It stays set once set: a POST is never retried
	// after such an attempt, and a DELETE retried after one may find the
	// object already gone.
	ambiguous bool
}

// bound gives ctx the client's call timeout when it has no deadline of its
// own, so that retries always end.
func (c *Client) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, c.callTTL, c.callLimit)
}

// ctxError is the error of a call its context ended before any attempt
// failed: the context's cause, which names the limit when it was bound's.
func ctxError(ctx context.Context, cl *call) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, context.Canceled) && cl.attempts > 0 {
		return fmt.Errorf("lm: %s %s: cancelled %s after the first attempt, while attempt %d awaited its answer: %w",
			cl.method, cl.path, seconds(time.Since(cl.start)), cl.attempts, cause)
	}
	return fmt.Errorf("lm: %s %s: %w", cl.method, cl.path, cause)
}

// do performs one API call: every request of the package goes through it.
// It builds the request, has send deliver it (retries included: retry.go),
// and turns the answer into the call's result or one *Error.
func (c *Client) do(ctx context.Context, cl *call) (err error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	defer func() { err = finish(cl, err) }()
	if cl.in != nil {
		b, err := encodeJSON(cl.in)
		if err != nil {
			return fmt.Errorf("lm: %s %s: encoding the request: %w", cl.method, cl.path, err)
		}
		cl.body = b
	}
	target := c.baseURL + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	// Each attempt sends a copy with its own body reader and signature.
	req, err := http.NewRequestWithContext(ctx, cl.method, target, nil)
	if err != nil {
		return fmt.Errorf("lm: %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("X-Version", "3") // without it LogicMonitor answers in the v1 envelope
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.send(ctx, cl, req)
	if err != nil {
		if ctx.Err() != nil && cl.exhausted == "" {
			return ctxError(ctx, cl)
		}
		return c.transportError(cl, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		cl.ambiguous = true
		if ctx.Err() != nil {
			return ctxError(ctx, cl)
		}
		return c.transportError(cl, fmt.Errorf("reading the answer: %w", err))
	}
	if resp.StatusCode == http.StatusNotFound && cl.method == http.MethodDelete && cl.ambiguous && isLMError(data) {
		// An earlier attempt got through and its answer was lost: the
		// object is gone because of this call. (Only LogicMonitor's own
		// 404 says so; a proxy's page says nothing.)
		c.log.Debug(ctx, "LogicMonitor DELETE done by an earlier attempt", map[string]any{"path": cl.path, "attempts": cl.attempts})
		return nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(cl, resp.StatusCode, resp.Header, data)
	}
	if err := c.decode(cl, resp.StatusCode, resp.Header, data); err != nil {
		// The server (or whatever answered) may have acted, but we cannot
		// see on what.
		cl.ambiguous = true
		return err
	}
	return nil
}

// encodeJSON keeps <, > and & literal: the bytes are signed and shown in
// the portal, so they should be what the user wrote.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
