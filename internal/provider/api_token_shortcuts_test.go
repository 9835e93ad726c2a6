package provider

import (
	"context"
	"maps"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/clock"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// shortcutRig is one provider instance served by the framework, as
// serve.Serve serves it, configured against a simulator: the shortcuts and
// the framework answer the same requests on the same instance.
type shortcutRig struct {
	t     *testing.T
	ctx   context.Context
	p     *lmProvider
	fw    tfprotov6.ProviderServer
	typ   tftypes.Type
	attrs map[string]tftypes.Type // typ's attributes
	clock *clock.Fixed
}

func newShortcutRig(t *testing.T, baseURL string) *shortcutRig {
	t.Helper()
	ctx := context.Background()
	clk := &clock.Fixed{T: time.Now()}
	p, ok := New("test", WithClock(clk))().(*lmProvider)
	if !ok {
		t.Fatal("New does not make an *lmProvider")
	}
	fw := providerserver.NewProtocol6(p)()
	schemas, err := fw.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ptyp, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type %T, want an object", schemas.Provider.ValueType())
	}
	pattrs := map[string]tftypes.Value{}
	for name, at := range ptyp.AttributeTypes {
		pattrs[name] = tftypes.NewValue(at, nil)
	}
	pattrs["base_url"] = tftypes.NewValue(tftypes.String, baseURL)
	pattrs["access_id"] = tftypes.NewValue(tftypes.String, lmsim.DefaultAdminAccessID)
	pattrs["access_key"] = tftypes.NewValue(tftypes.String, lmsim.DefaultAdminAccessKey)
	pattrs["max_retries"] = tftypes.NewValue(tftypes.Number, big.NewFloat(0))
	cfg, err := tfprotov6.NewDynamicValue(ptyp, tftypes.NewValue(ptyp, pattrs))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := fw.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %+v", err, resp.Diagnostics)
	}
	typ, ok := schemas.ResourceSchemas[apiTokenTypeName].ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("lm_api_token schema type %T, want an object", schemas.ResourceSchemas[apiTokenTypeName].ValueType())
	}
	return &shortcutRig{t: t, ctx: ctx, p: p, fw: fw, typ: typ, attrs: typ.AttributeTypes, clock: clk}
}

func (r *shortcutRig) dv(v tftypes.Value) *tfprotov6.DynamicValue {
	r.t.Helper()
	d, err := tfprotov6.NewDynamicValue(r.typ, v)
	if err != nil {
		r.t.Fatal(err)
	}
	return &d
}

func (r *shortcutRig) value(d *tfprotov6.DynamicValue) tftypes.Value {
	r.t.Helper()
	v, err := d.Unmarshal(r.typ)
	if err != nil {
		r.t.Fatal(err)
	}
	return v
}

// with returns v with some attributes replaced (Go values are wrapped in
// tftypes values of the attribute's type).
func (r *shortcutRig) with(v tftypes.Value, set map[string]any) tftypes.Value {
	r.t.Helper()
	var shared map[string]tftypes.Value
	if err := v.As(&shared); err != nil {
		r.t.Fatal(err)
	}
	m := maps.Clone(shared) // As hands out v's own map
	for k, x := range set {
		if tv, ok := x.(tftypes.Value); ok {
			m[k] = tv
			continue
		}
		if i, ok := x.(int); ok {
			x = big.NewFloat(float64(i))
		}
		m[k] = tftypes.NewValue(r.attrs[k], x)
	}
	return tftypes.NewValue(r.typ, m)
}

// config is a configuration of admin 140 with the given attributes set.
func (r *shortcutRig) config(set map[string]any) tftypes.Value {
	m := map[string]tftypes.Value{}
	for k, at := range r.attrs {
		m[k] = tftypes.NewValue(at, nil)
	}
	m["admin_id"] = tftypes.NewValue(tftypes.Number, big.NewFloat(140))
	return r.with(tftypes.NewValue(r.typ, m), set)
}

// create makes a token through the framework, as the CLI would.
func (r *shortcutRig) create(config tftypes.Value) tftypes.Value {
	r.t.Helper()
	null := r.dv(tftypes.NewValue(r.typ, nil))
	plan, err := r.fw.PlanResourceChange(r.ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: apiTokenTypeName, PriorState: null, ProposedNewState: r.dv(config), Config: r.dv(config)})
	if err != nil || len(plan.Diagnostics) > 0 {
		r.t.Fatalf("plan create: %v %+v", err, plan.Diagnostics)
	}
	applied, err := r.fw.ApplyResourceChange(r.ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: apiTokenTypeName, PriorState: null, PlannedState: plan.PlannedState, Config: r.dv(config)})
	if err != nil || len(applied.Diagnostics) > 0 {
		r.t.Fatalf("apply create: %v %+v", err, applied.Diagnostics)
	}
	return r.value(applied.NewState)
}

// read asks the shortcut, then the framework; when the shortcut answers,
// its answer must be the framework's.
func (r *shortcutRig) read(state tftypes.Value, private []byte) (answered bool, fw *tfprotov6.ReadResourceResponse) {
	r.t.Helper()
	req := func() *tfprotov6.ReadResourceRequest {
		return &tfprotov6.ReadResourceRequest{TypeName: apiTokenTypeName, CurrentState: r.dv(state), Private: private}
	}
	short, ok := r.p.ShortcutReadResource(r.ctx, req())
	fw, err := r.fw.ReadResource(r.ctx, req())
	if err != nil {
		r.t.Fatal(err)
	}
	if ok {
		if got, want := r.value(short.NewState), r.value(fw.NewState); !got.Equal(want) {
			r.t.Errorf("shortcut read state\n%v\nframework\n%v", got, want)
		}
		sameDiagnostics(r.t, short.Diagnostics, fw.Diagnostics)
		if len(short.Private) != 0 || len(fw.Private) != 0 {
			r.t.Errorf("private: shortcut %q, framework %q", short.Private, fw.Private)
		}
	}
	return ok, fw
}

// plan asks the shortcut, then the framework, for a plan from prior to
// proposed; when the shortcut answers, its answer must be the framework's.
func (r *shortcutRig) plan(config, prior, proposed tftypes.Value, private []byte) (answered bool, fw *tfprotov6.PlanResourceChangeResponse) {
	r.t.Helper()
	req := func() *tfprotov6.PlanResourceChangeRequest {
		return &tfprotov6.PlanResourceChangeRequest{TypeName: apiTokenTypeName, Config: r.dv(config),
			PriorState: r.dv(prior), ProposedNewState: r.dv(proposed), PriorPrivate: private}
	}
	short, ok := r.p.ShortcutPlanResourceChange(r.ctx, req())
	fw, err := r.fw.PlanResourceChange(r.ctx, req())
	if err != nil {
		r.t.Fatal(err)
	}
	if ok {
		if got, want := r.value(short.PlannedState), r.value(fw.PlannedState); !got.Equal(want) {
			r.t.Errorf("shortcut plan\n%v\nframework\n%v", got, want)
		}
		if len(short.RequiresReplace) != 0 || len(fw.RequiresReplace) != 0 {
			r.t.Errorf("requires replace: shortcut %v, framework %v", short.RequiresReplace, fw.RequiresReplace)
		}
		sameDiagnostics(r.t, short.Diagnostics, fw.Diagnostics)
		if len(short.PlannedPrivate) != 0 || len(fw.PlannedPrivate) != 0 {
			r.t.Errorf("private: shortcut %q, framework %q", short.PlannedPrivate, fw.PlannedPrivate)
		}
	}
	return ok, fw
}

func sameDiagnostics(t *testing.T, got, want []*tfprotov6.Diagnostic) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("diagnostics: shortcut %d, framework %d: %+v / %+v", len(got), len(want), got, want)
		return
	}
	for i := range got {
		if got[i].Severity != want[i].Severity || got[i].Summary != want[i].Summary || got[i].Detail != want[i].Detail {
			t.Errorf("diagnostic %d: shortcut %+v, framework %+v", i, got[i], want[i])
		}
	}
}

func TestShortcutsAnswerAsTheFramework(t *testing.T) {
	sim, _ := startSim(t)
	r := newShortcutRig(t, sim.URL)
	plain := r.config(map[string]any{"note": "plain"})
	s := r.create(plain)
	dflt := r.config(nil) // note, enabled, type, on_destroy from their defaults
	sd := r.create(dflt)
	rot := r.config(map[string]any{"note": "rot", "rotate_after": "1000h"})
	sr := r.create(rot)
	off := r.config(map[string]any{"note": "off", "enabled": false, "on_destroy": "disable",
		"rotation_triggers": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String},
			map[string]tftypes.Value{"k": tftypes.NewValue(tftypes.String, "v")})})
	so := r.create(off)

	t.Run("read", func(t *testing.T) {
		r.t = t
		for name, st := range map[string]tftypes.Value{"plain": s, "defaults": sd, "rotate_after": sr, "disabled": so} {
			if ok, _ := r.read(st, nil); !ok {
				t.Errorf("%s: the shortcut declined an unchanged token", name)
			}
		}
		// A state that differs from LogicMonitor: the framework's Read.
		if ok, fw := r.read(r.with(s, map[string]any{"note": "stale"}), nil); ok {
			t.Error("the shortcut answered a changed token")
		} else if got := r.with(r.value(fw.NewState), nil); !got.Equal(s) {
			t.Errorf("framework read = %v, want %v", got, s)
		}
		// Framework bookkeeping in private state: the framework's Read.
		if ok, _ := r.read(s, []byte(`{".import_before_read":"dHJ1ZQ=="}`)); ok {
			t.Error("the shortcut answered a read with private state")
		}
		// A token unknown to LogicMonitor: the framework removes it.
		if ok, fw := r.read(r.with(s, map[string]any{"id": "999999"}), nil); ok {
			t.Error("the shortcut answered for a missing token")
		} else if !r.value(fw.NewState).IsNull() {
			t.Errorf("framework read of a missing token = %v, want null", r.value(fw.NewState))
		}
	})

	t.Run("plan", func(t *testing.T) {
		r.t = t
		for name, c := range map[string][2]tftypes.Value{"plain": {plain, s}, "defaults": {dflt, sd}, "rotate_after": {rot, sr}, "disabled": {off, so}} {
			if ok, _ := r.plan(c[0], c[1], c[1], nil); !ok {
				t.Errorf("%s: the shortcut declined an unchanged token", name)
			}
		}
		// The timeouts block set: still unchanged.
		tos := tftypes.NewValue(r.attrs["timeouts"], map[string]tftypes.Value{
			"create": tftypes.NewValue(tftypes.String, "5m"), "read": tftypes.NewValue(tftypes.String, nil),
			"update": tftypes.NewValue(tftypes.String, nil), "delete": tftypes.NewValue(tftypes.String, nil)})
		if ok, _ := r.plan(r.with(plain, map[string]any{"timeouts": tos}), r.with(s, map[string]any{"timeouts": tos}), r.with(s, map[string]any{"timeouts": tos}), nil); !ok {
			t.Error("timeouts: the shortcut declined an unchanged token")
		}
		// The configuration leaves note to its default, but the state has
		// another note: the proposed state keeps it (note is computed), the
		// framework plans the default.
		drift := r.with(sd, map[string]any{"note": "set by hand"})
		if ok, fw := r.plan(dflt, drift, drift, nil); ok {
			t.Error("the shortcut answered when a default differs from the state")
		} else if got := r.value(fw.PlannedState); got.Equal(drift) {
			t.Errorf("framework plan kept the drifted note: %v", got)
		}
		// A changed note.
		if ok, _ := r.plan(r.with(plain, map[string]any{"note": "new"}), s, r.with(s, map[string]any{"note": "new"}), nil); ok {
			t.Error("the shortcut answered a changed note")
		}
		// Private state.
		if ok, _ := r.plan(plain, s, s, []byte(`{"k":"dg=="}`)); ok {
			t.Error("the shortcut answered a plan with private state")
		}
		// Rotation due: the framework replaces the token.
		r.clock.Set(time.Now().Add(2000 * time.Hour))
		defer r.clock.Set(time.Now())
		if ok, fw := r.plan(rot, sr, sr, nil); ok {
			t.Error("the shortcut answered a plan with a rotation due")
		} else if len(fw.RequiresReplace) == 0 {
			t.Error("framework plan with a rotation due does not replace the token")
		}
	})

	t.Run("self", func(t *testing.T) {
		r.t = t
		// The provider's own credential, unchanged: no diagnostic either way.
		self := r.with(s, map[string]any{"access_id": lmsim.DefaultAdminAccessID})
		if ok, _ := r.plan(plain, self, self, nil); !ok {
			t.Error("the shortcut declined an unchanged self token")
		}
	})
}

// TestShortcutReadErrorAsTheFramework: when LogicMonitor cannot be reached,
// the shortcut answers with the framework's diagnostics rather than letting
// the framework try again.
func TestShortcutReadErrorAsTheFramework(t *testing.T) {
	sim, _ := startSim(t)
	r := newShortcutRig(t, sim.URL)
	s := r.create(r.config(map[string]any{"note": "x"}))

	down := httptest.NewServer(nil)
	down.Close()
	r2 := newShortcutRig(t, down.URL+"/santaba/rest")
	ok, fw := r2.read(s, nil)
	if !ok {
		t.Fatal("the shortcut declined a read that failed")
	}
	if len(fw.Diagnostics) == 0 || fw.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Fatalf("framework read against a closed server: %+v, want an error", fw.Diagnostics)
	}
}

// TestShortcutsBeforeConfigure: an unconfigured provider has no shortcut.
func TestShortcutsBeforeConfigure(t *testing.T) {
	p, ok := New("test")().(*lmProvider)
	if !ok {
		t.Fatal("New does not make an *lmProvider")
	}
	if _, ok := p.ShortcutReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: apiTokenTypeName}); ok {
		t.Error("read answered before configure")
	}
	if _, ok := p.ShortcutPlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{TypeName: apiTokenTypeName}); ok {
		t.Error("plan answered before configure")
	}
}
