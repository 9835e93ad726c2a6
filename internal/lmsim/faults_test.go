package lmsim

import (
	"net/http"
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
