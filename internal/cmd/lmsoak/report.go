package main

import (
	"fmt"
	"io"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// The soak's report: a row per cycle, then the verdict.

// cycleStats is one line of the report.
type cycleStats struct {
	cycle      int
	requests   int
	faults     map[string]int
	limited    int
	retries    int
	createRtry int
	swept      int
	runs       int
	failedRuns int
	orphans    int // most seen after any run of the cycle
	lost       int
	wall       time.Duration
}

// verdict prints every failed run and the closing line, and reports
// whether the soak passed: it converged with no failed run, orphan or lost
// token.
func (s *soak) verdict(converged bool, orphans, lost []int32) bool {
	for _, f := range s.failed {
		where := "rerun with -keep to keep the CLI output"
		if s.cfg.keep {
			where = "CLI output in " + f.out
		}
		fmt.Fprintf(s.out, "failed run: cycle %d, %s, run %d: exit %d: %s (%s)\n", f.cycle, f.phase, f.run, f.exit, f.err, where)
	}
	summary := fmt.Sprintf("%d failed runs, %d orphans, %d lost tokens", len(s.failed), len(orphans), len(lost))
	ok := converged && len(s.failed) == 0 && len(orphans) == 0 && len(lost) == 0
	switch {
	case !converged:
		fmt.Fprintf(s.out, "SOAK FAILED: %s; a phase did not converge within %d re-runs\n", summary, s.cfg.maxReruns)
	case !ok:
		fmt.Fprintf(s.out, "SOAK FAILED: %s (orphans %v, lost %v)\n", summary, orphans, lost)
	default:
		fmt.Fprintf(s.out, "soak OK: %s\n", summary)
	}
	return ok
}

// The table is printed a row at a time, as cycles end, so its columns have
// fixed widths.
const header = "cycle  requests   5xx  429inj  reset  drop  429lim  retries  create-retries  strays-deleted  runs  failed-runs  orphans  lost  wall-s"

func printRow(w io.Writer, label string, st cycleStats) {
	fmt.Fprintf(w, "%5s  %8d  %4d  %6d  %5d  %4d  %6d  %7d  %14d  %14d  %4d  %11d  %7d  %4d  %6.1f\n", label, st.requests,
		st.faults[lmsim.Fault5xx], st.faults[lmsim.Fault429], st.faults[lmsim.FaultReset], st.faults[lmsim.FaultDrop],
		st.limited, st.retries, st.createRtry, st.swept, st.runs, st.failedRuns, st.orphans, st.lost, st.wall.Seconds())
}
