package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

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
	// The portal case's rows also list the calls by path pattern.
	portal   bool
	patterns []loadtest.PatternCount
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

	portalTotal time.Duration
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
	return scaledLimits(b.cfg.window)
}

// scaledLimits are LogicMonitor's default per-minute counts per window w.
func scaledLimits(w time.Duration) (lmsim.RateLimits, string) {
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
	if b.cfg.portalMode != "only" {
		b.logf("%s, provider built; sizes %v, write window %s, %d plans each", h.CLIVersion, b.cfg.sizes, b.cfg.window, b.cfg.repeat)
		for i, n := range b.cfg.sizes {
			if err := b.size(ctx, n, i == len(b.cfg.sizes)-1); err != nil {
				return fmt.Errorf("size %d: %w", n, err)
			}
		}
	}
	if b.cfg.portalMode != "0" {
		b.logf("%s; portal %s, %d teams created through the CLI, limits per %s, %d plans", h.CLIVersion, b.cfg.portal,
			min(b.cfg.portalCreate, b.cfg.portal.Roles), b.cfg.portalWindow, b.cfg.portalRepeat)
		if err := b.portal(ctx); err != nil {
			return fmt.Errorf("portal %s: %w", b.cfg.portal, err)
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
