// Command lmbench is `make bench`: it runs Terraform with the real provider
// binary against the LogicMonitor simulator and prints one table, for each
// size N: create (apply), plan (refresh), no-op apply, update of every
// note, destroy; the API calls by method as the simulator counted them,
// wall time, and the provider process's CPU time and peak RSS. Beside the
// token plans it times two floors and prints the ratios: the plan of N
// terraform_data resources, what Terraform itself costs to plan N builtin
// resources, and the plan of N resources of internal/cmd/lmfloor, a
// provider that does nothing with lm_api_token's schema, what Terraform
// costs to plan N resources of any plugin with that schema.
//
// It exits 1 when a target is missed, naming it:
//
//   - a plan of N tokens sends at most 5 GET requests;
//   - the create of the largest N finishes with exit 0 (no 429 or other
//     error surfaced), no failed request, and keeps the POST window at
//     least 90% full once the limit binds;
//   - every plan after a write shows no change and the simulator holds the
//     notes of the configuration (no stale read);
//   - a plan of N ≥ 1000 tokens takes at most 1.5 times the terraform_data
//     floor; when the do-nothing plugin itself takes more than that, no
//     plugin can meet it, and the miss is reported apart without failing;
//   - a plan of N ≥ 1000 tokens takes at most 1.5 times the plugin floor;
//   - the provider's peak RSS stays under 100 MiB in every run.
//
// Usage (scripts/bench.sh picks the CLI and runs it):
//
//	go run ./internal/cmd/lmbench [-sizes 100,1000] [-window 20s] [-repeat 3] [-cli terraform]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

const (
	maxPlanGETs   = 5
	minOccupancy  = 0.90
	maxPlanRatio  = 1.5
	maxRSSKiB     = 100 << 10
	parallelism   = 10
	ratioMinN     = 1000
	runTimeout    = 15 * time.Minute
	defaultWindow = 20 * time.Second
)

func main() {
	loadtest.MaybeRunWrapper()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	sizes  []int
	window time.Duration
	repeat int
	cli    string
	repo   string
	keep   bool
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lmbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", envOr("LM_BENCH_SIZES", "100,1000"), "token counts to run (env LM_BENCH_SIZES)")
	window := fs.Duration("window", 0, "rate-limit window of the write phases, with LogicMonitor's per-minute counts (env LM_BENCH_WINDOW; default 20s)")
	repeat := fs.Int("repeat", 0, "plans per size, token and floor interleaved; the median is reported (env LM_BENCH_REPEAT; default 3)")
	cli := fs.String("cli", envOr("LM_BENCH_CLI", "terraform"), "terraform or tofu binary (env LM_BENCH_CLI)")
	repo := fs.String("repo", ".", "the provider's module root")
	keep := fs.Bool("keep", os.Getenv("LM_BENCH_KEEP") == "1", "keep the temp dir with state, CLI output and simulator logs (env LM_BENCH_KEEP=1)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := config{cli: *cli, repo: *repo, keep: *keep, window: *window, repeat: *repeat}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "lmbench: -sizes %q: want positive integers\n", *sizes)
			return 2
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	if cfg.window == 0 {
		d, err := time.ParseDuration(envOr("LM_BENCH_WINDOW", defaultWindow.String()))
		if err != nil || d <= 0 {
			fmt.Fprintf(stderr, "lmbench: LM_BENCH_WINDOW: want a positive duration\n")
			return 2
		}
		cfg.window = d
	}
	if cfg.repeat == 0 {
		n, err := strconv.Atoi(envOr("LM_BENCH_REPEAT", "3"))
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "lmbench: LM_BENCH_REPEAT: want a positive integer\n")
			return 2
		}
		cfg.repeat = n
	}

	b := &bench{cfg: cfg, progress: stderr}
	start := time.Now()
	if err := b.run(ctx); err != nil {
		fmt.Fprintf(stderr, "lmbench: %v\n", err)
		return 1
	}
	b.print(stdout, time.Since(start))
	if len(b.beyond) > 0 {
		fmt.Fprintf(stdout, "\ntargets beyond any plugin provider (reported, not failed):\n")
		for _, m := range b.beyond {
			fmt.Fprintf(stdout, "  - %s\n", m)
		}
	}
	if len(b.missed) > 0 {
		fmt.Fprintf(stdout, "\nTARGETS MISSED:\n")
		for _, m := range b.missed {
			fmt.Fprintf(stdout, "  - %s\n", m)
		}
		return 1
	}
	if len(b.beyond) > 0 {
		fmt.Fprintf(stdout, "\nall targets met that a plugin provider can meet\n")
		return 0
	}
	fmt.Fprintf(stdout, "\nall targets met\n")
	return 0
}

// row is one line of the table.
type row struct {
	n       int
	phase   string
	limits  string
	calls   loadtest.Counts
	wall    time.Duration
	cpu     time.Duration
	rssKiB  int64 // -1: not measured (no provider)
	note    string
	noCalls bool
}

type bench struct {
	cfg       config
	progress  io.Writer
	h         *loadtest.Harness
	rows      []row
	checks    []string // targets met, for the summary
	missed    []string
	beyond    []string // targets that the do-nothing plugin misses too
	maxRSS    int64
	maxRSSRun string
}

func (b *bench) logf(format string, a ...any) {
	fmt.Fprintf(b.progress, "lmbench: "+format+"\n", a...)
}

func (b *bench) miss(format string, a ...any) {
	m := fmt.Sprintf(format, a...)
	b.missed = append(b.missed, m)
	b.logf("MISSED: %s", m)
}

func (b *bench) met(format string, a ...any) {
	b.checks = append(b.checks, fmt.Sprintf(format, a...))
}

// writeLimits are LogicMonitor's default per-minute counts over a shorter
// window, so that creating 1000 tokens takes about a minute and a half
// rather than five.
func (b *bench) writeLimits() (lmsim.RateLimits, string) {
	w := b.cfg.window
	r := lmsim.RateLimits{PerMethod: map[string]lmsim.Limit{}}
	var parts []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		d := lmsim.DefaultRateLimits[m]
		r.PerMethod[m] = lmsim.Limit{Requests: d.Requests, Window: w}
		parts = append(parts, fmt.Sprintf("%s=%d/%s", m, d.Requests, w))
	}
	return r, strings.Join(parts, ",")
}

func tokensConfig(n int, suffix string) string {
	return loadtest.TokensConfig(n, "bench ", suffix)
}

func floorConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "t" {
  count = %d
  input = "bench ${count.index}"
}
`, n)
}

func (b *bench) run(ctx context.Context) error {
	h, err := loadtest.New(ctx, loadtest.Options{RepoDir: b.cfg.repo, CLI: b.cfg.cli, Keep: b.cfg.keep, MeasureRSS: true, PluginFloor: true, Progress: b.progress})
	if err != nil {
		return err
	}
	b.h = h
	defer func() {
		if err := h.Close(); err != nil {
			b.logf("cleanup: %v", err)
		}
	}()
	b.logf("%s, provider built; sizes %v, write window %s, %d plans each", h.CLIVersion, b.cfg.sizes, b.cfg.window, b.cfg.repeat)
	for i, n := range b.cfg.sizes {
		if err := b.size(ctx, n, i == len(b.cfg.sizes)-1); err != nil {
			return fmt.Errorf("size %d: %w", n, err)
		}
	}
	if b.maxRSS < maxRSSKiB {
		b.met("provider peak RSS %.1f MiB < 100 MiB in every run", mib(b.maxRSS))
	} else {
		b.miss("provider peak RSS %.1f MiB ≥ 100 MiB (largest: %s)", mib(b.maxRSS), b.maxRSSRun)
	}
	return nil
}

func (b *bench) cliName() string { return filepath.Base(b.cfg.cli) }

// do runs one CLI command and fails on an unexpected exit status.
func (b *bench) do(ctx context.Context, dir string, wantExit []int, args ...string) (*loadtest.Result, error) {
	r, err := b.h.Run(ctx, dir, loadtest.RunOptions{Timeout: runTimeout}, args...)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(wantExit, r.Exit) {
		return r, fmt.Errorf("%s %s exited %d (want %v):\n%s", b.cliName(), strings.Join(args, " "), r.Exit, wantExit, tail(r.Output, 40))
	}
	if rss := r.PeakRSSKiB(); rss > b.maxRSS {
		b.maxRSS = rss
		b.maxRSSRun = fmt.Sprintf("%s %s in %s", b.cliName(), args[0], filepath.Base(dir))
	}
	return r, nil
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

func (b *bench) add(n int, phase, limits string, r *loadtest.Result, note string) row {
	rw := row{n: n, phase: phase, limits: limits, calls: loadtest.Count(r.Entries), wall: r.Wall,
		cpu: r.ProviderCPU(), rssKiB: r.PeakRSSKiB(), note: note}
	b.rows = append(b.rows, rw)
	return rw
}

func (b *bench) size(ctx context.Context, n int, largest bool) error {
	h := b.h
	writeLimits, writeSpec := b.writeLimits()
	if err := h.StartSim(lmsim.Options{RateLimits: writeLimits}); err != nil {
		return err
	}
	writeLabel := "scaled/" + b.cfg.window.String()
	tok, err := h.Workdir(fmt.Sprintf("tokens-%d", n), tokensConfig(n, ""))
	if err != nil {
		return err
	}
	flo, err := h.Workdir(fmt.Sprintf("floor-%d", n), floorConfig(n))
	if err != nil {
		return err
	}
	pfl, err := h.Workdir(fmt.Sprintf("plugin-floor-%d", n), loadtest.PluginFloorConfig(n, "bench "))
	if err != nil {
		return err
	}
	applyArgs := []string{"apply", "-auto-approve", "-input=false", "-parallelism=" + strconv.Itoa(parallelism)}

	// --- create --------------------------------------------------------------
	b.logf("N=%d: create (apply, write limits %s)", n, writeSpec)
	r, err := b.do(ctx, tok, []int{0}, applyArgs...)
	if err != nil {
		return err
	}
	note := b.pacing(n, r, writeLimits, largest)
	b.add(n, "create (apply)", writeLabel, r, note)
	if err := b.checkNotes(n, tok, ""); err != nil {
		return err
	}

	// --- floors: N terraform_data and N lmfloor_api_token, applied once ------------
	b.logf("N=%d: applying %d terraform_data and %d lmfloor_api_token for the floors", n, n, n)
	if _, err := b.do(ctx, flo, []int{0}, applyArgs...); err != nil {
		return err
	}
	if _, err := b.do(ctx, pfl, []int{0}, applyArgs...); err != nil {
		return err
	}

	// --- plans at the default limits, token and floor interleaved ------------------
	h.Sim.Server.SetRateLimits(lmsim.RateLimits{})
	planArgs := []string{"plan", "-input=false", "-detailed-exitcode", "-parallelism=" + strconv.Itoa(parallelism)}
	var tokPlans, floPlans, pflPlans []*loadtest.Result
	for i := 0; i < b.cfg.repeat; i++ {
		b.logf("N=%d: plan %d/%d (tokens, plugin floor, terraform_data)", n, i+1, b.cfg.repeat)
		r, err := b.do(ctx, tok, []int{0, 2}, planArgs...)
		if err != nil {
			return err
		}
		if r.Exit == 2 {
			b.miss("N=%d: plan after create shows changes (stale read?):\n%s", n, tail(r.Output, 20))
		}
		tokPlans = append(tokPlans, r)
		p, err := b.do(ctx, pfl, []int{0}, planArgs...)
		if err != nil {
			return err
		}
		pflPlans = append(pflPlans, p)
		f, err := b.do(ctx, flo, []int{0}, planArgs...)
		if err != nil {
			return err
		}
		floPlans = append(floPlans, f)
	}
	tp, fp, pp := median(tokPlans), median(floPlans), median(pflPlans)
	gets := 0
	for _, p := range tokPlans {
		gets = max(gets, loadtest.Count(p.Entries).ByMethod[http.MethodGet])
	}
	ratio := float64(tp.Wall) / float64(fp.Wall)
	pluginRatio := float64(tp.Wall) / float64(pp.Wall)
	floorRatio := float64(pp.Wall) / float64(fp.Wall)
	pr := b.add(n, "plan (refresh)", "default/60s", tp,
		fmt.Sprintf("median of %d; %.2f× terraform_data, %.2f× plugin floor", len(tokPlans), ratio, pluginRatio))
	pr.calls.ByMethod[http.MethodGet] = gets // the most any plan sent
	b.rows[len(b.rows)-1] = pr
	b.rows = append(b.rows,
		row{n: n, phase: "plan, plugin floor", limits: "-", wall: pp.Wall, rssKiB: -1, noCalls: true,
			note: fmt.Sprintf("median of %d; %.2f× terraform_data", len(pflPlans), floorRatio)},
		row{n: n, phase: "plan, terraform_data floor", limits: "-", wall: fp.Wall, rssKiB: -1, noCalls: true,
			note: fmt.Sprintf("median of %d", len(floPlans))})
	if gets > maxPlanGETs {
		b.miss("N=%d: a plan sent %d GET requests (target ≤ %d)", n, gets, maxPlanGETs)
	} else {
		b.met("N=%d: plan sends %d GET (≤ %d)", n, gets, maxPlanGETs)
	}
	if n >= ratioMinN {
		switch {
		case ratio <= maxPlanRatio:
			b.met("N=%d: plan %.2f× the terraform_data floor (≤ %.1f×)", n, ratio, maxPlanRatio)
		case floorRatio > maxPlanRatio:
			// Not a miss of this provider: no plugin can meet it.
			b.beyond = append(b.beyond, fmt.Sprintf("N=%d: plan takes %.2f× the terraform_data floor (%.1fs vs %.1fs; target ≤ %.1f×), "+
				"but a provider that does nothing with this schema already takes %.2f× (%.1fs): the gRPC calls and encodings "+
				"of a plugin, which terraform_data does not pay, are beyond the target before any work",
				n, ratio, tp.Wall.Seconds(), fp.Wall.Seconds(), maxPlanRatio, floorRatio, pp.Wall.Seconds()))
		default:
			b.miss("N=%d: plan takes %.2f× the terraform_data floor (%.1fs vs %.1fs; target ≤ %.1f×)", n, ratio, tp.Wall.Seconds(), fp.Wall.Seconds(), maxPlanRatio)
		}
		if pluginRatio > maxPlanRatio {
			b.miss("N=%d: plan takes %.2f× the plugin floor (%.1fs vs %.1fs; target ≤ %.1f×)", n, pluginRatio, tp.Wall.Seconds(), pp.Wall.Seconds(), maxPlanRatio)
		} else {
			b.met("N=%d: plan %.2f× the plugin floor (≤ %.1f×): what the provider adds to what any plugin pays", n, pluginRatio, maxPlanRatio)
		}
	}

	// --- no-op apply at the default limits --------------------------------------------
	b.logf("N=%d: no-op apply", n)
	r, err = b.do(ctx, tok, []int{0}, applyArgs...)
	if err != nil {
		return err
	}
	c := loadtest.Count(r.Entries)
	if w := c.ByMethod[http.MethodPost] + c.ByMethod[http.MethodPatch] + c.ByMethod[http.MethodDelete] + c.ByMethod[http.MethodPut]; w > 0 ||
		!strings.Contains(r.Output, "0 added, 0 changed, 0 destroyed") {
		b.miss("N=%d: the no-op apply wrote %d times or changed something (stale read?)", n, w)
	}
	b.add(n, "no-op apply", "default/60s", r, "")

	// --- update every note -------------------------------------------------------------
	h.Sim.Server.SetRateLimits(writeLimits)
	if err := loadtest.WriteConfig(tok, tokensConfig(n, " v2")); err != nil {
		return err
	}
	b.logf("N=%d: update every note (apply)", n)
	r, err = b.do(ctx, tok, []int{0}, applyArgs...)
	if err != nil {
		return err
	}
	b.add(n, "update notes (apply)", writeLabel, r, "")
	if err := b.checkNotes(n, tok, " v2"); err != nil {
		return err
	}
	h.Sim.Server.SetRateLimits(lmsim.RateLimits{})
	if r, err := b.do(ctx, tok, []int{0, 2}, planArgs...); err != nil {
		return err
	} else if r.Exit == 2 {
		b.miss("N=%d: plan after the update shows changes (stale read?):\n%s", n, tail(r.Output, 20))
	} else {
		b.met("N=%d: plans after create and after update show no change; the simulator holds the configured notes", n)
	}

	// --- destroy ---------------------------------------------------------------------
	h.Sim.Server.SetRateLimits(writeLimits)
	b.logf("N=%d: destroy", n)
	r, err = b.do(ctx, tok, []int{0}, "destroy", "-auto-approve", "-input=false", "-parallelism="+strconv.Itoa(parallelism))
	if err != nil {
		return err
	}
	b.add(n, "destroy", writeLabel, r, "")
	if left := len(h.UserTokens(loadtest.PipelineAdminID)); left != 0 {
		b.miss("N=%d: %d tokens left in the simulator after destroy", n, left)
	}
	return nil
}

// checkNotes verifies that the simulator holds exactly the configured
// tokens, with their notes.
func (b *bench) checkNotes(n int, dir, suffix string) error {
	ids, err := loadtest.StateTokenIDs(dir)
	if err != nil {
		return err
	}
	toks := b.h.UserTokens(loadtest.PipelineAdminID)
	if len(ids) != n || len(toks) != n {
		b.miss("N=%d: %d tokens in state, %d in the simulator, want %d each", n, len(ids), len(toks), n)
		return nil
	}
	notes := map[string]bool{}
	for id := range ids {
		t, ok := toks[id]
		if !ok {
			b.miss("N=%d: token %d is in state but not in the simulator", n, id)
			return nil
		}
		notes[t.Note] = true
	}
	for i := 0; i < n; i++ {
		if !notes[fmt.Sprintf("bench %d%s", i, suffix)] {
			b.miss("N=%d: no token has the note %q", n, fmt.Sprintf("bench %d%s", i, suffix))
			return nil
		}
	}
	return nil
}

// pacing checks the create phase against the POST limit and returns the
// table note.
func (b *bench) pacing(n int, r *loadtest.Result, limits lmsim.RateLimits, largest bool) string {
	c := loadtest.Count(r.Entries)
	lim := limits.PerMethod[http.MethodPost]
	var posts []time.Time
	for _, e := range r.Entries {
		if e.Method == http.MethodPost && e.Status >= 200 && e.Status <= 299 {
			posts = append(posts, e.Time)
		}
	}
	rate := float64(lim.Requests) / lim.Window.Seconds()
	var achieved float64
	if len(posts) > 1 {
		achieved = float64(len(posts)-1) / posts[len(posts)-1].Sub(posts[0]).Seconds()
	}
	occ, bound := loadtest.Occupancy(posts, lim.Requests, lim.Window)
	note := fmt.Sprintf("%.1f creates/s (limit %.1f/s); %d×429 retried", achieved, rate, c.RateLimited)
	if bound {
		note += fmt.Sprintf("; POST window %.0f%% full", occ*100)
	} else {
		note += "; limit not reached"
	}
	if c.Failed > 0 {
		b.miss("N=%d: %d failed requests during the create", n, c.Failed)
	}
	if largest {
		switch {
		case !bound:
			b.logf("N=%d: the creates never filled a POST window, so pacing is not measured", n)
		case occ < minOccupancy:
			b.miss("N=%d: the create kept the POST window %.0f%% full (target ≥ %.0f%%): %.1f creates/s against %.1f/s allowed", n, occ*100, minOccupancy*100, achieved, rate)
		default:
			b.met("N=%d: create kept the POST window %.0f%% full (≥ %.0f%%), %d×429 seen by the simulator, none surfaced, 0 failed requests", n, occ*100, minOccupancy*100, c.RateLimited)
		}
	}
	return note
}

func median(rs []*loadtest.Result) *loadtest.Result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b *loadtest.Result) int { return int(a.Wall - b.Wall) })
	return s[len(s)/2]
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func (b *bench) print(w io.Writer, total time.Duration) {
	_, spec := b.writeLimits()
	fmt.Fprintf(w, "\nlmbench: %s, -parallelism=%d, terraform-provider-lm built from this tree, simulator in-process\n\n", b.h.CLIVersion, parallelism)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\tphase\tlimits\tGET\tPOST\tPATCH\tDELETE\t429\twall s\tprovider CPU s\tprovider peak RSS MiB\t notes")
	for _, r := range b.rows {
		calls := func(m string) string {
			if r.noCalls {
				return "-"
			}
			return strconv.Itoa(r.calls.ByMethod[m])
		}
		r429, cpu, rss := "-", "-", "-"
		if !r.noCalls {
			r429 = strconv.Itoa(r.calls.RateLimited)
		}
		if r.rssKiB >= 0 {
			cpu = fmt.Sprintf("%.1f", r.cpu.Seconds())
			rss = fmt.Sprintf("%.1f", mib(r.rssKiB))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t %s\n", r.n, r.phase, r.limits,
			calls(http.MethodGet), calls(http.MethodPost), calls(http.MethodPatch), calls(http.MethodDelete), r429,
			r.wall.Seconds(), cpu, rss, r.note)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nlimits: default = the simulator's LogicMonitor defaults (GET 500, POST 200, PUT 200, PATCH 250, DELETE 300 per 60s);\n")
	fmt.Fprintf(w, "        write phases = the same counts per %s: %s\n", b.cfg.window, spec)
	fmt.Fprintf(w, "each create is a POST (unique marker note) and a PATCH (the real note); each size starts on a fresh simulator,\n")
	fmt.Fprintf(w, "and every phase change resets the simulator's windows. The floors are plans with the same count, state and\n")
	fmt.Fprintf(w, "-parallelism, run interleaved with the token plans: N terraform_data (builtin: no provider process, no gRPC, no\n")
	fmt.Fprintf(w, "encoding), and N lmfloor_api_token of internal/cmd/lmfloor, a provider that does nothing with lm_api_token's\n")
	fmt.Fprintf(w, "schema (what any plugin pays). Total %s.\n", total.Round(time.Second))
	if len(b.checks) > 0 {
		fmt.Fprintf(w, "\ntargets met:\n")
		for _, c := range b.checks {
			fmt.Fprintf(w, "  - %s\n", c)
		}
	}
}
