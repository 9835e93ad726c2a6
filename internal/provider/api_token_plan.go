package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
		if self && state.OnDestroy.ValueString() != onDestroyAbandon {
			resp.Diagnostics.Append(selfRevokeDiag(state.OnDestroy.ValueString(), state))
		}
		return
	}
	plan, err := raw.state.get(ctx, req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.Append(rawDiag(err))
		return
	}
	changed := !req.State.Raw.IsNull() && r.data != nil && r.planUpdate(ctx, state, &plan, self, resp)
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

// planUpdate checks a plan for an existing token: rotation by age, and
// the refusal to revoke or disable the provider's own credentials. When
// the token is due for rotation it marks plan.CreatedOn unknown and
// reports that it changed the plan.
func (r *apiTokenResource) planUpdate(ctx context.Context, state apiTokenModel, plan *apiTokenModel, self bool, resp *resource.ModifyPlanResponse) (changed bool) {
	replace := !plan.AdminID.Equal(state.AdminID) || !plan.Type.Equal(state.Type) ||
		!plan.RotationTriggers.Equal(state.RotationTriggers)
	if due, age, limit := r.rotationDue(ctx, state, *plan); due {
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

func selfRevokeDiag(action string, m apiTokenModel) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Refusing to revoke the provider's own credentials",
		fmt.Sprintf("This plan would %s API token %s (access id %s), which is the token the lm provider itself "+
			"authenticates with: the run would lose its credentials halfway. Configure the provider with another "+
			"token, or set allow_self_revoke = true in the provider \"lm\" block if this is intended.",
			action, m.ID.ValueString(), m.AccessID.ValueString()))
}
