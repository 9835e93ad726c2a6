package main

import (
	"context"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The floor must plan and apply like a real provider, or the CLI rejects
// its answers and the benchmark measures an error path: a create plans
// every computed attribute unknown, the apply makes every value known, a
// no-op plan is the proposed state, and state upgrade keeps the value.
func TestFloorLifecycle(t *testing.T) {
	ctx := context.Background()
	s, err := newServer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	obj, ok := s.typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %T, want an object", s.typ)
	}
	// The configuration: admin_id and note set, everything else null.
	attrs := map[string]tftypes.Value{}
	for name, typ := range obj.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	attrs["admin_id"] = tftypes.NewValue(tftypes.Number, big.NewFloat(140))
	attrs["note"] = tftypes.NewValue(tftypes.String, "bench 1")
	config := tftypes.NewValue(s.typ, attrs)
	dv := func(v tftypes.Value) *tfprotov6.DynamicValue {
		d, err := tfprotov6.NewDynamicValue(s.typ, v)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	null := dv(tftypes.NewValue(s.typ, nil))

	plan, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: null, ProposedNewState: dv(config), Config: dv(config)})
	if err != nil {
		t.Fatal(err)
	}
	planned, err := plan.PlannedState.Unmarshal(s.typ)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]tftypes.Value
	if err := planned.As(&p); err != nil {
		t.Fatal(err)
	}
	computed := 0
	for _, a := range s.schema.Block.Attributes {
		switch {
		case a.Computed && a.Name != "note" && p[a.Name].IsKnown():
			t.Errorf("create plan: computed %s = %v, want unknown", a.Name, p[a.Name])
		case a.Computed:
			computed++
		case !a.Computed && !p[a.Name].IsKnown():
			t.Errorf("create plan: %s is unknown, but it is not computed", a.Name)
		}
	}
	if computed < 5 {
		t.Errorf("only %d computed attributes: not lm_api_token's schema?", computed)
	}
	if !p["note"].Equal(attrs["note"]) {
		t.Errorf("create plan: note = %v, want the configured value", p["note"])
	}

	applied, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: null, PlannedState: plan.PlannedState, Config: dv(config)})
	if err != nil {
		t.Fatal(err)
	}
	state, err := applied.NewState.Unmarshal(s.typ)
	if err != nil {
		t.Fatal(err)
	}
	if !state.IsFullyKnown() {
		t.Errorf("applied state has unknown values: %v", state)
	}

	again, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: applied.NewState, ProposedNewState: applied.NewState, Config: dv(config)})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := again.PlannedState.Unmarshal(s.typ); !got.Equal(state) {
		t.Errorf("no-op plan = %v, want the prior state %v", got, state)
	}

	up, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: typeName, RawState: &tfprotov6.RawState{JSON: []byte(`{"id":"7","admin_id":140,"note":"n"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	upgraded, err := up.UpgradedState.Unmarshal(s.typ)
	if err != nil {
		t.Fatal(err)
	}
	var u map[string]tftypes.Value
	if err := upgraded.As(&u); err != nil {
		t.Fatal(err)
	}
	if !u["id"].Equal(tftypes.NewValue(tftypes.String, "7")) || !u["note"].Equal(tftypes.NewValue(tftypes.String, "n")) {
		t.Errorf("upgraded state = %v, want id 7 and note n", upgraded)
	}
}
