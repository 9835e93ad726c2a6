package main

import (
	"strings"
	"testing"
)

// TestVerdict: a failed run fails the soak even when its re-run converged
// and nothing leaked, and the report names it.
func TestVerdict(t *testing.T) {
	tests := []struct {
		name      string
		failed    []failedRun
		converged bool
		orphans   []int32
		lost      []int32
		wantOK    bool
		want      []string
	}{
		{"clean", nil, true, nil, nil, true, []string{"soak OK: 0 failed runs, 0 orphans, 0 lost tokens"}},
		{"a failed run that converged on re-run", []failedRun{{cycle: 10, phase: "destroy", run: 1, exit: 1, err: "Error: Cannot delete the API token"}}, true, nil, nil, false,
			[]string{"failed run: cycle 10, destroy, run 1: exit 1: Error: Cannot delete the API token", "SOAK FAILED: 1 failed runs, 0 orphans, 0 lost tokens"}},
		{"an orphan", nil, true, []int32{7}, nil, false, []string{"SOAK FAILED: 0 failed runs, 1 orphans, 0 lost tokens (orphans [7], lost [])"}},
		{"no convergence", []failedRun{{cycle: 1, phase: "create", run: 6, exit: 1}}, false, nil, nil, false, []string{"did not converge within 5 re-runs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			s := &soak{cfg: config{maxReruns: 5}, out: &out, failed: tc.failed}
			if got := s.verdict(tc.converged, tc.orphans, tc.lost); got != tc.wantOK {
				t.Errorf("verdict = %v, want %v", got, tc.wantOK)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
