package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ resource.ResourceWithConfigure   = (*roleResource)(nil)
	_ resource.ResourceWithImportState = (*roleResource)(nil)
	_ resource.ResourceWithIdentity    = (*roleResource)(nil)
)

func newRoleResource() resource.Resource { return &roleResource{} }

type roleResource struct{ data *providerData }

func (r *roleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (r *roleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *roleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan roleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	body, diags := plan.toAPI(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	role, err := r.data.client.CreateRole(ctx, body)
	if err != nil {
		resp.Diagnostics.Append(r.writeErrorDiag(ctx, "create the role", body.Name, 0, err))
		return
	}
	r.data.roleWritten(role, 0)
	m, diags := roleModelFromAPI(*role)
	m.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIDIdentity(ctx, resp.Identity, role.ID, &resp.Diagnostics)
}

func (r *roleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var state roleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseStateID("lm_role", state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	ctx, slow := watchSlow(ctx)
	role, err := r.data.readRole(ctx, id)
	if provesGone(err) {
		removeGone(ctx, resp, id, "Role", fmt.Sprintf("role %d (%q)", id, state.Name.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("read the role", err))
		return
	}
	m, diags := roleModelFromAPI(*role)
	m.Timeouts = state.Timeouts
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIDIdentity(ctx, resp.Identity, role.ID, &resp.Diagnostics)
	slow.warn(&resp.Diagnostics, fmt.Sprintf("role %d (%q)", id, role.Name))
}

func (r *roleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan, state roleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseStateID("lm_role", state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	body, diags := plan.toAPI(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	role, err := r.data.client.UpdateRole(ctx, id, body)
	if err != nil {
		resp.Diagnostics.Append(r.writeErrorDiag(ctx, "update the role", body.Name, id, err))
		return
	}
	r.data.roleWritten(role, 0)
	m, diags := roleModelFromAPI(*role)
	m.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(diags...)
	// The user count moves with users, not with this update: keep the
	// planned value (Read refreshes it), so the apply matches the plan.
	m.AssociatedUserCount = plan.AssociatedUserCount
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIDIdentity(ctx, resp.Identity, role.ID, &resp.Diagnostics)
}

func (r *roleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var state roleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseStateID("lm_role", state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	err := r.data.client.DeleteRole(ctx, id)
	if err == nil || lm.IsNotFound(err) {
		r.data.roleWritten(nil, id)
		return
	}
	d := apiErrorDiag("delete the role", err)
	// LogicMonitor refuses to delete a role that users hold: say which.
	if role, gerr := r.data.client.GetRole(ctx, id); gerr == nil && role.AssociatedUserCount > 0 {
		d = diag.NewErrorDiagnostic("Cannot delete the role", fmt.Sprintf("%s\n\nRole %d (%q) is still held by %d user(s). "+
			"Remove it from their roles (lm_user.roles) or delete those users first, then destroy the role again.",
			err, id, role.Name, role.AssociatedUserCount))
	}
	resp.Diagnostics.Append(d)
}

// writeErrorDiag explains a failed create or update. Only two answers
// send the provider looking for a role by name: a 400, because a name
// another role already has is the usual reason, which is then named; and,
// after a create, an unknown outcome (an answer lost, a 5xx), because the
// role may have been made all the same. A definite refusal (401, 403), or
// a request that never reached LogicMonitor, asks nothing more.
func (r *roleResource) writeErrorDiag(ctx context.Context, action, name string, self int32, err error) diag.Diagnostic {
	unknown := self == 0 && lm.IsOutcomeUnknown(err)
	var e *lm.Error
	if !unknown && (!errors.As(err, &e) || e.StatusCode != http.StatusBadRequest) {
		return apiErrorDiag(action, err)
	}
	// The create's own context may be spent (a timeout, an interrupt): the
	// look-up gets a short one of its own.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
	defer cancel()
	roles, ferr := r.data.client.FindRolesByName(lctx, name)
	if ferr != nil {
		return apiErrorDiag(action, err)
	}
	for _, other := range roles {
		if other.ID == self {
			continue
		}
		if unknown {
			return diag.NewErrorDiagnostic("Cannot create the role: outcome unknown",
				fmt.Sprintf("%s\n\nLogicMonitor did not say whether the role was created, and it now has a role named %q (id %d): "+
					"most likely the one this create made. Adopt it with `terraform import lm_role.<name> %d` (or an import block), "+
					"or delete it in the portal, then apply again.", err, name, other.ID, other.ID))
		}
		return diag.NewAttributeErrorDiagnostic(path.Root("name"), "Role name already taken",
			fmt.Sprintf("LogicMonitor already has a role named %q (id %d), and role names are unique. Choose another name, "+
				"or adopt that role with `terraform import lm_role.<name> %d` (or an import block).\n\n%s",
				name, other.ID, other.ID, err))
	}
	return apiErrorDiag(action, err)
}

func (r *roleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	id, ok := importID(ctx, req, "role", &resp.Diagnostics)
	if !ok {
		return
	}
	role := lookupForImport(ctx, id, "role", "Use the role's numeric id (such as \"7\") or its exact name (such as \"ci-tokens\"), "+
		"or, on Terraform 1.12+ and OpenTofu 1.12+, identity = { id = 7 } instead of id in the import block.",
		r.data.client.GetRole, r.data.client.FindRolesByName, &resp.Diagnostics)
	if role == nil {
		return
	}
	m, diags := roleModelFromAPI(*role)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIDIdentity(ctx, resp.Identity, role.ID, &resp.Diagnostics)
}
