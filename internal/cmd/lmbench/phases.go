package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/loadtest"
)

// size runs every phase for n tokens on a fresh simulator, adding the
// table's rows and checking the targets; the create pacing target is checked
// on the largest size only.
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
	note := b.pacing(fmt.Sprintf("N=%d", n), r, writeLimits, largest, nil)
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
// table note. only, if set, picks the POSTs of one endpoint (the limit
// applies per endpoint).
func (b *bench) pacing(name string, r *loadtest.Result, limits lmsim.RateLimits, largest bool, only func(loadtest.Entry) bool) string {
	c := loadtest.Count(r.Entries)
	lim := limits.PerMethod[http.MethodPost]
	var posts []time.Time
	for _, e := range r.Entries {
		if e.Method == http.MethodPost && e.Status >= 200 && e.Status <= 299 && (only == nil || only(e)) {
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
		b.miss("%s: %d failed requests during the create", name, c.Failed)
	}
	if largest {
		switch {
		case !bound:
			b.logf("%s: the creates never filled a POST window, so pacing is not measured", name)
		case occ < minOccupancy:
			b.miss("%s: the create kept the POST window %.0f%% full (target ≥ %.0f%%): %.1f creates/s against %.1f/s allowed", name, occ*100, minOccupancy*100, achieved, rate)
		default:
			b.met("%s: create kept the POST window %.0f%% full (≥ %.0f%%), %d×429 seen by the simulator, none surfaced, 0 failed requests", name, occ*100, minOccupancy*100, c.RateLimited)
		}
	}
	return note
}
