package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// TestRawSetFromAPIMatchesModel: Read's tftypes path writes the same state
// as apiTokenModel.setFromAPI followed by State.Set, and the raw decoders
// read back what the model wrote.
func TestRawSetFromAPIMatchesModel(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&apiTokenResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	prior := apiTokenModel{
		ID: types.StringValue("7"), AdminID: types.Int64Value(140), Note: types.StringValue("old"),
		Enabled: types.BoolValue(false), Type: types.StringValue("lmv1"), OnDestroy: types.StringValue(onDestroyDisable),
		RotationTriggers: types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v")}),
		RotateAfter:      timetypes.NewGoDurationValueFromStringMust("2160h0m0s"),
		AccessID:         types.StringValue("old"), AccessKey: types.StringValue("secret"),
		AdminName: types.StringValue("x"), CreatedBy: types.StringValue("y"),
		CreatedOn: timetypes.NewRFC3339Null(), LastUsedOn: timetypes.NewRFC3339Null(),
		Roles: types.SetValueMust(types.StringType, nil),
		Timeouts: timeouts.Value{Object: types.ObjectValueMust(timeoutsAttrTypes(), map[string]attr.Value{
			"create": types.StringNull(), "read": types.StringValue("3m"), "update": types.StringNull(), "delete": types.StringNull(),
		})},
	}
	toks := []lm.APIToken{
		{ID: 146, AdminID: 131, Note: "n", Status: lm.StatusEnabled, Type: "", AccessID: "48v2wRzfK94y53sq5EuF",
			AdminName: "alice", CreatedBy: "bob", CreatedOn: 1700000000, LastUsedOn: 1700000500, Roles: []string{"admin", "ro"}},
		{ID: 1, AdminID: 2, Status: lm.StatusDisabled, Type: lm.TokenTypeBearer, Roles: nil},
	}
	for _, tok := range toks {
		base := tfsdk.State{Schema: sr.Schema}
		if d := base.Set(ctx, &prior); d.HasError() {
			t.Fatal(d)
		}
		m := prior
		if d := m.setFromAPI(ctx, tok); d.HasError() {
			t.Fatal(d)
		}
		want := tfsdk.State{Schema: sr.Schema}
		if d := want.Set(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		attrs, d := newRawObject(base.Raw)
		if d.HasError() {
			t.Fatal(d)
		}
		attrs.setFromAPI(tok)
		got := tftypes.NewValue(base.Raw.Type(), map[string]tftypes.Value(attrs))
		if !got.Equal(want.Raw) {
			t.Errorf("token %d: raw state\n%s\nwant\n%s", tok.ID, got, want.Raw)
		}

		// Decoding back.
		var diags = d
		w, _ := newRawObject(want.Raw)
		if g := w.str("id", &diags); !g.Equal(m.ID) {
			t.Errorf("id %s, want %s", g, m.ID)
		}
		if g := w.int64("admin_id", &diags); !g.Equal(m.AdminID) {
			t.Errorf("admin_id %s, want %s", g, m.AdminID)
		}
		if g := w.boolean("enabled", &diags); !g.Equal(m.Enabled) {
			t.Errorf("enabled %s, want %s", g, m.Enabled)
		}
		if g := w.rfc3339("created_on", &diags); !g.Equal(m.CreatedOn) {
			t.Errorf("created_on %s, want %s", g, m.CreatedOn)
		}
		if g := w.goDuration("rotate_after", &diags); !g.Equal(m.RotateAfter) {
			t.Errorf("rotate_after %s, want %s", g, m.RotateAfter)
		}
		if g := w.stringMap(ctx, "rotation_triggers", &diags); !g.Equal(m.RotationTriggers) {
			t.Errorf("rotation_triggers %s, want %s", g, m.RotationTriggers)
		}
		if g := w.timeouts(ctx, &diags); !g.Equal(m.Timeouts) {
			t.Errorf("timeouts %s, want %s", g, m.Timeouts)
		} else if d, _ := g.Read(ctx, 0); d.String() != "3m0s" {
			t.Errorf("read timeout %s, want 3m", d)
		}
		if diags.HasError() {
			t.Fatal(diags)
		}
	}
}

// TestIdentityFromRawMatchesModel: Read's tftypes identity is the value
// Identity.Set writes for the same token, and equal to it as the framework
// compares identities (a difference would fail every refresh with
// "Unexpected Identity Change").
func TestIdentityFromRawMatchesModel(t *testing.T) {
	ctx := context.Background()
	r := &apiTokenResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	var ir resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
	if got := ir.IdentitySchema.Type().TerraformType(ctx); !got.Equal(tokenIdentityType) {
		t.Fatalf("tokenIdentityType %s differs from the identity schema's %s", tokenIdentityType, got)
	}
	for _, tok := range []lm.APIToken{{ID: 146, AdminID: 131}, {ID: 2147483647, AdminID: 2147483646}} {
		m, d := importedTokenModel(ctx, tok)
		state := tfsdk.State{Schema: sr.Schema}
		d.Append(state.Set(ctx, &m)...)
		want := tfsdk.ResourceIdentity{Schema: ir.IdentitySchema}
		d.Append(want.Set(ctx, tokenIdentityFromAPI(tok))...)
		if d.HasError() {
			t.Fatal(d)
		}
		if got := identityFromRaw(state.Raw); !got.Equal(want.Raw) {
			t.Errorf("token %d: raw identity %s, want %s", tok.ID, got, want.Raw)
		}
	}
	if got := identityFromRaw(tftypes.NewValue(tftypes.String, "x")); !got.IsNull() {
		t.Errorf("identity of a value that is no lm_api_token: %s, want null", got)
	}
}
