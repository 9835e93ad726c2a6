package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

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
	b.printPortal(w)
	fmt.Fprintf(w, "\nlimits: default = the simulator's LogicMonitor defaults (GET 500, POST 200, PUT 200, PATCH 250, DELETE 300 per 60s);\n")
	fmt.Fprintf(w, "        write phases = the same counts per %s: %s\n", b.cfg.window, spec)
	fmt.Fprintf(w, "each create is a POST (unique marker note) and a PATCH (the real note); each size starts on a fresh simulator,\n")
	fmt.Fprintf(w, "and every phase change resets the simulator's windows. The floors are plans with the same count, state and\n")
	fmt.Fprintf(w, "-parallelism, run interleaved with the token plans: N terraform_data (builtin: no provider process, no gRPC, no\n")
	fmt.Fprintf(w, "encoding), and N lmfloor_api_token of internal/cmd/lmfloor, a provider that does nothing with lm_api_token's\n")
	fmt.Fprintf(w, "schema (what any plugin pays). Total %s.\n", total.Round(time.Second))
	if b.portalTotal > 0 {
		p := b.cfg.portal
		c := min(b.cfg.portalCreate, p.Roles)
		fmt.Fprintf(w, "\nportal %s: %d teams, each a role, %d API-only users holding it and %d tokens (LMv1 and bearer alternately) of its\n", p, p.Roles, p.UsersPerTeam(), p.TokensPerTeam())
		fmt.Fprintf(w, "first user, one configuration with a block per team and kind. Teams 0..%d were created through the CLI and the provider; teams\n", c-1)
		fmt.Fprintf(w, "%d..%d were stored in the simulator directly as copies of team 0, and their state written as the provider wrote team 0's\n", c, p.Roles-1)
		fmt.Fprintf(w, "(ids, names, credentials the simulator minted): creating 11 100 resources through the CLI takes over half an hour of\n")
		fmt.Fprintf(w, "the CLI's own work. The plan of the whole portal through the real CLI and provider showed no change, which fails the bench\n")
		fmt.Fprintf(w, "otherwise. The portal case runs at LogicMonitor's per-minute counts per %s (shortened so that it fits in minutes), plans\n", b.cfg.portalWindow)
		fmt.Fprintf(w, "included; its floor is the same blocks and references of lmfloor_api_token. Portal case total %s.\n", b.portalTotal.Round(time.Second))
	}
	if len(b.checks) > 0 {
		fmt.Fprintf(w, "\ntargets met:\n")
		for _, c := range b.checks {
			fmt.Fprintf(w, "  - %s\n", c)
		}
	}
}

// printPortal lists the portal rows' calls by method and path pattern.
func (b *bench) printPortal(w io.Writer) {
	first := true
	for _, r := range b.rows {
		if !r.portal {
			continue
		}
		if first {
			fmt.Fprintf(w, "\nportal case, API calls by method and path pattern (under %s):\n", lmsim.BasePath)
			first = false
		}
		fmt.Fprintf(w, "  %s, %d resources:", r.phase, r.n)
		if len(r.patterns) == 0 {
			fmt.Fprintf(w, " none")
		}
		fmt.Fprintln(w)
		for _, pc := range r.patterns {
			fmt.Fprintf(w, "    %6d  %s\n", pc.N, pc.Pattern)
		}
	}
}
