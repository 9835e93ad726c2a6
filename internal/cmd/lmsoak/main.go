// Command lmsoak is `make soak`: cycles of apply N tokens → rotate every
// token in place with rotation_overlap (the old key kept as
// previous_token) → rotate again (which retires that old key first) →
// change every note → destroy, run by Terraform with the real provider binary against
// the LogicMonitor simulator while it injects faults (5xx, 429, connection
// resets before the handler, dropped answers after it).
//
// A run that fails (the CLI exits non-zero: an operation gave up) is a
// failed run: it is printed with its cycle, phase and first error, and run
// again, up to -max-reruns times, so that the invariants can still be
// checked; the soak then fails. After every run it checks the two
// invariants that matter:
//
//   - orphans: tokens of the soak's user (svc-pipeline, id 140, which owns
//     no token in the fixture) that exist in the simulator but not in the
//     state: a token the provider made and lost track of;
//   - lost: tokens in the state that the simulator no longer has.
//
// A token recorded as a resource's previous_token counts as in the state,
// so a rotation interrupted at any point must leave only the keys its
// resource records: never an unrecorded third one.
//
// Per cycle it prints requests, faults injected by kind, 429s from the
// limiter, the provider's retries (counted in its WARN log: the transport's
// "retrying LogicMonitor request" and the create's "retrying API token
// creation after an unknown outcome"), the stray tokens its create cleanup
// deleted, failed runs, and orphans and lost tokens (the most seen after
// any run of the cycle). It exits 1 on any failed run, if a phase never
// converges, or if any orphan or lost token remains after the final
// destroy.
//
//	go run ./internal/cmd/lmsoak [-cycles 20] [-tokens 200] [-faults ...] [-seed 1]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

const (
	defaultFaults = "5xx=0.1,429=0.05,reset=0.02,drop=0.02"
	// The default per-method counts over 1 s: the soak is about faults,
	// not pacing (make bench measures that), but every answer still
	// carries the rate-limit headers, and an injected 429 blocks the
	// endpoint for one window, as a real one does.
	defaultRateLimit = "GET=500/1s,POST=200/1s,PUT=200/1s,PATCH=250/1s,DELETE=300/1s"
	runTimeout       = 20 * time.Minute
)

// Log lines of the provider's client (internal/lm), at WARN.
const (
	logRetry       = "retrying LogicMonitor request"
	logCreateRetry = "retrying API token creation after an unknown outcome"
	logSwept       = "deleted an API token left by a create whose outcome was unknown"
)

func main() {
	loadtest.MaybeRunWrapper()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

type config struct {
	cycles, tokens, parallelism, maxReruns int
	faults, rateLimit                      string
	seed                                   int64
	cli, repo                              string
	keep                                   bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("lmsoak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.cycles, "cycles", envInt("LM_SOAK_CYCLES", 20), "cycles of apply → rotate → rotate again → change notes → destroy (env LM_SOAK_CYCLES)")
	fs.IntVar(&cfg.tokens, "tokens", envInt("LM_SOAK_TOKENS", 200), "tokens per cycle (env LM_SOAK_TOKENS)")
	fs.StringVar(&cfg.faults, "faults", envOr("LM_SOAK_FAULTS", defaultFaults), "faults the simulator injects, lmsim --faults syntax (env LM_SOAK_FAULTS)")
	seed := fs.Int64("seed", int64(envInt("LM_SOAK_SEED", 1)), "fault seed (env LM_SOAK_SEED); draws follow request arrival, so runs with -parallelism > 1 vary a little")
	fs.StringVar(&cfg.rateLimit, "rate-limit", envOr("LM_SOAK_RATE_LIMIT", defaultRateLimit), "simulator rate limits, lmsim --rate-limit syntax (env LM_SOAK_RATE_LIMIT)")
	fs.IntVar(&cfg.parallelism, "parallelism", envInt("LM_SOAK_PARALLELISM", 10), "CLI -parallelism (env LM_SOAK_PARALLELISM)")
	fs.IntVar(&cfg.maxReruns, "max-reruns", envInt("LM_SOAK_MAX_RERUNS", 5), "re-runs of a failed apply or destroy before the soak gives up (env LM_SOAK_MAX_RERUNS)")
	fs.StringVar(&cfg.cli, "cli", envOr("LM_SOAK_CLI", "terraform"), "terraform or tofu binary (env LM_SOAK_CLI)")
	fs.StringVar(&cfg.repo, "repo", ".", "the provider's module root")
	fs.BoolVar(&cfg.keep, "keep", os.Getenv("LM_SOAK_KEEP") == "1", "keep the temp dir: state, CLI output, provider logs, simulator log (env LM_SOAK_KEEP=1)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg.seed = *seed
	if cfg.cycles <= 0 || cfg.tokens <= 0 || cfg.parallelism <= 0 || cfg.maxReruns < 0 {
		fmt.Fprintln(stderr, "lmsoak: -cycles, -tokens and -parallelism must be positive, -max-reruns not negative")
		return 2
	}
	faults, err := lmsim.ParseFaults(cfg.faults)
	if err != nil {
		fmt.Fprintf(stderr, "lmsoak: -faults: %v\n", err)
		return 2
	}
	limits, err := lmsim.ParseRateLimits(cfg.rateLimit)
	if err != nil {
		fmt.Fprintf(stderr, "lmsoak: -rate-limit: %v\n", err)
		return 2
	}
	s := &soak{cfg: cfg, out: stdout, progress: stderr}
	ok, err := s.run(ctx, lmsim.Options{Faults: faults, RateLimits: limits, Seed: cfg.seed})
	if err != nil {
		fmt.Fprintf(stderr, "lmsoak: %v\n", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

type soak struct {
	cfg      config
	out      io.Writer
	progress io.Writer
	h        *loadtest.Harness
	dir      string
	failed   []failedRun
}

// failedRun is a CLI run that exited non-zero.
type failedRun struct {
	cycle, run, exit int
	phase, err, out  string
}

func (s *soak) logf(format string, a ...any) {
	fmt.Fprintf(s.progress, "lmsoak: "+format+"\n", a...)
}

// tokensConfig is the soak's configuration: n tokens of the pipeline
// user, with notes "soak c<cycle> <index><suffix>", that rotate in place
// with an overlap whenever gen changes.
func tokensConfig(n, cycle int, suffix, gen string) string {
	return loadtest.TokensConfig(n, fmt.Sprintf("soak c%d ", cycle), suffix,
		`rotation_overlap = "1h"`, fmt.Sprintf("rotation_triggers = { gen = %q }", gen))
}

func (s *soak) run(ctx context.Context, simOpts lmsim.Options) (bool, error) {
	h, err := loadtest.New(ctx, loadtest.Options{RepoDir: s.cfg.repo, CLI: s.cfg.cli, Keep: s.cfg.keep, Progress: s.progress})
	if err != nil {
		return false, err
	}
	s.h = h
	defer func() {
		if err := h.Close(); err != nil {
			s.logf("cleanup: %v", err)
		}
	}()
	if err := h.StartSim(simOpts); err != nil {
		return false, err
	}
	if n := len(h.UserTokens(loadtest.PipelineAdminID)); n != 0 {
		return false, fmt.Errorf("the fixture's user %d already has %d tokens; the soak counts every token of that user as its own", loadtest.PipelineAdminID, n)
	}
	if s.dir, err = h.Workdir("soak", tokensConfig(s.cfg.tokens, 1, "", "a")); err != nil {
		return false, err
	}
	start := time.Now()
	fmt.Fprintf(s.out, "lmsoak: %s, %d cycles of %d tokens (apply → rotate with overlap → rotate again → change notes → destroy), -parallelism=%d\n",
		h.CLIVersion, s.cfg.cycles, s.cfg.tokens, s.cfg.parallelism)
	fmt.Fprintf(s.out, "simulator: --faults %s --seed %d --rate-limit %s\n\n", simOpts.Faults, s.cfg.seed, s.cfg.rateLimit)

	tw := s.out
	fmt.Fprintln(tw, header)
	var total cycleStats
	total.faults = map[string]int{}
	converged := true
	for c := 1; c <= s.cfg.cycles && converged; c++ {
		st, ok, err := s.cycle(ctx, c)
		if err != nil {
			return false, fmt.Errorf("cycle %d: %w", c, err)
		}
		converged = ok
		printRow(tw, strconv.Itoa(c), st)
		total.requests += st.requests
		for k, v := range st.faults {
			total.faults[k] += v
		}
		total.limited += st.limited
		total.retries += st.retries
		total.createRtry += st.createRtry
		total.swept += st.swept
		total.runs += st.runs
		total.failedRuns += st.failedRuns
		total.orphans = max(total.orphans, st.orphans)
		total.lost = max(total.lost, st.lost)
		total.wall += st.wall
	}
	printRow(tw, "total", total)

	// The final word: after the last destroy, nothing of the soak's may be
	// left in the simulator or in the state.
	orphans, lost, err := s.invariants()
	if err != nil {
		return false, err
	}
	fmt.Fprintf(s.out, "\nafter the final destroy: %d orphans, %d lost tokens, %d tokens of user %d in the simulator; %s in all\n",
		len(orphans), len(lost), len(h.UserTokens(loadtest.PipelineAdminID)), loadtest.PipelineAdminID, time.Since(start).Round(time.Second))
	fmt.Fprintf(s.out, "retries are counted in the provider's WARN log (TF_LOG_PROVIDER=WARN); orphans and lost are the most seen after any run of a cycle\n")
	return s.verdict(converged, orphans, lost), nil
}

// cycle runs one create → rotate → rotate again → update → destroy cycle; ok is false when a phase
// did not converge.
func (s *soak) cycle(ctx context.Context, c int) (cycleStats, bool, error) {
	st := cycleStats{cycle: c, faults: map[string]int{}}
	start := time.Now()
	mark := s.h.Log.Len()
	par := "-parallelism=" + strconv.Itoa(s.cfg.parallelism)
	phases := []struct {
		name   string
		config string
		args   []string
	}{
		{"create", tokensConfig(s.cfg.tokens, c, "", "a"), []string{"apply", "-auto-approve", "-input=false", par}},
		// In place, the old keys kept as previous_token for the overlap.
		{"rotate", tokensConfig(s.cfg.tokens, c, "", "b"), []string{"apply", "-auto-approve", "-input=false", par}},
		// Retires the keys the first rotation kept, then creates new ones.
		{"rotate again", tokensConfig(s.cfg.tokens, c, "", "c"), []string{"apply", "-auto-approve", "-input=false", par}},
		{"update notes", tokensConfig(s.cfg.tokens, c, " v2", "c"), []string{"apply", "-auto-approve", "-input=false", par}},
		{"destroy", tokensConfig(s.cfg.tokens, c, " v2", "c"), []string{"destroy", "-auto-approve", "-input=false", par}},
	}
	ok := true
	for _, p := range phases {
		if err := loadtest.WriteConfig(s.dir, p.config); err != nil {
			return st, false, err
		}
		converged := false
		for attempt := 0; attempt <= s.cfg.maxReruns; attempt++ {
			r, err := s.h.Run(ctx, s.dir, loadtest.RunOptions{ProviderLog: "WARN", Timeout: runTimeout}, p.args...)
			if err != nil {
				return st, false, err
			}
			st.runs++
			if err := s.countLog(r.LogFile, &st); err != nil {
				return st, false, err
			}
			orphans, lost, err := s.invariants()
			if err != nil {
				return st, false, err
			}
			st.orphans = max(st.orphans, len(orphans))
			st.lost = max(st.lost, len(lost))
			if len(orphans)+len(lost) > 0 {
				s.logf("cycle %d %s: after run %d: orphans %v, lost %v", c, p.name, attempt+1, orphans, lost)
			}
			if r.Exit == 0 {
				converged = true
				break
			}
			st.failedRuns++
			f := failedRun{cycle: c, phase: p.name, run: attempt + 1, exit: r.Exit, err: firstError(r.Output), out: r.OutFile}
			s.failed = append(s.failed, f)
			s.logf("cycle %d %s: run %d FAILED (exit %d, %s): %s", c, p.name, f.run, f.exit, f.out, f.err)
		}
		if !converged {
			ok = false
			break
		}
	}
	cnt := loadtest.Count(s.h.Log.Since(mark))
	st.requests, st.faults, st.limited = cnt.Requests, cnt.Faults, cnt.RateLimited
	st.wall = time.Since(start)
	s.logf("cycle %d done in %s", c, st.wall.Round(100*time.Millisecond))
	return st, ok, nil
}

// invariants returns the orphan and lost token ids, sorted.
func (s *soak) invariants() (orphans, lost []int32, err error) {
	inState, err := loadtest.StateTokenIDs(s.dir)
	if err != nil {
		return nil, nil, err
	}
	inSim := s.h.UserTokens(loadtest.PipelineAdminID)
	for id := range inSim {
		if !inState[id] {
			orphans = append(orphans, id)
		}
	}
	for id := range inState {
		if _, ok := inSim[id]; !ok {
			lost = append(lost, id)
		}
	}
	sort.Slice(orphans, func(i, j int) bool { return orphans[i] < orphans[j] })
	sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
	return orphans, lost, nil
}

func (s *soak) countLog(path string, st *cycleStats) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path) //nolint:gosec // G304: the harness's own log
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.Contains(line, logRetry):
			st.retries++
		case strings.Contains(line, logCreateRetry):
			st.createRtry++
		case strings.Contains(line, logSwept):
			st.swept++
		}
	}
	return nil
}

// firstError is the first "Error:" line of a CLI's output, for the progress
// log.
func firstError(out string) string {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(strings.Trim(line, "│╷╵ "))
		if strings.HasPrefix(line, "Error:") {
			return line
		}
	}
	return "(no Error: line)"
}
