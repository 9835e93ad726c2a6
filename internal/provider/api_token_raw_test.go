package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// rawTestModels are lm_api_token states and plans as Read and ModifyPlan
// meet them: created by Terraform, imported, and planned with unknowns.
func rawTestModels(t *testing.T) map[string]apiTokenModel {
	t.Helper()
	ctx := context.Background()
	full, d := importedTokenModel(ctx, lm.APIToken{ID: 146, AdminID: 131, Note: "n", Status: lm.StatusEnabled,
		AccessID: "48v2wRzfK94y53sq5EuF", AdminName: "alice", CreatedBy: "bob", CreatedOn: 1700000000, LastUsedOn: 1700000500,
		Roles: []string{"admin", "ro"}})
	full.OnDestroy = types.StringValue(onDestroyDisable)
	full.AccessKey = types.StringValue("secret")
	full.RotationTriggers = types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v")})
	full.RotateAfter = timetypes.NewGoDurationValueFromStringMust("2160h0m0s")
	full.RotationDueOn = rotationDueOn(full.CreatedOn, full.RotateAfter)
	full.Timeouts = timeouts.Value{Object: types.ObjectValueMust(timeoutsAttrTypes(), map[string]attr.Value{
		"create": types.StringNull(), "read": types.StringValue("3m"), "update": types.StringNull(), "delete": types.StringNull(),
	})}
	full.RotationOverlap = timetypes.NewGoDurationValueFromStringMust("24h0m0s")
	full.PreviousToken = previousToken{ID: "145", AccessID: "prevAccessID00000000",
		RetiresOn: timetypes.NewRFC3339TimeValue(time.Unix(1700086400, 0).UTC())}.object()
	imported, d2 := importedTokenModel(ctx, lm.APIToken{ID: 1, AdminID: 2, Status: lm.StatusDisabled, Type: lm.TokenTypeBearer})
	planned := full
	planned.CreatedOn = timetypes.NewRFC3339Unknown()
	planned.RotationDueOn = timetypes.NewRFC3339Unknown()
	planned.Roles = types.SetUnknown(types.StringType)
	planned.Note = types.StringUnknown()
	planned.RotationTriggers = types.MapUnknown(types.StringType)
	planned.PreviousToken = previousToken{ID: "146", AccessID: "48v2wRzfK94y53sq5EuF", RetiresOn: timetypes.NewRFC3339Unknown()}.object()
	if d.Append(d2...); d.HasError() {
		t.Fatal(d)
	}
	return map[string]apiTokenModel{"full": full, "imported": imported, "planned": planned}
}

// TestTokenRawMatchesFramework: the raw path reads and writes exactly what
// State.Get and State.Set do, for every attribute, and its identity is the
// one Identity.Set writes (a difference would fail every refresh with
// "Unexpected Identity Change").
func TestTokenRawMatchesFramework(t *testing.T) {
	ctx := context.Background()
	raw, err := tokenRawModels()
	if err != nil {
		t.Fatal(err)
	}
	r := &apiTokenResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	var ir resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
	for name, m := range rawTestModels(t) {
		want := tfsdk.State{Schema: sr.Schema}
		if d := want.Set(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		got, err := raw.state.set(ctx, &m)
		if err != nil {
			t.Fatalf("%s: set: %v", name, err)
		}
		if !got.Equal(want.Raw) {
			t.Errorf("%s: raw state\n%s\nwant\n%s", name, got, want.Raw)
		}

		var viaFramework apiTokenModel
		if d := want.Get(ctx, &viaFramework); d.HasError() {
			t.Fatal(d)
		}
		viaRaw, err := raw.state.get(ctx, want.Raw)
		if err != nil {
			t.Fatalf("%s: get: %v", name, err)
		}
		for _, f := range raw.state.fields {
			a, _ := reflect.ValueOf(viaRaw).FieldByIndex(f.index).Interface().(attr.Value)
			b, _ := reflect.ValueOf(viaFramework).FieldByIndex(f.index).Interface().(attr.Value)
			if !a.Equal(b) {
				t.Errorf("%s: %s read as %s, State.Get reads %s", name, f.name, a, b)
			}
		}

		ident := tokenIdentityModel{AdminID: m.AdminID, ID: types.Int64Value(146)}
		wantIdent := tfsdk.ResourceIdentity{Schema: ir.IdentitySchema}
		if d := wantIdent.Set(ctx, ident); d.HasError() {
			t.Fatal(d)
		}
		if gotIdent, err := raw.identity.set(ctx, &ident); err != nil || !gotIdent.Equal(wantIdent.Raw) {
			t.Errorf("%s: raw identity %s (%v), want %s", name, gotIdent, err, wantIdent.Raw)
		}
	}
	if _, err := raw.state.get(ctx, tftypes.NewValue(tftypes.String, "x")); err == nil {
		t.Error("the raw path read a string as an lm_api_token")
	}
	var broken apiTokenModel // no element type in roles: not a value of the schema
	if _, err := raw.state.set(ctx, &broken); err == nil {
		t.Error("the raw path wrote a model whose values do not fit the schema")
	}
}

// TestRawModelFollowsTheSchema: a model and a schema that disagree cannot
// make a rawModel, so an attribute added to one and not the other fails
// here (and at the first Read) instead of being silently dropped.
func TestRawModelFollowsTheSchema(t *testing.T) {
	ctx := context.Background()
	schema := types.ObjectType{AttrTypes: map[string]attr.Type{"a": types.StringType, "b": types.Int64Type}}
	type inner struct {
		B types.Int64 `tfsdk:"b"`
	}
	type good struct {
		A types.String `tfsdk:"a"`
		inner
		unexported int //nolint:unused // must be skipped
	}
	if _, err := newRawModel[good](ctx, schema); err != nil {
		t.Errorf("a matching model: %v", err)
	}
	type missing struct {
		A types.String `tfsdk:"a"`
	}
	type extra struct {
		good
		C types.Bool `tfsdk:"c"`
	}
	type wrongType struct {
		A types.String `tfsdk:"a"`
		B types.String `tfsdk:"b"`
	}
	type untagged struct {
		A types.String `tfsdk:"a"`
		B types.Int64
	}
	for name, err := range map[string]error{
		`the schema's attribute "b" has no field`:                                                       second(newRawModel[missing](ctx, schema)),
		`the field tagged "c" is no attribute of the schema`:                                            second(newRawModel[extra](ctx, schema)),
		`field B ("b") is a basetypes.StringValue; the schema's attribute holds a basetypes.Int64Value`: second(newRawModel[wrongType](ctx, schema)),
		`field B has no tfsdk tag`:                                                                      second(newRawModel[untagged](ctx, schema)),
	} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v, want one with %q", err, name)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestTokenMetadataFollowsTheResource: what the data sources show of a
// token is the resource's reported part, tokenMetadataModel, with the
// resource's types.
func TestTokenMetadataFollowsTheResource(t *testing.T) {
	ctx := context.Background()
	ds := dsschema.Schema{Attributes: tokenMetadataAttributes()}
	if _, err := newRawModel[tokenMetadataModel](ctx, ds.Type()); err != nil {
		t.Fatal(err)
	}
	var sr resource.SchemaResponse
	(&apiTokenResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	for name, a := range ds.Attributes {
		if r, ok := sr.Schema.Attributes[name]; !ok || !r.GetType().Equal(a.GetType()) {
			t.Errorf("the data sources' %s is a %s; the resource's is %v", name, a.GetType(), r)
		}
	}
}
