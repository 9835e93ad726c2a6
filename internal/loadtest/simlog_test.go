package loadtest

import (
	"math"
	"testing"
	"time"
)

func TestSimLogParsesSplitWrites(t *testing.T) {
	l := NewSimLog(nil)
	lines := `{"time":"2026-01-02T03:04:05.5Z","method":"POST","path":"/santaba/rest/x","status":200,"accessId":"a"}
{"time":"2026-01-02T03:04:06Z","method":"GET","path":"/santaba/rest/x","status":429,"accessId":"a"}
{"time":"2026-01-02T03:04:07Z","method":"PATCH","path":"/santaba/rest/x","status":503,"accessId":"a","fault":"5xx"}
{"time":"2026-01-02T03:04:08Z","method":"DELETE","path":"/santaba/rest/x","status":404,"accessId":"a"}
`
	// Writes cut mid-line must still yield whole entries.
	for i := 0; i < len(lines); i += 7 {
		_, _ = l.Write([]byte(lines[i:min(i+7, len(lines))]))
	}
	if got := l.Len(); got != 4 {
		t.Fatalf("Len() = %d, want 4", got)
	}
	c := Count(l.Since(0))
	if c.Requests != 4 || c.ByMethod["POST"] != 1 || c.RateLimited != 1 || c.Faults["5xx"] != 1 || c.Failed != 1 {
		t.Errorf("Count = %+v", c)
	}
	if e := l.Since(3)[0]; e.Method != "DELETE" || e.Status != 404 || e.Time.Second() != 8 {
		t.Errorf("Since(3)[0] = %+v", e)
	}
}

func TestOccupancy(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	every := func(n int, d time.Duration) []time.Time {
		out := make([]time.Time, n)
		for i := range out {
			out[i] = t0.Add(time.Duration(i) * d)
		}
		return out
	}
	tests := []struct {
		name   string
		times  []time.Time
		limit  int
		window time.Duration
		want   float64
		ok     bool
	}{
		// 10 per second against 10 per second: the window stays full.
		{"at the limit", every(100, 100*time.Millisecond), 10, time.Second, 1, true},
		// Half the allowed rate.
		{"half", every(100, 200*time.Millisecond), 10, time.Second, 0.5, true},
		// Everything within the first window: the limit never binds.
		{"never binds", every(5, 100*time.Millisecond), 10, time.Second, 0, false},
		{"empty", nil, 10, time.Second, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Occupancy(tt.times, tt.limit, tt.window)
			if ok != tt.ok || (ok && math.Abs(got-tt.want) > 0.03) {
				t.Errorf("Occupancy = %.3f, %v; want %.3f, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
