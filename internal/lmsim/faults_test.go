package lmsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseFaults(t *testing.T) {
	cases := []struct {
		spec string
		want Faults
		err  bool
	}{
		{spec: "", want: Faults{}},
		{spec: "off", want: Faults{}},
		{spec: "5xx=0.1,429=0.05,reset=0.02,drop=0.02,latency=5ms-50ms",
			want: Faults{Err5xx: 0.1, Err429: 0.05, Reset: 0.02, Drop: 0.02, LatencyMin: 5 * time.Millisecond, LatencyMax: 50 * time.Millisecond}},
		{spec: "latency=20ms", want: Faults{LatencyMin: 20 * time.Millisecond, LatencyMax: 20 * time.Millisecond}},
		{spec: "drop=1", want: Faults{Drop: 1}},
		{spec: "5xx=1.5", err: true},
		{spec: "5xx=-0.1", err: true},
		{spec: "5xx=0.6,429=0.6", err: true},
		{spec: "timeout=0.1", err: true},
		{spec: "latency=50ms-5ms", err: true},
		{spec: "latency=fast", err: true},
		{spec: "reset", err: true},
	}
	for _, tc := range cases {
		got, err := ParseFaults(tc.spec)
		if (err != nil) != tc.err {
			t.Errorf("ParseFaults(%q) error = %v, want error %v", tc.spec, err, tc.err)
			continue
		}
		if !tc.err && got != tc.want {
			t.Errorf("ParseFaults(%q) = %+v, want %+v", tc.spec, got, tc.want)
		}
		if !tc.err {
			if again, err := ParseFaults(got.String()); err != nil || again != got {
				t.Errorf("String() of %q does not parse back: %q %v", tc.spec, got.String(), err)
			}
		}
	}
}

// faultSim uses a fresh connection per request, so that Go's transport
// does not silently retry a request whose reused connection was reset.
func faultSim(t *testing.T, opts Options) *sim {
	s := startSim(t, opts)
	s.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	return s
}

func TestFaultKinds(t *testing.T) {
	s := faultSim(t, Options{})
	create := req{method: "POST", path: "/setting/admins/131/apitokens", body: `{"note":"faulty"}`, cred: adminCred}
	countTokens := func() int { return len(s.Server.Tokens()) }

	t.Run("5xx", func(t *testing.T) {
		s.Server.SetFaults(Faults{Err5xx: 1})
		seen := map[int]bool{}
		for range 30 {
			r := s.do(t, req{path: "/setting/roles", cred: adminCred})
			if r.status != 500 && r.status != 502 && r.status != 503 {
				t.Fatalf("status %d", r.status)
			}
			wantError(t, r, r.status, "")
			seen[r.status] = true
		}
		if len(seen) != 3 {
			t.Errorf("statuses seen: %v, want 500, 502 and 503", seen)
		}
		// A 5xx happens before the handler: nothing is created.
		before := countTokens()
		s.do(t, create)
		if countTokens() != before {
			t.Error("a 5xx fault ran the handler")
		}
	})
	t.Run("429", func(t *testing.T) {
		s.Server.SetFaults(Faults{Err429: 1})
		r := s.do(t, req{path: "/setting/roles", cred: adminCred})
		wantError(t, r, http.StatusTooManyRequests, "Too Many Requests")
		if r.header.Get("X-Rate-Limit-Remaining") != "0" {
			t.Errorf("remaining = %q", r.header.Get("X-Rate-Limit-Remaining"))
		}
	})
	t.Run("reset", func(t *testing.T) {
		s.Server.SetFaults(Faults{Reset: 1})
		before := countTokens()
		if _, err := s.try(create); err == nil {
			t.Fatal("no connection error")
		}
		if countTokens() != before {
			t.Error("a reset ran the handler")
		}
	})
	t.Run("drop", func(t *testing.T) {
		s.Server.SetFaults(Faults{Drop: 1})
		before := countTokens()
		if _, err := s.try(create); err == nil {
			t.Fatal("no connection error")
		}
		if countTokens() != before+1 {
			t.Error("a drop did not commit the create")
		}
	})
	t.Run("latency", func(t *testing.T) {
		s.Server.SetFaults(Faults{LatencyMin: 40 * time.Millisecond, LatencyMax: 60 * time.Millisecond})
		start := time.Now()
		wantStatus(t, s.do(t, req{path: "/setting/roles", cred: adminCred}), http.StatusOK)
		if d := time.Since(start); d < 40*time.Millisecond {
			t.Errorf("answered in %s, want at least 40ms", d)
		}
	})
	t.Run("only API calls", func(t *testing.T) {
		s.Server.SetFaults(Faults{Reset: 1})
		hr, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.TrimSuffix(s.URL, BasePath)+"/healthz", nil)
		res, err := s.client.Do(hr)
		if err != nil {
			t.Fatalf("a fault hit a non-API path: %v", err)
		}
		res.Body.Close()
	})
	s.Server.SetFaults(Faults{})
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: adminCred}), http.StatusOK)

	st := s.Server.Stats()
	if st.Faults[Fault5xx] != 31 || st.Faults[Fault429] != 1 || st.Faults[FaultReset] != 1 || st.Faults[FaultDrop] != 1 {
		t.Errorf("fault counters: %v", st.Faults)
	}
	if st.RateLimited != 1 {
		t.Errorf("RateLimited = %d, want 1 (the injected 429)", st.RateLimited)
	}
}

func TestFaultsSeeded(t *testing.T) {
	faults, err := ParseFaults("5xx=0.25,429=0.25,drop=0.2,reset=0.1")
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed int64) string {
		s := faultSim(t, Options{Faults: faults, Seed: seed})
		var b strings.Builder
		for range 40 {
			r, err := s.try(req{path: "/setting/roles", cred: adminCred})
			if err != nil {
				b.WriteString("x ")
				continue
			}
			b.WriteString(http.StatusText(r.status) + " ")
		}
		return b.String()
	}
	a, b, c := run(42), run(42), run(43)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same faults: %s", a)
	}
	if !strings.Contains(a, "x ") || !strings.Contains(a, "OK") || !strings.Contains(a, "Too Many") {
		t.Errorf("expected a mix of outcomes: %s", a)
	}
}

func TestParseStrange(t *testing.T) {
	got, err := ParseStrange(" html=/setting/roles/* , envelope=GET:/setting/admins/*/apitokens,truncated=/setting/admins/*")
	want := []Strange{
		{Shape: StrangeHTML, Path: "/setting/roles/*"},
		{Shape: StrangeEnvelope, Method: "GET", Path: "/setting/admins/*/apitokens"},
		{Shape: StrangeTruncated, Path: "/setting/admins/*"},
	}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ParseStrange = %+v, %v", got, err)
	}
	if again, err := ParseStrange(FormatStrange(got)); err != nil || !slices.Equal(again, want) {
		t.Errorf("FormatStrange does not parse back: %q %v", FormatStrange(got), err)
	}
	for _, spec := range []string{"", "off"} {
		if got, err := ParseStrange(spec); err != nil || got != nil {
			t.Errorf("ParseStrange(%q) = %v, %v", spec, got, err)
		}
	}
	for _, spec := range []string{"xml=/setting/roles", "html", "html=setting/roles", "html=/setting/[roles", "html=get:/setting/roles"} {
		if _, err := ParseStrange(spec); err == nil {
			t.Errorf("ParseStrange(%q): no error", spec)
		}
	}
}

// Each shape is answered on the chosen paths only, with HTTP 200, before
// authentication (as a proxy would); only truncated runs the call.
func TestStrangeAnswers(t *testing.T) {
	s := startSim(t, Options{})
	roles := req{path: "/setting/roles/1", cred: adminCred}
	for _, shape := range StrangeShapes {
		t.Run(shape, func(t *testing.T) {
			if err := s.Server.SetStrange(Strange{Shape: shape, Path: "/setting/roles/*"}); err != nil {
				t.Fatal(err)
			}
			r, err := s.try(roles)
			if err != nil {
				t.Fatal(err)
			}
			if r.status != http.StatusOK {
				t.Errorf("status %d", r.status)
			}
			body := string(r.body)
			switch shape {
			case StrangeEnvelope:
				wantBody(t, r, "application/json", `{"status":1069,"errmsg":"No such record","data":null}`)
			case StrangeEmpty:
				wantBody(t, r, "application/json", `{}`)
			case StrangeNullItems:
				wantBody(t, r, "application/json", `{"total":3,"items":null}`)
			case StrangeHTML:
				if r.header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.HasPrefix(body, "<!DOCTYPE html>") {
					t.Errorf("%s: %s", r.header.Get("Content-Type"), body)
				}
			case StrangeTruncated:
				var v any
				if !strings.HasPrefix(body, `{"id":1,`) || json.Unmarshal(r.body, &v) == nil || r.header.Get("Content-Type") != "application/json" {
					t.Errorf("not the first half of role 1: %s", body)
				}
			}
			// Another path answers as LogicMonitor does.
			wantStatus(t, s.do(t, req{path: "/setting/admins/100", cred: adminCred}), http.StatusOK)
		})
	}

	// A proxy answers before authentication: no credentials needed.
	_ = s.Server.SetStrange(Strange{Shape: StrangeEmpty, Path: "/setting/roles/*"})
	if r, err := s.try(req{path: "/setting/roles/1"}); err != nil || r.status != http.StatusOK || string(r.body) != "{}" {
		t.Errorf("unauthenticated: %v %d %s", err, r.status, r.body)
	}

	// The method narrows it; truncated runs the call.
	_ = s.Server.SetStrange(Strange{Shape: StrangeTruncated, Method: http.MethodPatch, Path: "/setting/roles/*"})
	wantStatus(t, s.do(t, roles), http.StatusOK)
	r, err := s.try(req{method: http.MethodPatch, path: "/setting/roles/2", body: `{"description":"cut short"}`, cred: adminCred})
	if err != nil || r.status != http.StatusOK || json.Valid(r.body) {
		t.Errorf("PATCH: %v %d %s", err, r.status, r.body)
	}
	for _, role := range s.Server.Roles() {
		if role.ID == 2 && role.Description != "cut short" {
			t.Errorf("a truncated PATCH did not run: %+v", role)
		}
	}

	if err := s.Server.SetStrange(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s.do(t, roles), http.StatusOK)
	if st := s.Server.Stats(); st.Faults[StrangeHTML] != 1 || st.Faults[StrangeEmpty] != 2 || st.Faults[StrangeTruncated] != 2 {
		t.Errorf("fault counters: %v", st.Faults)
	}
	if err := s.Server.SetStrange(Strange{Shape: "xml", Path: "/x"}); err == nil {
		t.Error("SetStrange took an unknown shape")
	}
}

func wantBody(t *testing.T, r resp, ctype, body string) {
	t.Helper()
	if r.header.Get("Content-Type") != ctype || string(r.body) != body {
		t.Errorf("got %s %s, want %s %s", r.header.Get("Content-Type"), r.body, ctype, body)
	}
}
