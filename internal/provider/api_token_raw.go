package provider

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// Read and ModifyPlan run once per token in every plan, so they work on
// tftypes values instead of the framework's struct reflection, which
// recompiles a regular expression per field on every call
// (terraform-plugin-framework#725; DESIGN.md says when to drop this).

// rawObject is an lm_api_token object value split into its attributes.
type rawObject map[string]tftypes.Value

func newRawObject(v tftypes.Value) (rawObject, diag.Diagnostics) {
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil, diag.Diagnostics{rawDiag(err)}
	}
	// As hands out the value's own map: changing it would change v.
	return maps.Clone(m), nil
}

func rawDiag(err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected lm_api_token value",
		fmt.Sprintf("The provider could not decode the resource's value; this is a bug in the provider: %s", err))
}

func (o rawObject) str(name string, diags *diag.Diagnostics) types.String {
	v := o[name]
	switch {
	case !v.IsKnown():
		return types.StringUnknown()
	case v.IsNull():
		return types.StringNull()
	}
	var s string
	if err := v.As(&s); err != nil {
		diags.Append(rawDiag(err))
		return types.StringUnknown()
	}
	return types.StringValue(s)
}

func (o rawObject) boolean(name string, diags *diag.Diagnostics) types.Bool {
	v := o[name]
	switch {
	case !v.IsKnown():
		return types.BoolUnknown()
	case v.IsNull():
		return types.BoolNull()
	}
	var b bool
	if err := v.As(&b); err != nil {
		diags.Append(rawDiag(err))
		return types.BoolUnknown()
	}
	return types.BoolValue(b)
}

func (o rawObject) int64(name string, diags *diag.Diagnostics) types.Int64 {
	v := o[name]
	switch {
	case !v.IsKnown():
		return types.Int64Unknown()
	case v.IsNull():
		return types.Int64Null()
	}
	var f big.Float
	if err := v.As(&f); err != nil {
		diags.Append(rawDiag(err))
		return types.Int64Unknown()
	}
	i, acc := f.Int64()
	if acc != big.Exact {
		diags.Append(rawDiag(fmt.Errorf("%s: %s is not an integer", name, f.String())))
		return types.Int64Unknown()
	}
	return types.Int64Value(i)
}

func (o rawObject) stringMap(ctx context.Context, name string, diags *diag.Diagnostics) types.Map {
	v, err := types.MapType{ElemType: types.StringType}.ValueFromTerraform(ctx, o[name])
	if err != nil {
		diags.Append(rawDiag(err))
		return types.MapUnknown(types.StringType)
	}
	m, ok := v.(types.Map)
	if !ok {
		diags.Append(rawDiag(fmt.Errorf("%s: unexpected %T", name, v)))
		return types.MapUnknown(types.StringType)
	}
	return m
}

// rfc3339 and goDuration return str as the schema's custom string types.
func (o rawObject) rfc3339(name string, diags *diag.Diagnostics) timetypes.RFC3339 {
	return timetypes.RFC3339{StringValue: o.str(name, diags)}
}

func (o rawObject) goDuration(name string, diags *diag.Diagnostics) timetypes.GoDuration {
	return timetypes.GoDuration{StringValue: o.str(name, diags)}
}

// timeouts returns the timeouts block as the timeouts package's value.
func (o rawObject) timeouts(ctx context.Context, diags *diag.Diagnostics) timeouts.Value {
	typ := timeouts.Type{ObjectType: types.ObjectType{AttrTypes: timeoutsAttrTypes()}}
	v, err := typ.ValueFromTerraform(ctx, o["timeouts"])
	if err != nil {
		diags.Append(rawDiag(err))
		return timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}
	}
	tv, ok := v.(timeouts.Value)
	if !ok {
		diags.Append(rawDiag(fmt.Errorf("timeouts: unexpected %T", v)))
		return timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}
	}
	return tv
}

// setFromAPI writes what LogicMonitor reports about a token into the
// object's attributes, exactly as apiTokenModel.setFromAPI followed by
// State.Set would; access_key and the configuration-only attributes are
// left alone.
func (o rawObject) setFromAPI(t lm.APIToken) {
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	epoch := func(sec int64) tftypes.Value {
		if sec <= 0 {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return str(time.Unix(sec, 0).UTC().Format(time.RFC3339))
	}
	o["id"] = str(strconv.FormatInt(int64(t.ID), 10))
	o["admin_id"] = tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(int64(t.AdminID)))
	o["note"] = str(t.Note)
	o["enabled"] = tftypes.NewValue(tftypes.Bool, t.Enabled())
	o["type"] = str(normType(t.Type))
	o["access_id"] = str(t.AccessID)
	o["admin_name"] = str(t.AdminName)
	o["created_by"] = str(t.CreatedBy)
	o["created_on"] = epoch(t.CreatedOn)
	o["last_used_on"] = epoch(t.LastUsedOn)
	roles := make([]tftypes.Value, len(t.Roles))
	for i, r := range t.Roles {
		roles[i] = str(r)
	}
	o["roles"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, roles)
}

// tokenIdentityType is the tftypes type of lm_api_token's identity schema.
var tokenIdentityType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"admin_id": tftypes.Number,
	"id":       tftypes.Number,
}}

// identityFromRaw returns the identity of a refreshed lm_api_token state,
// as Identity.Set of its tokenIdentityModel would: admin_id as it is, and
// the string id as a number. An id that is not a number (a corrupt state,
// which refresh has already refused) gives a null identity.
func identityFromRaw(state tftypes.Value) tftypes.Value {
	attrs, diags := newRawObject(state)
	if diags.HasError() {
		return tftypes.NewValue(tokenIdentityType, nil)
	}
	var id string
	if err := attrs["id"].As(&id); err != nil {
		return tftypes.NewValue(tokenIdentityType, nil)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return tftypes.NewValue(tokenIdentityType, nil)
	}
	return tftypes.NewValue(tokenIdentityType, map[string]tftypes.Value{
		"admin_id": attrs["admin_id"],
		"id":       tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(n)),
	})
}
