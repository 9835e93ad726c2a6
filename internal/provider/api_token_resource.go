package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	// A rotation with rotation_overlap is an update that gives the
	// resource a new token, and so a new identity.
	resp.ResourceBehavior.MutableIdentity = true
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
	plan.PreviousToken = noPreviousToken()
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
	prev, hasPrev := state.previous()
	if !found {
		resp.Diagnostics.Append(goneWarning("API token", fmt.Sprintf("token %d for user %d", tokenID, adminID),
			"it, or its user, was deleted outside Terraform"))
		if hasPrev {
			resp.Diagnostics.AddWarning("Previous API token no longer managed",
				fmt.Sprintf("The resource's previous key, token %s (access id %s) of user %d, kept after a rotation with "+
					"rotation_overlap, is no longer recorded in the state now that the current token is gone. "+
					"If it still exists, revoke it with the lm_revoke_api_token action or import it.", prev.ID, prev.AccessID, adminID))
		}
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(state.setFromAPI(ctx, tok)...)
	if hasPrev {
		// The same user and type as the current token: the same snapshot.
		prevID, err := prev.tokenID()
		if err != nil {
			resp.Diagnostics.AddError("Corrupt lm_api_token state", fmt.Sprintf("previous_token.id %q is not a number: %s", prev.ID, err))
			return
		}
		_, found, err := r.data.tokens.lookup(ctx, adminID, state.Type.ValueString(), prevID)
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("read the previous API token", err))
			return
		}
		if !found {
			resp.Diagnostics.AddWarning("Previous API token no longer exists",
				fmt.Sprintf("LogicMonitor has no token %d for user %d any more (the previous key of token %d, kept "+
					"after a rotation with rotation_overlap; it was deleted outside Terraform). It is removed from "+
					"previous_token.", prevID, adminID, tokenID))
			state.PreviousToken = noPreviousToken()
		}
	}
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
	ident := tokenIdentityModel{AdminID: types.Int64Value(int64(adminID)), ID: types.Int64Value(int64(tokenID))}
	// On an error the state written is what LogicMonitor now holds, never
	// the plan: a key revoked is no longer recorded, and one not yet
	// revoked still is.
	fail := func(now apiTokenModel) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &now)...)
		resp.Diagnostics.Append(resp.Identity.Set(ctx, ident)...)
	}

	// The previous key first: retired when its overlap has ended, or to
	// make room for the next one, so that a resource never holds more
	// than two keys and a failed create leaves no unrecorded one.
	if prev, ok := state.previous(); ok {
		if kept, keep := plan.previous(); !keep || kept.ID != prev.ID {
			if d := r.selfPrevious(prev, plan.OnDestroy.ValueString()); d != nil {
				resp.Diagnostics.Append(d)
				fail(state)
				return
			}
			if err := r.retire(ctx, adminID, state.Type.ValueString(), prev, plan.OnDestroy.ValueString()); err != nil {
				resp.Diagnostics.Append(apiErrorDiag(plan.OnDestroy.ValueString()+" the previous API token "+prev.ID, err))
				fail(state)
				return
			}
			state.PreviousToken = noPreviousToken()
		}
	}
	if plan.ID.IsUnknown() {
		if !r.rotate(ctx, adminID, plan, state, resp) {
			fail(state)
		}
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
			fail(state)
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
			fail(state)
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
	resp.Diagnostics.Append(resp.Identity.Set(ctx, ident)...)
}

// rotate carries out an in-place rotation (rotation_overlap): it creates
// the new token (leak-free: an error leaves no token behind) and records
// the current one as previous_token until the new one's created_on plus
// the overlap. The caller has already retired any older key.
func (r *apiTokenResource) rotate(ctx context.Context, adminID int32, plan, state apiTokenModel, resp *resource.UpdateResponse) (created bool) {
	tok, err := r.data.client.CreateAPIToken(ctx, adminID, lm.CreateAPITokenRequest{
		Note:    plan.Note.ValueString(),
		Enabled: plan.Enabled.ValueBool(),
		Type:    state.Type.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag(fmt.Sprintf("create the API token that replaces token %s (the current key is kept)",
			state.ID.ValueString()), err))
		return false
	}
	r.data.tokens.put(*tok)
	// The user's name and roles are the same for the new token; the plan
	// kept them from state, and Read refreshes them.
	name, roles := plan.AdminName, plan.Roles
	resp.Diagnostics.Append(plan.setFromAPI(ctx, *tok)...)
	plan.AdminName, plan.Roles = name, roles
	plan.AccessKey = types.StringValue(tok.AccessKey)
	overlap, _ := plan.overlap()
	start := r.data.clock.Now()
	if t, diags := plan.CreatedOn.ValueRFC3339Time(); !plan.CreatedOn.IsNull() && !diags.HasError() {
		// LogicMonitor's stamp, as rotation_due_on is reckoned from it.
		start = t
	}
	plan.PreviousToken = previousToken{
		ID:        state.ID.ValueString(),
		AccessID:  state.AccessID.ValueString(),
		RetiresOn: timetypes.NewRFC3339TimeValue(start.Add(overlap).UTC()),
	}.object()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentityFromAPI(*tok))...)
	return true
}

// selfPrevious refuses to retire a previous key that is the provider's
// own credential (nil when it is not, or when allowed).
func (r *apiTokenResource) selfPrevious(p previousToken, policy string) diag.Diagnostic {
	if policy == onDestroyAbandon || r.data.allowSelfRevoke || !r.isSelfPrevious(p) {
		return nil
	}
	return selfRevokeDiag(policy, p.model())
}

// retire revokes a previous key as on_destroy says; one already gone is
// retired. The caller has checked it is not the provider's own key
// (selfPrevious).
func (r *apiTokenResource) retire(ctx context.Context, adminID int32, typ string, p previousToken, policy string) error {
	if policy == onDestroyAbandon {
		return nil
	}
	id, err := p.tokenID()
	if err != nil {
		return fmt.Errorf("previous_token.id %q is not a number: %w", p.ID, err)
	}
	return r.revoke(ctx, adminID, typ, id, policy)
}

// revoke deletes or disables a token (policy "delete" or "disable"); one
// already gone counts as revoked.
func (r *apiTokenResource) revoke(ctx context.Context, adminID int32, typ string, tokenID int32, policy string) error {
	var err error
	switch policy {
	case onDestroyDisable:
		s := lm.StatusDisabled
		_, err = r.data.client.UpdateAPIToken(ctx, adminID, tokenID, lm.APITokenPatch{Status: &s})
	default:
		err = r.data.client.DeleteAPIToken(ctx, adminID, tokenID)
	}
	if err != nil && !lm.IsNotFound(err) {
		return err
	}
	r.data.tokens.remove(adminID, typ, tokenID)
	return nil
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
	// Both keys of a rotation with rotation_overlap, the previous first:
	// if the current one then fails, the state still records it.
	if prev, ok := state.previous(); ok {
		if d := r.selfPrevious(prev, policy); d != nil {
			resp.Diagnostics.Append(d)
			return
		}
		if err := r.retire(ctx, adminID, state.Type.ValueString(), prev, policy); err != nil {
			resp.Diagnostics.Append(apiErrorDiag(policy+" the previous API token "+prev.ID, err))
			return
		}
		state.PreviousToken = noPreviousToken()
	}
	if err := r.revoke(ctx, adminID, state.Type.ValueString(), tokenID, policy); err != nil {
		resp.Diagnostics.Append(apiErrorDiag(policy+" the API token", err))
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
}
