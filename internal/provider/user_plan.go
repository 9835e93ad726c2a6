package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// ModifyPlan checks, before anything is created, what only LogicMonitor
// knows: that the username is free and that every role exists. A failed
// plan leaves nothing behind, where a failure halfway through an apply
// would leave the configuration's other objects created.
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *userResourceModel
	if !req.State.Raw.IsNull() {
		state = &userResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if state == nil && !plan.APIOnly.IsUnknown() && !plan.APIOnly.ValueBool() {
		var password types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
		if password.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Missing password",
				"A user who signs in to the portal (api_only = false) needs a password when it is created. Set password_wo "+
					"(write-only: never stored in state; Terraform 1.11 or OpenTofu 1.12 or later), or leave api_only at true for a service account.")
		}
	}
	if !plan.Username.IsUnknown() && (state == nil || !strings.EqualFold(state.Username.ValueString(), plan.Username.ValueString())) {
		r.checkUsernameFree(ctx, plan.Username.ValueString(), state, &resp.Diagnostics)
	}
	if !plan.Roles.IsUnknown() && (state == nil || !plan.Roles.Equal(state.Roles)) {
		r.checkRolesExist(ctx, plan.Roles, &resp.Diagnostics)
	}
}

func (r *userResource) checkUsernameFree(ctx context.Context, username string, state *userResourceModel, diags *diag.Diagnostics) {
	admins, err := r.data.client.FindAdminsByUsername(ctx, username)
	if err != nil {
		diags.Append(apiErrorDiag("check that the username is free", err))
		return
	}
	for _, a := range admins {
		if state != nil && strconv.Itoa(int(a.ID)) == state.ID.ValueString() {
			continue
		}
		diags.AddAttributeError(path.Root("username"), "Username already taken",
			fmt.Sprintf("LogicMonitor already has a user named %q (id %d), and usernames are unique regardless of case. "+
				"Choose another username, or adopt that user with `terraform import lm_user.<name> %s` (or an import block).",
				username, a.ID, a.Username))
		return
	}
}

func (r *userResource) checkRolesExist(ctx context.Context, roles types.Set, diags *diag.Diagnostics) {
	for _, e := range roles.Elements() {
		v, ok := e.(types.Int64)
		if !ok || v.IsUnknown() || v.IsNull() {
			continue
		}
		// From the roles' listing when the plan holds many (portal_list.go).
		_, err := r.data.readRole(ctx, toInt32(v.ValueInt64()))
		if lm.IsNotFound(err) {
			diags.AddAttributeError(path.Root("roles"), "Unknown role",
				fmt.Sprintf("LogicMonitor has no role with id %d. Use the id of an lm_role resource (lm_role.<name>.id), "+
					"or look an existing role up by name with the lm_role data source.", v.ValueInt64()))
			continue
		}
		if err != nil {
			diags.Append(apiErrorDiag("check that the roles exist", err))
			return
		}
	}
}
