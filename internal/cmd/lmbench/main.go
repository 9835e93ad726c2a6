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
// Then the portal case (portal.go; -portal-mode, -portal): 100 roles,
// 1000 API-only users and 10 000 tokens of 100 of them in one
// configuration; the first teams are created through the CLI, the rest
// seeded in the simulator with their state written as the provider writes
// it, then the whole portal is planned with no change (against the plugin
// floor at the same blocks and count), planned for destroy, and the
// CLI-created part destroyed. Its rows also list the API calls by method
// and path pattern.
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
//   - the provider's peak RSS stays under 100 MiB in every run;
//   - portal: the no-change plan sends at most 20 GET requests, takes at
//     most 1.6 times the plugin floor, the token creates of the CLI-created
//     part keep their POST window at least 90% full with no failed request
//     and no 429 surfaced, and the created part's destroy leaves nothing.
//
// Usage (scripts/bench.sh picks the CLI and runs it):
//
//	go run ./internal/cmd/lmbench [-sizes 100,1000] [-window 20s] [-repeat 3] [-cli terraform]
//	    [-portal-mode 1|0|only] [-portal 100x1000x10000] [-portal-create 10] [-portal-window 10s] [-portal-repeat 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

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

	defaultPortal       = "100x1000x10000"
	defaultPortalWindow = 10 * time.Second
)

func main() {
	loadtest.MaybeRunWrapper()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	sizes []int

	portalMode   string // "1": sizes then portal, "0": sizes only, "only"
	portal       loadtest.PortalShape
	portalCreate int
	portalWindow time.Duration
	portalRepeat int

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
	portalMode := fs.String("portal-mode", envOr("LM_BENCH_PORTAL", "1"), "1: the sizes, then the portal case; 0: the sizes only; only: the portal case only (env LM_BENCH_PORTAL)")
	portal := fs.String("portal", envOr("LM_BENCH_PORTAL_SHAPE", defaultPortal), "portal shape ROLESxUSERSxTOKENS, one team per role (env LM_BENCH_PORTAL_SHAPE)")
	portalCreate := fs.Int("portal-create", 0, "teams of the portal created through the CLI; the rest are seeded (env LM_BENCH_PORTAL_CREATE; default 10)")
	portalWindow := fs.Duration("portal-window", 0, "rate-limit window of the portal case, with LogicMonitor's per-minute counts (env LM_BENCH_PORTAL_WINDOW; default 10s)")
	portalRepeat := fs.Int("portal-repeat", 0, "portal plans, token and floor interleaved; the median is reported (env LM_BENCH_PORTAL_REPEAT; default 3)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := config{cli: *cli, repo: *repo, keep: *keep, window: *window, repeat: *repeat, portalMode: *portalMode}
	switch cfg.portalMode {
	case "0", "1", "only":
	default:
		fmt.Fprintf(stderr, "lmbench: LM_BENCH_PORTAL (-portal-mode) %q: want 1 (sizes, then the portal case), 0 (sizes only) or only\n", cfg.portalMode)
		return 2
	}
	shape, err := loadtest.ParsePortalShape(*portal)
	if err != nil {
		fmt.Fprintf(stderr, "lmbench: LM_BENCH_PORTAL_SHAPE (-portal): %v\n", err)
		return 2
	}
	cfg.portal = shape
	for _, v := range []struct {
		name string
		flag int
		dst  *int
		def  string
	}{{"LM_BENCH_PORTAL_CREATE", *portalCreate, &cfg.portalCreate, "10"}, {"LM_BENCH_PORTAL_REPEAT", *portalRepeat, &cfg.portalRepeat, "3"}} {
		*v.dst = v.flag
		if *v.dst == 0 {
			n, err := strconv.Atoi(envOr(v.name, v.def))
			if err != nil || n <= 0 {
				fmt.Fprintf(stderr, "lmbench: %s: want a positive integer\n", v.name)
				return 2
			}
			*v.dst = n
		}
	}
	cfg.portalWindow = *portalWindow
	if cfg.portalWindow == 0 {
		d, err := time.ParseDuration(envOr("LM_BENCH_PORTAL_WINDOW", defaultPortalWindow.String()))
		if err != nil || d <= 0 {
			fmt.Fprintf(stderr, "lmbench: LM_BENCH_PORTAL_WINDOW: want a positive duration\n")
			return 2
		}
		cfg.portalWindow = d
	}
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
