package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

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

// Read runs once per token in every plan: it reads and writes the state
// through tokenRawModels rather than State.Get and State.Set (see
// api_token_raw.go).
func (r *apiTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	raw, err := tokenRawModels()
	if err != nil {
		resp.Diagnostics.Append(rawDiag(err))
		return
	}
	state, err := raw.state.get(ctx, req.State.Raw)
	if err != nil {
		resp.Diagnostics.Append(rawDiag(err))
		return
	}
	adminID, tokenID, err := state.ids()
	if err != nil {
		resp.Diagnostics.AddError("Corrupt lm_api_token state", fmt.Sprintf("id %q is not a number: %s", state.ID.ValueString(), err))
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	ctx, slow := watchSlow(ctx)
	tok, found, err := r.data.tokens.lookup(ctx, adminID, state.Type.ValueString(), tokenID)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("read the API token", err))
		return
	}
	// Always written, so that state from a provider version without
	// identity gets one on its first refresh. The framework also wants
	// one when the token is gone and the state is removed (it errors on a
	// null identity even then).
	ident := tokenIdentityModel{AdminID: types.Int64Value(int64(adminID)), ID: types.Int64Value(int64(tokenID))}
	if resp.Identity.Raw, err = raw.identity.set(ctx, &ident); err != nil {
		resp.Diagnostics.Append(rawDiag(err))
		return
	}
	if !found {
		resp.Diagnostics.Append(goneWarning("API token", fmt.Sprintf("token %d for user %d", tokenID, adminID),
			"it, or its user, was deleted outside Terraform"))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(state.setFromAPI(ctx, tok)...)
	if resp.State.Raw, err = raw.state.set(ctx, &state); err != nil {
		resp.Diagnostics.Append(rawDiag(err))
		return
	}
	slow.warn(&resp.Diagnostics, fmt.Sprintf("API token %d of user %d", tokenID, adminID))
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
	plan.RotationDueOn = rotationDueOn(plan.CreatedOn, plan.RotateAfter)
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
