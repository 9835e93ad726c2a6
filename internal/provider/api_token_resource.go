package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ resource.ResourceWithConfigure   = (*apiTokenResource)(nil)
	_ resource.ResourceWithImportState = (*apiTokenResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiTokenResource)(nil)
	_ resource.ResourceWithIdentity    = (*apiTokenResource)(nil)
)

func newAPITokenResource() resource.Resource { return &apiTokenResource{} }

type apiTokenResource struct {
	data *providerData
}

func (r *apiTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (r *apiTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *apiTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	adminID := toInt32(plan.AdminID.ValueInt64())
	tok, err := r.data.client.CreateAPIToken(ctx, adminID, lm.CreateAPITokenRequest{
		Note:    plan.Note.ValueString(),
		Enabled: plan.Enabled.ValueBool(),
		Type:    plan.Type.ValueString(),
	})
	if lm.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("admin_id"), "Unknown LogicMonitor user",
			fmt.Sprintf("No LogicMonitor user has id %d, so no token was created. Look the user up with the lm_user "+
				"data source (by username) and use its id.\n\n%s", adminID, err))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("create the API token", err))
		return
	}
	r.data.tokens.put(*tok)

	resp.Diagnostics.Append(plan.setFromAPI(ctx, *tok)...)
	plan.AccessKey = types.StringValue(tok.AccessKey)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentityFromAPI(*tok))...)
}

func (r *apiTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	ctx, slow := watchSlow(ctx)
	next, found, diags := r.refresh(ctx, req.State.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if slow.due() {
		attrs, _ := newRawObject(next)
		var d diag.Diagnostics
		slow.warn(&resp.Diagnostics, fmt.Sprintf("API token %s of user %d", attrs.str("id", &d).ValueString(), attrs.int64("admin_id", &d).ValueInt64()))
	}
	// Always written, so that state from a provider version without
	// identity gets one on its first refresh. The framework also wants
	// one when the token is gone and the state is removed (it errors on a
	// null identity even then), so it comes from the prior state.
	resp.Identity.Raw = identityFromRaw(next)
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	resp.State.Raw = next
}

// refresh returns the state with what LogicMonitor now reports about the
// token: found=false, with a warning, when the token or its user no longer
// exists (and then next is the state as it was). It works on the state as a tftypes
// value, not through State.Get/Set: see api_token_raw.go.
func (r *apiTokenResource) refresh(ctx context.Context, current tftypes.Value) (next tftypes.Value, found bool, diags diag.Diagnostics) {
	attrs, diags := newRawObject(current)
	if diags.HasError() {
		return current, false, diags
	}
	state := apiTokenModel{
		ID:      attrs.str("id", &diags),
		AdminID: attrs.int64("admin_id", &diags),
		Type:    attrs.str("type", &diags),
	}
	tos := attrs.timeouts(ctx, &diags)
	if diags.HasError() {
		return current, false, diags
	}
	timeout, d := tos.Read(ctx, defaultTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return current, false, diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	adminID, tokenID, err := state.ids()
	if err != nil {
		diags.AddError("Corrupt lm_api_token state", fmt.Sprintf("id %q is not a number: %s", state.ID.ValueString(), err))
		return current, false, diags
	}
	tok, found, err := r.data.tokens.lookup(ctx, adminID, state.Type.ValueString(), tokenID)
	if err != nil {
		diags.Append(apiErrorDiag("read the API token", err))
		return current, false, diags
	}
	if !found {
		diags.Append(goneWarning("API token", fmt.Sprintf("token %d for user %d", tokenID, adminID),
			"it, or its user, was deleted outside Terraform"))
		return current, false, diags
	}
	attrs.setFromAPI(tok)
	return tftypes.NewValue(current.Type(), map[string]tftypes.Value(attrs)), true, diags
}

func (r *apiTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan, state apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	adminID, tokenID, err := state.ids()
	if err != nil {
		resp.Diagnostics.AddError("Corrupt lm_api_token state", err.Error())
		return
	}

	var patch lm.APITokenPatch
	if !plan.Note.Equal(state.Note) {
		n := plan.Note.ValueString()
		patch.Note = &n
	}
	if !plan.Enabled.Equal(state.Enabled) {
		if !plan.Enabled.ValueBool() && r.isSelf(state) && !r.data.allowSelfRevoke {
			resp.Diagnostics.Append(selfRevokeDiag("disable", state))
			return
		}
		s := lm.StatusDisabled
		if plan.Enabled.ValueBool() {
			s = lm.StatusEnabled
		}
		patch.Status = &s
	}
	if patch.Note != nil || patch.Status != nil {
		tok, err := r.data.client.UpdateAPIToken(ctx, adminID, tokenID, patch)
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("update the API token", err))
			return
		}
		tok.Type = normType(state.Type.ValueString())
		r.data.tokens.put(*tok)
		plan.Note = types.StringValue(tok.Note)
		plan.Enabled = types.BoolValue(tok.Enabled())
	}
	// Everything else LogicMonitor reports is refreshed by Read; the
	// planned values (kept from state) are what Terraform expects back.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentityModel{
		AdminID: types.Int64Value(int64(adminID)), ID: types.Int64Value(int64(tokenID)),
	})...)
}

func (r *apiTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	policy := state.OnDestroy.ValueString()
	if policy == "" {
		policy = onDestroyDelete
	}
	if policy == onDestroyAbandon {
		return
	}
	if r.isSelf(state) && !r.data.allowSelfRevoke {
		resp.Diagnostics.Append(selfRevokeDiag(policy, state))
		return
	}
	adminID, tokenID, err := state.ids()
	if err != nil {
		resp.Diagnostics.AddError("Corrupt lm_api_token state", err.Error())
		return
	}
	switch policy {
	case onDestroyDisable:
		s := lm.StatusDisabled
		_, err = r.data.client.UpdateAPIToken(ctx, adminID, tokenID, lm.APITokenPatch{Status: &s})
	default:
		err = r.data.client.DeleteAPIToken(ctx, adminID, tokenID)
	}
	if err != nil && !lm.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiag(policy+" the API token", err))
		return
	}
	r.data.tokens.remove(adminID, state.Type.ValueString(), tokenID)
}
