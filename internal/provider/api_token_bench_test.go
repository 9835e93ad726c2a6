package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// BenchmarkTokenRefresh is the per-token work of a plan: the framework's
// ReadResource and PlanResourceChange of one lm_api_token with an
// unchanged configuration, served from the token index (no API call after
// the first), as Terraform sends them for every token of a plan.
func BenchmarkTokenRefresh(b *testing.B) {
	ctx := context.Background()
	srv := configuredServer(b)

	var sr resource.SchemaResponse
	(&apiTokenResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	m, diags := importedTokenModel(ctx, lm.APIToken{ID: lmsim.SeedTokenID, AdminID: lmsim.SeedAdminID, Type: lm.TokenTypeLMv1, Status: lm.StatusEnabled})
	state := tfsdk.State{Schema: sr.Schema}
	diags.Append(state.Set(ctx, &m)...)
	if diags.HasError() {
		b.Fatal(diags)
	}
	typ := state.Raw.Type()
	dyn := func(v tftypes.Value) *tfprotov6.DynamicValue {
		d, err := tfprotov6.NewDynamicValue(typ, v)
		if err != nil {
			b.Fatal(err)
		}
		return &d
	}
	read := func() tftypes.Value {
		resp, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "lm_api_token", CurrentState: dyn(state.Raw)})
		if err != nil || len(resp.Diagnostics) > 0 {
			b.Fatalf("read: %v %v", err, resp.Diagnostics)
		}
		v, err := resp.NewState.Unmarshal(typ)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	refreshed := read()
	// The configuration of the refreshed token: its inputs as set, every
	// computed-only attribute null.
	var attrs map[string]tftypes.Value
	if err := refreshed.As(&attrs); err != nil {
		b.Fatal(err)
	}
	config := map[string]tftypes.Value{}
	objType, _ := typ.(tftypes.Object)
	for name, t := range objType.AttributeTypes {
		config[name] = tftypes.NewValue(t, nil)
	}
	for _, name := range []string{"admin_id", "note", "enabled", "type", "on_destroy"} {
		config[name] = attrs[name]
	}
	configValue := dyn(tftypes.NewValue(typ, config))
	priorValue := dyn(refreshed)

	b.Run("ReadResource", func(b *testing.B) {
		for b.Loop() {
			read()
		}
	})
	b.Run("PlanResourceChange", func(b *testing.B) {
		for b.Loop() {
			resp, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: "lm_api_token", PriorState: priorValue, ProposedNewState: priorValue, Config: configValue,
			})
			if err != nil || len(resp.Diagnostics) > 0 || len(resp.RequiresReplace) > 0 {
				b.Fatalf("plan: %v %v %v", err, resp.Diagnostics, resp.RequiresReplace)
			}
		}
	})
}
