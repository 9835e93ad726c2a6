package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

// The portal case (issue 22): a portal of roles, API-only users and tokens
// of both types, in one configuration, planned with no changes.
//
// Creating 11 100 resources through the CLI takes over half an hour, all of
// it Terraform's own work, so only the first teams (-portal-create) are
// created through the CLI and the real provider; that run measures the
// creates' use of the POST window. The other teams are stored in the
// simulator directly (lmsim's AddRole, AddAdmin, AddToken: copies of team
// 0 with their own names and the simulator's own ids and credentials), and
// their state is written as the provider wrote team 0's
// (loadtest.PortalState). That state is honest when the real CLI and
// provider, reading every object from the simulator, plan no change: the
// no-change plan is what is measured, and a changed plan fails the bench.
const (
	maxPortalPlanGETs  = 20
	maxPortalPlanRatio = 1.6
)

func (b *bench) portal(ctx context.Context) error {
	h, p := b.h, b.cfg.portal
	c := min(b.cfg.portalCreate, p.Roles)
	part := p.Teams(c)
	limits, spec := scaledLimits(b.cfg.portalWindow)
	label := "scaled/" + b.cfg.portalWindow.String()
	if err := h.StartSim(lmsim.Options{RateLimits: limits}); err != nil {
		return err
	}
	start := time.Now()
	n := p.Resources()
	dir, err := h.Workdir("portal", loadtest.PortalConfig(part))
	if err != nil {
		return err
	}
	par := "-parallelism=" + strconv.Itoa(parallelism)

	// --- the CLI-created part -------------------------------------------------
	b.logf("portal %s: create of the first %d teams through the CLI (%d resources, limits %s)", p, c, part.Resources(), spec)
	r, err := b.do(ctx, dir, []int{0}, "apply", "-auto-approve", "-input=false", par)
	if err != nil {
		return err
	}
	tokenPOST := func(e loadtest.Entry) bool { return loadtest.Pattern(e) == "POST /setting/admins/{id}/apitokens" }
	note := b.pacing(fmt.Sprintf("portal %s, the %d token creates of %s", p, part.Tokens, part), r, limits, true, tokenPOST)
	b.addPortal(part.Resources(), fmt.Sprintf("create %s (apply)", part), label, r,
		"token creates: "+note)
	created, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate")) //nolint:gosec // G304: the harness's work dir
	if err != nil {
		return err
	}

	// --- the rest, seeded, and its state ----------------------------------------
	t0 := time.Now()
	team0, err := loadtest.PortalTeamFromSim(h.Sim.Server, p, 0)
	if err != nil {
		return fmt.Errorf("after the create: %w", err)
	}
	seeded, err := loadtest.SeedPortal(h.Sim.Server, p, team0, c)
	if err != nil {
		return err
	}
	full, err := loadtest.PortalState(created, p, seeded, c)
	if err != nil {
		return err
	}
	if err := loadtest.WriteConfig(dir, loadtest.PortalConfig(p)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), full, 0o600); err != nil {
		return err
	}
	// A copy for -keep: the destroy below empties terraform.tfstate.
	if err := os.WriteFile(filepath.Join(dir, "portal.tfstate"), full, 0o600); err != nil {
		return err
	}
	seedDur := time.Since(t0)
	b.logf("portal %s: seeded teams %d..%d in the simulator and wrote their state in %s", p, c, p.Roles-1, seedDur.Round(time.Millisecond))

	// --- the plugin floor: one team applied, the rest templated ------------------
	fdir, err := h.Workdir("portal-floor", loadtest.PortalFloorConfig(p.Teams(1)))
	if err != nil {
		return err
	}
	if _, err := b.do(ctx, fdir, []int{0}, "apply", "-auto-approve", "-input=false", par); err != nil {
		return err
	}
	tiny, err := os.ReadFile(filepath.Join(fdir, "terraform.tfstate")) //nolint:gosec // G304: the harness's work dir
	if err != nil {
		return err
	}
	fstate, err := loadtest.PortalFloorState(tiny, p)
	if err != nil {
		return err
	}
	if err := loadtest.WriteConfig(fdir, loadtest.PortalFloorConfig(p)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(fdir, "terraform.tfstate"), fstate, 0o600); err != nil {
		return err
	}

	// --- the no-change plan, and the floor's ----------------------------------------
	planArgs := []string{"plan", "-input=false", "-detailed-exitcode", par}
	var plans, floors []*loadtest.Result
	for i := 0; i < b.cfg.portalRepeat; i++ {
		h.Sim.Server.SetRateLimits(limits) // fresh windows for each plan
		b.logf("portal %s: plan %d/%d of %d resources (no change expected), then the plugin floor's", p, i+1, b.cfg.portalRepeat, n)
		r, err := b.do(ctx, dir, []int{0, 2}, planArgs...)
		if err != nil {
			return err
		}
		if r.Exit == 2 {
			return fmt.Errorf("portal %s: the plan of the seeded portal shows changes, so its state or seeding is not what the provider would have written:\n%s", p, tail(r.Output, 40))
		}
		plans = append(plans, r)
		f, err := b.do(ctx, fdir, []int{0}, planArgs...)
		if err != nil {
			return err
		}
		floors = append(floors, f)
	}
	tp, fp := median(plans), median(floors)
	ratio := float64(tp.Wall) / float64(fp.Wall)
	b.addPortal(n, "plan, no change", label, tp, fmt.Sprintf("median of %d; %.2f× plugin floor", len(plans), ratio))
	b.rows = append(b.rows, row{n: n, phase: "plan, plugin floor", limits: "-", wall: fp.Wall, rssKiB: -1, noCalls: true,
		note: fmt.Sprintf("median of %d; %d lmfloor_api_token, same blocks and references", len(floors), n)})
	gets := 0
	for _, r := range plans {
		gets = max(gets, loadtest.Count(r.Entries).ByMethod[http.MethodGet])
	}
	if gets > maxPortalPlanGETs {
		b.miss("portal %s: the no-change plan sent %d GET requests (target ≤ %d for the whole portal)", p, gets, maxPortalPlanGETs)
	} else {
		b.met("portal %s: the no-change plan sends %d GET (≤ %d)", p, gets, maxPortalPlanGETs)
	}
	if ratio > maxPortalPlanRatio {
		b.miss("portal %s: the no-change plan takes %.2f× the plugin floor (%.1fs vs %.1fs; target ≤ %.1f×)", p, ratio, tp.Wall.Seconds(), fp.Wall.Seconds(), maxPortalPlanRatio)
	} else {
		b.met("portal %s: the no-change plan takes %.2f× the plugin floor (≤ %.1f×)", p, ratio, maxPortalPlanRatio)
	}
	if rss := tp.PeakRSSKiB(); rss >= maxRSSKiB {
		b.miss("portal %s: provider peak RSS %.1f MiB during the plan (target < 100 MiB)", p, mib(rss))
	} else {
		b.met("portal %s: provider peak RSS %.1f MiB during the plan (< 100 MiB)", p, mib(rss))
	}

	// --- destroy: planned for the whole portal, run for the CLI-created part ----------
	h.Sim.Server.SetRateLimits(limits)
	b.logf("portal %s: plan -destroy of %d resources", p, n)
	r, err = b.do(ctx, dir, []int{0, 2}, "plan", "-destroy", "-input=false", "-detailed-exitcode", par)
	if err != nil {
		return err
	}
	deletes := float64(n) / (float64(limits.PerMethod[http.MethodDelete].Requests) / b.cfg.portalWindow.Seconds())
	b.addPortal(n, "plan -destroy", label, r, fmt.Sprintf("the full destroy is not run: its %d DELETEs alone take ≥ %.0f s at these limits, ≥ %.0f min at LogicMonitor's 300/min",
		n, deletes, float64(n)/300))
	if err := loadtest.WriteConfig(dir, loadtest.PortalConfig(part)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), created, 0o600); err != nil {
		return err
	}
	h.Sim.Server.SetRateLimits(limits)
	b.logf("portal %s: destroy of the CLI-created part (%d resources)", p, part.Resources())
	r, err = b.do(ctx, dir, []int{0}, "destroy", "-auto-approve", "-input=false", par)
	if err != nil {
		return err
	}
	b.addPortal(part.Resources(), fmt.Sprintf("destroy %s", part), label, r, "the CLI-created part, for real")
	if left := leftovers(h.Sim.Server, c); left > 0 {
		b.miss("portal %s: %d objects of the CLI-created teams are still in the simulator after their destroy", p, left)
	}
	b.portalTotal = time.Since(start)
	return nil
}

func (b *bench) addPortal(n int, phase, limits string, r *loadtest.Result, note string) {
	rw := b.add(n, phase, limits, r, note)
	rw.patterns = loadtest.ByPattern(r.Entries)
	rw.portal = true
	b.rows[len(b.rows)-1] = rw
}

// leftovers counts the simulator's objects of teams 0..teams-1.
func leftovers(s *lmsim.Server, teams int) int {
	names, users := map[string]bool{}, map[int32]bool{}
	for k := 0; k < teams; k++ {
		names[loadtest.PortalRoleName(k)] = true
	}
	n := 0
	for _, r := range s.Roles() {
		if names[r.Name] {
			n++
		}
	}
	for _, a := range s.Admins() {
		for _, ref := range a.Roles {
			if names[ref.Name] {
				users[a.ID] = true
			}
		}
	}
	n += len(users)
	for _, t := range s.Tokens() {
		if users[t.AdminID] {
			n++
		}
	}
	return n
}
