package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ModifyPlan runs once per token in every plan: it reads the plan and the
// state through tokenRawModels rather than Plan.Get and State.Get (see
// api_token_raw.go).
func (r *apiTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() && req.State.Raw.IsNull() {
		return
	}
	raw, err := tokenRawModels()
	if err != nil {
		resp.Diagnostics.Append(rawDiag(err))
		return
	}
	var state apiTokenModel
	if !req.State.Raw.IsNull() {
		if state, err = raw.state.get(ctx, req.State.Raw); err != nil {
			resp.Diagnostics.Append(rawDiag(err))
			return
		}
	}
	self := !req.State.Raw.IsNull() && r.isSelf(state) && r.data != nil && !r.data.allowSelfRevoke
	if req.Plan.Raw.IsNull() {
		if policy := state.OnDestroy.ValueString(); policy != onDestroyAbandon && r.data != nil && !r.data.allowSelfRevoke {
			if self {
				resp.Diagnostics.Append(selfRevokeDiag(policy, state))
			}
			if prev, ok := state.previous(); ok && r.isSelfPrevious(prev) {
				resp.Diagnostics.Append(selfRevokeDiag(policy, prev.model()))
			}
		}
		return
	}
	plan, err := raw.state.get(ctx, req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.Append(rawDiag(err))
		return
	}
	changed := false
	// previous_token is computed but no server value: it is what state
	// says unless this plan rotates or retires, never "known after apply"
	// (UseStateForUnknown would leave a null one unknown on every update).
	if plan.PreviousToken.IsUnknown() {
		plan.PreviousToken = noPreviousToken()
		if !req.State.Raw.IsNull() {
			plan.PreviousToken = state.PreviousToken
		}
		changed = true
	}
	if !req.State.Raw.IsNull() && r.data != nil && r.planUpdate(ctx, state, &plan, self, resp) {
		changed = true
	}
	// rotation_due_on follows created_on and rotate_after as planned: known
	// when both are (an update, rotate_after changed or not), unknown for a
	// new token, null without rotate_after.
	if due := rotationDueOn(plan.CreatedOn, plan.RotateAfter); !due.Equal(plan.RotationDueOn) {
		plan.RotationDueOn = due
		changed = true
	}
	if changed {
		if resp.Plan.Raw, err = raw.state.set(ctx, &plan); err != nil {
			resp.Diagnostics.Append(rawDiag(err))
		}
	}
}

// planUpdate checks a plan for an existing token: rotation by age or by
// rotation_triggers (a replacement, or in place with rotation_overlap),
// the retirement of the previous key when its overlap has ended, and the
// refusal to revoke or disable the provider's own credentials. It
// reports whether it changed the plan.
func (r *apiTokenResource) planUpdate(ctx context.Context, state apiTokenModel, plan *apiTokenModel, self bool, resp *resource.ModifyPlanResponse) (changed bool) {
	replace := !plan.AdminID.Equal(state.AdminID) || !plan.Type.Equal(state.Type)
	triggered := !plan.RotationTriggers.Equal(state.RotationTriggers)
	overlap, inPlace := plan.overlap()
	inPlace = inPlace && !replace
	if triggered && !inPlace {
		replace = true // rotation_triggers' own plan modifier asked for it
	}
	due, age, limit := r.rotationDue(ctx, state, *plan)
	policy := plan.OnDestroy.ValueString()
	prev, hasPrev := state.previous()
	if hasPrev && (inPlace && (due || triggered) || r.retired(prev)) {
		// The previous key goes in this apply: retired, or making room for
		// the next one (a resource keeps at most two keys).
		plan.PreviousToken = noPreviousToken()
		changed = true
		why := fmt.Sprintf("its overlap ended at %s", prev.RetiresOn.ValueString())
		if !r.retired(prev) {
			why = fmt.Sprintf("it makes room for the new key (a resource keeps at most two; its overlap would have ended at %s)", prev.RetiresOn.ValueString())
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("previous_token"), "Previous API token key retired",
			fmt.Sprintf("The previous key (token %s, access id %s) is retired: %s. This apply %s.",
				prev.ID, prev.AccessID, why, retireWords(policy)))
		if d := r.selfPrevious(prev, policy); d != nil {
			resp.Diagnostics.Append(d)
		}
	}
	switch {
	case inPlace && (due || triggered):
		r.planRotation(state, plan)
		changed = true
		reason := "rotation_triggers changed"
		if due {
			reason = fmt.Sprintf("it was created %s ago, longer than rotate_after (%s)", age.Round(time.Second), limit)
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("rotation_overlap"), "API token rotates with overlap",
			fmt.Sprintf("Token %s (access id %s) is due for rotation: %s. This apply creates a new token in its place; "+
				"the current key stays enabled as previous_token until rotation_overlap (%s) after the new token's "+
				"creation, and the first apply after that %s.",
				state.ID.ValueString(), state.AccessID.ValueString(), reason, overlap, retireWords(policy)))
	case due:
		replace = true
		// Terraform replaces only for paths whose value changes, so the
		// age-based trigger marks created_on, which the new token changes.
		plan.CreatedOn = timetypes.NewRFC3339Unknown()
		changed = true
		resp.RequiresReplace.Append(path.Root("created_on"))
		resp.Diagnostics.AddAttributeWarning(path.Root("rotate_after"), "API token due for rotation",
			fmt.Sprintf("Token %s was created %s ago, longer than rotate_after (%s): the plan replaces it with a new token.",
				state.ID.ValueString(), age.Round(time.Second), limit))
	}
	if self && replace && state.OnDestroy.ValueString() != onDestroyAbandon {
		resp.Diagnostics.Append(selfRevokeDiag("replace (and so "+state.OnDestroy.ValueString()+")", state))
	}
	if self && state.Enabled.ValueBool() && !plan.Enabled.IsUnknown() && !plan.Enabled.ValueBool() {
		resp.Diagnostics.Append(selfRevokeDiag("disable", state))
	}
	return changed
}

// planRotation plans an in-place rotation: a new token, whose values
// LogicMonitor assigns, and the current one recorded as previous_token.
func (r *apiTokenResource) planRotation(state apiTokenModel, plan *apiTokenModel) {
	plan.ID = types.StringUnknown()
	plan.AccessID = types.StringUnknown()
	plan.AccessKey = types.StringUnknown()
	plan.CreatedBy = types.StringUnknown()
	plan.CreatedOn = timetypes.NewRFC3339Unknown()
	plan.LastUsedOn = timetypes.NewRFC3339Unknown()
	plan.PreviousToken = previousToken{
		ID: state.ID.ValueString(), AccessID: state.AccessID.ValueString(), RetiresOn: timetypes.NewRFC3339Unknown(),
	}.object()
}

// retired tells whether a previous key's overlap has ended, by the
// provider's (injectable) clock.
func (r *apiTokenResource) retired(p previousToken) bool {
	if p.RetiresOn.IsNull() || p.RetiresOn.IsUnknown() {
		return true // no end recorded: nothing to wait for
	}
	t, diags := p.RetiresOn.ValueRFC3339Time()
	return diags.HasError() || !r.data.clock.Now().Before(t)
}

// retireWords says what retiring a key does under an on_destroy policy.
func retireWords(policy string) string {
	switch policy {
	case onDestroyDisable:
		return `disables it (on_destroy = "disable": it stays in the portal for audit)`
	case onDestroyAbandon:
		return `only forgets it (on_destroy = "abandon": it stays enabled in the portal)`
	}
	return `deletes it (on_destroy = "delete")`
}

// rotationDue tells whether rotate_after has elapsed since the token was
// created, by the provider's (injectable) clock.
func (r *apiTokenResource) rotationDue(_ context.Context, state, plan apiTokenModel) (bool, time.Duration, time.Duration) {
	if plan.RotateAfter.IsNull() || plan.RotateAfter.IsUnknown() || state.CreatedOn.IsNull() || state.CreatedOn.IsUnknown() {
		return false, 0, 0
	}
	limit, diags := plan.RotateAfter.ValueGoDuration()
	if diags.HasError() || limit <= 0 {
		return false, 0, 0
	}
	created, diags := state.CreatedOn.ValueRFC3339Time()
	if diags.HasError() {
		return false, 0, 0
	}
	age := r.data.clock.Now().Sub(created)
	return age >= limit, age, limit
}

// isSelf reports whether the token in state is the credential the provider
// itself authenticates with.
func (r *apiTokenResource) isSelf(m apiTokenModel) bool {
	if r.data == nil {
		return false
	}
	if id := m.AccessID.ValueString(); id != "" && id == r.data.selfAccessID {
		return true
	}
	key := m.AccessKey.ValueString()
	return key != "" && key == r.data.selfSecret
}

// isSelfPrevious reports whether a previous key is the provider's own
// credential (only its access id is recorded).
func (r *apiTokenResource) isSelfPrevious(p previousToken) bool {
	return r.data != nil && p.AccessID != "" && p.AccessID == r.data.selfAccessID
}

// model is the previous key as a model, for messages about it.
func (p previousToken) model() apiTokenModel {
	var m apiTokenModel
	m.ID, m.AccessID = types.StringValue(p.ID), types.StringValue(p.AccessID)
	return m
}

func selfRevokeDiag(action string, m apiTokenModel) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Refusing to revoke the provider's own credentials",
		fmt.Sprintf("This plan would %s API token %s (access id %s), which is the token the lm provider itself "+
			"authenticates with: the run would lose its credentials halfway. Configure the provider with another "+
			"token, or set allow_self_revoke = true in the provider \"lm\" block if this is intended.",
			action, m.ID.ValueString(), m.AccessID.ValueString()))
}
