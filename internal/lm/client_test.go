package lm

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/clock"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

func TestBaseURL(t *testing.T) {
	tests := []struct{ company, domain, want string }{
		{"acme", "", "https://acme.logicmonitor.com/santaba/rest"},
		{"acme", "lmgov.us", "https://acme.lmgov.us/santaba/rest"},
	}
	for _, tc := range tests {
		if got := BaseURL(tc.company, tc.domain); got != tc.want {
			t.Errorf("BaseURL(%q, %q) = %q, want %q", tc.company, tc.domain, got, tc.want)
		}
	}
}

func TestNewValidation(t *testing.T) {
	const base = "https://acme.logicmonitor.com/santaba/rest"
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // "" means valid
	}{
		{"lmv1", Config{BaseURL: base, AccessID: testAccessID, AccessKey: testAccessKey}, ""},
		{"bearer", Config{BaseURL: base, BearerToken: testBearer}, ""},
		{"trailing slash", Config{BaseURL: base + "/", BearerToken: testBearer}, ""},
		{"no base", Config{AccessID: testAccessID, AccessKey: testAccessKey}, "base URL is required"},
		{"relative base", Config{BaseURL: "acme.logicmonitor.com", BearerToken: testBearer}, "absolute http(s) URL"},
		{"bad scheme", Config{BaseURL: "ftp://acme/santaba/rest", BearerToken: testBearer}, "absolute http(s) URL"},
		{"unparsable", Config{BaseURL: "http://[::1", BearerToken: testBearer}, "absolute http(s) URL"},
		{"userinfo", Config{BaseURL: "https://u:" + testAccessKey + "@acme/santaba/rest", BearerToken: testBearer}, "without credentials"},
		{"query", Config{BaseURL: base + "?x=1", BearerToken: testBearer}, "query"},
		{"no credentials", Config{BaseURL: base}, "no credentials"},
		{"both kinds", Config{BaseURL: base, AccessID: testAccessID, AccessKey: testAccessKey, BearerToken: testBearer}, "not both"},
		{"id without key", Config{BaseURL: base, AccessID: testAccessID}, "without its access key"},
		{"key without id", Config{BaseURL: base, AccessKey: testAccessKey}, "without its access id"},
		{"negative timeout", Config{BaseURL: base, BearerToken: testBearer, RequestTimeout: -1}, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.cfg)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if c.AccessID() != tc.cfg.AccessID {
					t.Errorf("AccessID() = %q, want %q", c.AccessID(), tc.cfg.AccessID)
				}
				return
			}
			if err == nil {
				t.Fatalf("New succeeded, want an error containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
			assertNoSecret(t, err.Error())
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := New(Config{BaseURL: "https://acme.logicmonitor.com/santaba/rest/", BearerToken: testBearer})
	if err != nil {
		t.Fatal(err)
	}
	if c.maxRetries != -1 || c.callTTL != 5*time.Minute || c.timeout != 60*time.Second || c.waitMin != 500*time.Millisecond || c.waitMax != 30*time.Second || c.userAgent != "terraform-provider-lm/dev" {
		t.Errorf("defaults: retries %d (want -1: no cap) call %s timeout %s wait %s..%s ua %q", c.maxRetries, c.callTTL, c.timeout, c.waitMin, c.waitMax, c.userAgent)
	}
	if c.baseURL != "https://acme.logicmonitor.com/santaba/rest" {
		t.Errorf("baseURL = %q", c.baseURL)
	}
	c, _ = New(Config{BaseURL: "https://a/santaba/rest", BearerToken: testBearer, MaxRetries: -1})
	if c.maxRetries != 0 {
		t.Errorf("MaxRetries -1 gave %d retries", c.maxRetries)
	}
}

func TestRequestHeadersLMv1(t *testing.T) {
	fixed := &clock.Fixed{T: time.UnixMilli(1732752000456)}
	f := newSim(t, simClock(fixed.T))
	c := f.client(t, func(cfg *Config) {
		cfg.Clock = fixed
		cfg.UserAgent = "terraform-provider-lm/1.2.3"
	})
	ctx := context.Background()
	if _, err := c.GetAdmin(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAPIToken(ctx, 7, CreateAPITokenRequest{Note: "ci <&> pipeline", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("got %d requests, want GET, POST, PATCH", len(reqs))
	}
	for _, r := range reqs {
		for h, want := range map[string]string{
			"X-Version":    "3",
			"Content-Type": "application/json",
			"Accept":       "application/json",
			"User-Agent":   "terraform-provider-lm/1.2.3",
		} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s %s: %s = %q, want %q", r.Method, r.Path, h, got, want)
			}
		}
		want := SignLMv1(testAccessID, testAccessKey, r.Method, r.Path, []byte(r.Body), 1732752000456)
		if got := r.Header.Get("Authorization"); got != want {
			t.Errorf("%s %s: Authorization = %q, want %q", r.Method, r.Path, got, want)
		}
	}
	if got := reqs[2].Body; got != `{"note":"ci <&> pipeline","status":2}` {
		t.Errorf("PATCH body = %s", got)
	}
}

func TestBearerHeader(t *testing.T) {
	f := newSim(t)
	c := f.client(t, func(cfg *Config) { cfg.AccessID, cfg.AccessKey, cfg.BearerToken = "", "", testBearer })
	if c.AccessID() != "" {
		t.Errorf("AccessID() = %q for a bearer client", c.AccessID())
	}
	if _, err := c.ListRoles(context.Background(), ListOptions{}); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if got := r.Header.Get("Authorization"); got != "Bearer "+testBearer {
		t.Errorf("Authorization = %q", got)
	}
	if got := r.Header.Get("User-Agent"); got != "terraform-provider-lm/dev" {
		t.Errorf("User-Agent = %q", got)
	}
}

// The LMv1 timestamp ages during backoff, so each attempt must be signed
// again rather than replayed.
func TestSignatureRecomputedPerAttempt(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_000)
	f := newSim(t, simClock(start))
	f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
		if r.N == 1 {
			writeLMError(w, http.StatusServiceUnavailable, "busy")
			return true
		}
		return false
	})
	c := f.client(t, func(cfg *Config) { cfg.Clock = &tickingClock{t: start, step: time.Second} })
	if _, err := c.GetAdmin(context.Background(), 7); err != nil {
		t.Fatalf("GetAdmin: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	a1, a2 := reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization")
	if a1 == a2 {
		t.Errorf("retry reused the signature %q", a1)
	}
	if !strings.HasSuffix(a2, ":"+strconv.FormatInt(1_700_000_002_000, 10)) {
		t.Errorf("second attempt signed with %q, want the clock's second reading", a2)
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		is        func(error) bool
		wantCode  int32
		wantParts []string
	}{
		{"404", 404, `{"errorCode":1404,"errorMessage":"The API token 146 is not found."}`, IsNotFound, 1404, []string{"HTTP 404", "errorCode 1404", "The API token 146 is not found."}},
		{"401 lmv1", 401, `{"errorCode":1401,"errorMessage":"Authentication failed"}`, IsUnauthorized, 1401, []string{"Authentication failed", "access id and access key", "30 minutes"}},
		{"403", 403, `{"errorCode":1403,"errorMessage":"Permission denied"}`, IsForbidden, 1403, []string{"Permission denied", "lacks the permission", `"administrator"`}},
		{"400 not json", 400, `<html>bad</html>`, func(err error) bool { return !IsNotFound(err) && !IsForbidden(err) }, 0, []string{"HTTP 400", "Bad Request"}},
		{"429 exhausted", 429, `{"errorCode":1429,"errorMessage":"Too many requests"}`, IsRateLimited, 1429, []string{"gave up after 2 attempts"}},
		{"echoed secret", 400, `{"errorCode":1400,"errorMessage":"bad key ` + testAccessKey + `"}`, func(error) bool { return true }, 1400, []string{"<redacted>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSim(t)
			f.setHook(func(w http.ResponseWriter, _ *lmsim.Intercepted) bool {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
				return true
			})
			c := f.client(t, func(cfg *Config) { cfg.MaxRetries = 1 })
			_, err := c.GetAdmin(context.Background(), 131)
			if err == nil {
				t.Fatal("no error")
			}
			if !tc.is(err) {
				t.Errorf("predicate false for %v", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not *Error", err)
			}
			if e.StatusCode != tc.status || e.ErrorCode != tc.wantCode || e.Method != "GET" || e.Path != "/setting/admins/131" {
				t.Errorf("got %+v", e)
			}
			for _, p := range tc.wantParts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q lacks %q", err, p)
				}
			}
			assertNoSecret(t, err.Error())
		})
	}
}

func TestUnauthorizedBearerHint(t *testing.T) {
	f := newSim(t)
	c := f.client(t, func(cfg *Config) { cfg.AccessID, cfg.AccessKey, cfg.BearerToken = "", "", "wrong-bearer-token-value" })
	_, err := c.GetAdmin(context.Background(), 7)
	if !IsUnauthorized(err) || !strings.Contains(err.Error(), "bearer token") || strings.Contains(err.Error(), "wrong-bearer-token-value") {
		t.Errorf("err = %v", err)
	}
}

// Every way a request can fail, with a logger attached: no error and no log
// line may contain the access key, the bearer token or a signature.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	for _, bearer := range []bool{false, true} {
		f := newSim(t)
		log := &captureLogger{}
		c := f.client(t, func(cfg *Config) {
			cfg.Logger = log
			cfg.MaxRetries = 2
			if bearer {
				cfg.AccessID, cfg.AccessKey, cfg.BearerToken = "", "", testBearer
			}
		})
		f.setHook(func(w http.ResponseWriter, r *lmsim.Intercepted) bool {
			switch path := r.Path; {
			case strings.HasSuffix(path, "/401"):
				writeLMError(w, 401, "Authentication failed for "+r.Header.Get("Authorization"))
			case strings.HasSuffix(path, "/403"):
				writeLMError(w, 403, "denied")
			case strings.HasSuffix(path, "/503"):
				writeLMError(w, 503, "busy")
			case strings.HasSuffix(path, "/reset"):
				lmsim.Abort(w)
			default:
				return false
			}
			return true
		})
		ctx := context.Background()
		var errs []error
		for _, p := range []string{"/setting/admins/401", "/setting/admins/403", "/setting/admins/503", "/setting/admins/reset"} {
			errs = append(errs, c.do(ctx, &call{method: http.MethodGet, path: p}))
		}
		_, err := c.CreateAPIToken(ctx, 7, CreateAPITokenRequest{Note: "x", Enabled: true})
		errs = append(errs, err)
		if err != nil {
			t.Errorf("create: %v", err)
		}
		closed := newSim(t)
		closed.srv.Close()
		cc := closed.client(t, func(cfg *Config) { cfg.Logger = log; cfg.MaxRetries = 1 })
		_, err = cc.GetAdmin(ctx, 7)
		errs = append(errs, err)

		var sigs []string
		for _, r := range f.requests() {
			a := r.Header.Get("Authorization")
			sigs = append(sigs, a)
			if parts := strings.Split(a, ":"); len(parts) == 3 {
				sigs = append(sigs, parts[1])
			}
		}
		for _, err := range errs[:4] {
			if err == nil {
				t.Fatal("expected an error")
			}
		}
		texts := log.all()
		for _, err := range errs {
			if err != nil {
				texts = append(texts, err.Error())
			}
		}
		if len(log.all()) == 0 {
			t.Fatal("nothing was logged")
		}
		for _, s := range texts {
			assertNoSecret(t, s, sigs...)
		}
	}
}

func assertNoSecret(t *testing.T, text string, more ...string) {
	t.Helper()
	for _, s := range append([]string{testAccessKey, testBearer}, more...) {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("text leaks a secret %q: %s", s, text)
		}
	}
}
