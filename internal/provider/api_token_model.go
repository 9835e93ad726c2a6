package provider

import (
	"context"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// apiTokenModel is the lm_api_token resource's schema as a Go struct:
// what LogicMonitor reports about the token (tokenMetadataModel, as the
// data sources show it), and what only the configuration and the create
// answer hold.
type apiTokenModel struct {
	tokenMetadataModel
	OnDestroy        types.String         `tfsdk:"on_destroy"`
	RotationTriggers types.Map            `tfsdk:"rotation_triggers"`
	RotateAfter      timetypes.GoDuration `tfsdk:"rotate_after"`
	RotationDueOn    timetypes.RFC3339    `tfsdk:"rotation_due_on"`
	RotationOverlap  timetypes.GoDuration `tfsdk:"rotation_overlap"`
	PreviousToken    types.Object         `tfsdk:"previous_token"`
	AccessKey        types.String         `tfsdk:"access_key"`
	Timeouts         timeouts.Value       `tfsdk:"timeouts"`
}

// setFromAPI copies what LogicMonitor reports about a token into the model.
// It never touches access_key: the secret exists only in the create answer
// and a later read must not blank it.
func (m *apiTokenModel) setFromAPI(ctx context.Context, t lm.APIToken) diag.Diagnostics {
	md, diags := tokenMetadataFromAPI(ctx, t)
	m.tokenMetadataModel = md
	m.RotationDueOn = rotationDueOn(m.CreatedOn, m.RotateAfter)
	return diags
}

// rotationDueOn is created_on plus rotate_after: null without rotate_after
// (or without created_on), unknown while either is unknown. Read, Update
// and ModifyPlan all compute it here, so the planned value is the one the
// next refresh writes and no perpetual diff can appear.
func rotationDueOn(created timetypes.RFC3339, after timetypes.GoDuration) timetypes.RFC3339 {
	switch {
	case after.IsNull():
		return timetypes.NewRFC3339Null()
	case after.IsUnknown() || created.IsUnknown():
		return timetypes.NewRFC3339Unknown()
	case created.IsNull():
		return timetypes.NewRFC3339Null()
	}
	d, diags := after.ValueGoDuration()
	if diags.HasError() {
		return timetypes.NewRFC3339Null() // the attribute's own validation reports it
	}
	t, diags := created.ValueRFC3339Time()
	if diags.HasError() {
		return timetypes.NewRFC3339Null()
	}
	return timetypes.NewRFC3339TimeValue(t.Add(d).UTC())
}

// previousToken is lm_api_token's previous_token: the old token a
// rotation with rotation_overlap keeps working until RetiresOn.
type previousToken struct {
	ID        string
	AccessID  string
	RetiresOn timetypes.RFC3339 // unknown while the rotation is planned
}

func previousTokenAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"id":         types.StringType,
		"access_id":  types.StringType,
		"retires_on": timetypes.RFC3339Type{},
	}
}

func noPreviousToken() types.Object { return types.ObjectNull(previousTokenAttrTypes()) }

func (p previousToken) object() types.Object {
	return types.ObjectValueMust(previousTokenAttrTypes(), map[string]attr.Value{
		"id":         types.StringValue(p.ID),
		"access_id":  types.StringValue(p.AccessID),
		"retires_on": p.RetiresOn,
	})
}

// previous reads previous_token without the framework's reflection (it
// runs in Read and ModifyPlan); ok is false when it is null or unknown.
func (m *apiTokenModel) previous() (p previousToken, ok bool) {
	if m.PreviousToken.IsNull() || m.PreviousToken.IsUnknown() {
		return p, false
	}
	attrs := m.PreviousToken.Attributes()
	id, _ := attrs["id"].(types.String)
	accessID, _ := attrs["access_id"].(types.String)
	retires, _ := attrs["retires_on"].(timetypes.RFC3339)
	return previousToken{ID: id.ValueString(), AccessID: accessID.ValueString(), RetiresOn: retires}, true
}

// tokenID is the previous token's numeric id.
func (p previousToken) tokenID() (int32, error) {
	id, err := strconv.ParseInt(p.ID, 10, 32)
	return toInt32(id), err
}

// overlap is rotation_overlap when it is set and valid.
func (m *apiTokenModel) overlap() (time.Duration, bool) {
	if m.RotationOverlap.IsNull() || m.RotationOverlap.IsUnknown() {
		return 0, false
	}
	d, diags := m.RotationOverlap.ValueGoDuration()
	return d, !diags.HasError() && d > 0
}

// ids returns the numeric user and token ids the API paths need.
func (m *apiTokenModel) ids() (adminID, tokenID int32, err error) {
	id, err := strconv.ParseInt(m.ID.ValueString(), 10, 32)
	if err != nil {
		return 0, 0, err
	}
	return toInt32(m.AdminID.ValueInt64()), toInt32(id), nil
}

// importedTokenModel is the state of a token Terraform did not create, as
// import and the list resource give it: what LogicMonitor reports, the
// configuration-only attributes at their defaults, and no access key,
// which LogicMonitor never returns again.
func importedTokenModel(ctx context.Context, t lm.APIToken) (apiTokenModel, diag.Diagnostics) {
	var m apiTokenModel
	diags := m.setFromAPI(ctx, t)
	m.OnDestroy = types.StringValue(onDestroyDelete)
	m.AccessKey = types.StringNull()
	m.RotationTriggers = types.MapNull(types.StringType)
	m.RotateAfter = timetypes.NewGoDurationNull()
	m.RotationDueOn = timetypes.NewRFC3339Null()
	m.RotationOverlap = timetypes.NewGoDurationNull()
	m.PreviousToken = noPreviousToken()
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}
	return m, diags
}

// tokenMetadataModel is what LogicMonitor reports about a token, as the
// resource, the data sources and the list results show it: all of it
// but the secret, which LogicMonitor returns only at creation.
type tokenMetadataModel struct {
	ID         types.String      `tfsdk:"id"`
	AdminID    types.Int64       `tfsdk:"admin_id"`
	AccessID   types.String      `tfsdk:"access_id"`
	Note       types.String      `tfsdk:"note"`
	Enabled    types.Bool        `tfsdk:"enabled"`
	Type       types.String      `tfsdk:"type"`
	AdminName  types.String      `tfsdk:"admin_name"`
	CreatedBy  types.String      `tfsdk:"created_by"`
	CreatedOn  timetypes.RFC3339 `tfsdk:"created_on"`
	LastUsedOn timetypes.RFC3339 `tfsdk:"last_used_on"`
	Roles      types.Set         `tfsdk:"roles"`
}

func tokenMetadataFromAPI(ctx context.Context, t lm.APIToken) (tokenMetadataModel, diag.Diagnostics) {
	roles := t.Roles
	if roles == nil {
		roles = []string{}
	}
	set, diags := types.SetValueFrom(ctx, types.StringType, roles)
	return tokenMetadataModel{
		ID:         types.StringValue(strconv.FormatInt(int64(t.ID), 10)),
		AdminID:    types.Int64Value(int64(t.AdminID)),
		AccessID:   types.StringValue(t.AccessID),
		Note:       types.StringValue(t.Note),
		Enabled:    types.BoolValue(t.Enabled()),
		Type:       types.StringValue(normType(t.Type)),
		AdminName:  types.StringValue(t.AdminName),
		CreatedBy:  types.StringValue(t.CreatedBy),
		CreatedOn:  epochToRFC3339(t.CreatedOn),
		LastUsedOn: epochToRFC3339(t.LastUsedOn),
		Roles:      set,
	}, diags
}

// epochToRFC3339 converts LogicMonitor's epoch seconds; 0 means "never".
func epochToRFC3339(sec int64) timetypes.RFC3339 {
	if sec <= 0 {
		return timetypes.NewRFC3339Null()
	}
	return timetypes.NewRFC3339TimeValue(time.Unix(sec, 0).UTC())
}

// tokenIdentityModel is lm_api_token's identity: the two ids of the token's
// API path.
type tokenIdentityModel struct {
	AdminID types.Int64 `tfsdk:"admin_id"`
	ID      types.Int64 `tfsdk:"id"`
}

func tokenIdentityFromAPI(t lm.APIToken) tokenIdentityModel {
	return tokenIdentityModel{AdminID: types.Int64Value(int64(t.AdminID)), ID: types.Int64Value(int64(t.ID))}
}
