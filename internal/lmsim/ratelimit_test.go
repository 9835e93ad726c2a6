package lmsim

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestParseRateLimits(t *testing.T) {
	cases := []struct {
		spec string
		want RateLimits
		err  bool
	}{
		{spec: "", want: RateLimits{}},
		{spec: "off", want: RateLimits{Disabled: true}},
		{spec: "GET=40/5s,POST=10/5s", want: RateLimits{PerMethod: map[string]Limit{"GET": {40, 5 * time.Second}, "POST": {10, 5 * time.Second}}}},
		{spec: "delete=3/500ms", want: RateLimits{PerMethod: map[string]Limit{"DELETE": {3, 500 * time.Millisecond}}}},
		{spec: "PATCH=100/m", want: RateLimits{PerMethod: map[string]Limit{"PATCH": {100, time.Minute}}}},
		{spec: "GET=40", err: true},
		{spec: "GET=0/5s", err: true},
		{spec: "GET=x/5s", err: true},
		{spec: "GET=4/0s", err: true},
		{spec: "GET=4/soon", err: true},
		{spec: "TRACE=4/5s", err: true},
	}
	for _, tc := range cases {
		got, err := ParseRateLimits(tc.spec)
		if (err != nil) != tc.err {
			t.Errorf("ParseRateLimits(%q) error = %v, want error %v", tc.spec, err, tc.err)
			continue
		}
		if !tc.err && got.String() != tc.want.String() {
			t.Errorf("ParseRateLimits(%q) = %s, want %s", tc.spec, got, tc.want)
		}
	}
	r, _ := ParseRateLimits("GET=40/5s")
	if l, _ := r.For(http.MethodPost); l != DefaultRateLimits[http.MethodPost] {
		t.Errorf("unnamed method lost its default: %v", l)
	}
	if l, _ := (RateLimits{}).For(http.MethodGet); l != (Limit{500, time.Minute}) {
		t.Errorf("default GET limit = %v", l)
	}
}

func TestEndpointTemplate(t *testing.T) {
	cases := map[string]string{
		"/setting/admins/131/apitokens/146": "/setting/admins/{id}/apitokens/{id}",
		"/setting/admins/apitokens":         "/setting/admins/apitokens",
		"/setting/roles/2":                  "/setting/roles/{id}",
		"/setting/admins/13a":               "/setting/admins/13a",
	}
	for in, want := range cases {
		if got := endpointTemplate(in); got != want {
			t.Errorf("endpointTemplate(%s) = %s, want %s", in, got, want)
		}
	}
}

func wantRateHeaders(t *testing.T, r resp, limit, remaining, window int) {
	t.Helper()
	for h, want := range map[string]int{"X-Rate-Limit-Limit": limit, "X-Rate-Limit-Remaining": remaining, "X-Rate-Limit-Window": window} {
		if got := r.header.Get(h); got != strconv.Itoa(want) {
			t.Errorf("%s = %q, want %d", h, got, want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	limits, err := ParseRateLimits("GET=3/1s,DELETE=1/500ms")
	if err != nil {
		t.Fatal(err)
	}
	s := startSim(t, Options{RateLimits: limits})
	get := req{path: "/setting/admins/131/apitokens", cred: adminCred}

	for i := range 3 {
		r := s.do(t, get)
		wantStatus(t, r, http.StatusOK)
		wantRateHeaders(t, r, 3, 2-i, 1)
	}
	r := s.do(t, get)
	wantError(t, r, http.StatusTooManyRequests, "Too Many Requests")
	wantRateHeaders(t, r, 3, 0, 1)
	// Same endpoint template, other ids: same bucket.
	wantStatus(t, s.do(t, req{path: "/setting/admins/100/apitokens", cred: adminCred}), http.StatusTooManyRequests)
	// Other endpoints have their own bucket; POST keeps its default.
	r = s.do(t, req{path: "/setting/roles", cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	wantRateHeaders(t, r, 3, 2, 1)
	r = s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{}`, cred: adminCred})
	wantRateHeaders(t, r, 200, 199, 60)
	// Unauthenticated calls carry the headers but do not count.
	r = s.do(t, req{path: "/setting/roles"})
	wantStatus(t, r, http.StatusUnauthorized)
	wantRateHeaders(t, r, 3, 2, 1)
	if st := s.Server.Stats(); st.RateLimited != 2 {
		t.Errorf("RateLimited = %d, want 2", st.RateLimited)
	}

	// The window rolls: the log is sliding, so slots free up one by one.
	s.clock.Advance(1001 * time.Millisecond)
	wantStatus(t, s.do(t, get), http.StatusOK) // t=1.001: the three from t=0 expired
	s.clock.Advance(500 * time.Millisecond)
	wantStatus(t, s.do(t, get), http.StatusOK) // t=1.501
	wantStatus(t, s.do(t, get), http.StatusOK) // t=1.501
	wantStatus(t, s.do(t, get), http.StatusTooManyRequests)
	s.clock.Advance(500 * time.Millisecond) // t=2.001: only the t=1.001 call expired
	wantStatus(t, s.do(t, get), http.StatusOK)
	wantStatus(t, s.do(t, get), http.StatusTooManyRequests)

	// A sub-second window reports 1 second.
	del := req{method: "DELETE", path: "/setting/admins/131/apitokens/146", cred: adminCred}
	r = s.do(t, del)
	wantStatus(t, r, http.StatusOK)
	wantRateHeaders(t, r, 1, 0, 1)
	wantStatus(t, s.do(t, del), http.StatusTooManyRequests)
	s.clock.Advance(600 * time.Millisecond)
	wantStatus(t, s.do(t, del), http.StatusNotFound) // counted, and the token is gone

	// Turned off at run time: no limit, no headers.
	s.Server.SetRateLimits(RateLimits{Disabled: true})
	for range 5 {
		r = s.do(t, get)
		wantStatus(t, r, http.StatusOK)
		if r.header.Get("X-Rate-Limit-Limit") != "" {
			t.Fatal("rate headers while limits are off")
		}
	}
}
