package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ resource.ResourceWithConfigure        = (*userResource)(nil)
	_ resource.ResourceWithImportState      = (*userResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*userResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*userResource)(nil)
	_ resource.ResourceWithConfigValidators = (*userResource)(nil)
	_ resource.ResourceWithIdentity         = (*userResource)(nil)
)

func newUserResource() resource.Resource { return &userResource{} }

type userResource struct{ data *providerData }

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// configPassword reads the write-only password from the configuration.
func configPassword(ctx context.Context, get func(context.Context, path.Path, any) diag.Diagnostics, diags *diag.Diagnostics) string {
	var pw types.String
	diags.Append(get(ctx, path.Root("password_wo"), &pw)...)
	return pw.ValueString()
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	body, diags := plan.toAPI(ctx)
	resp.Diagnostics.Append(diags...)
	body.Password = configPassword(ctx, req.Config.GetAttribute, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	a, err := r.data.client.CreateAdmin(ctx, body)
	if err != nil {
		resp.Diagnostics.Append(r.createErrorDiag(ctx, body.Username, err))
		return
	}
	r.data.userWritten(a, 0)
	plan.setFromAPI(*a)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIDIdentity(ctx, resp.Identity, a.ID, &resp.Diagnostics)
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseStateID("lm_user", state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	ctx, slow := watchSlow(ctx)
	a, err := r.data.readUser(ctx, id)
	if provesGone(err) {
		removeGone(ctx, resp, id, "User", fmt.Sprintf("user %d (%q)", id, state.Username.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("read the user", err))
		return
	}
	state.setFromAPI(*a)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIDIdentity(ctx, resp.Identity, a.ID, &resp.Diagnostics)
	slow.warn(&resp.Diagnostics, fmt.Sprintf("user %d (%q)", id, a.Username))
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan, state userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseStateID("lm_user", state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	body, diags := plan.toAPI(ctx)
	resp.Diagnostics.Append(diags...)
	if !plan.PasswordWOVersion.Equal(state.PasswordWOVersion) {
		body.Password = configPassword(ctx, req.Config.GetAttribute, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	a, err := r.data.client.UpdateAdmin(ctx, id, body)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("update the user", err))
		return
	}
	r.data.userWritten(a, 0)
	plan.setFromAPI(*a)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIDIdentity(ctx, resp.Identity, a.ID, &resp.Diagnostics)
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseStateID("lm_user", state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	if !r.data.allowSelfRevoke && r.data.selfAccessID != "" {
		toks, err := r.data.client.ListAllAPITokens(ctx, lm.ListOptions{Filter: "accessId:" + lm.QuoteFilter(r.data.selfAccessID)})
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("check that the user is not the provider's own", err))
			return
		}
		for _, t := range toks {
			if t.AdminID == id && t.AccessID == r.data.selfAccessID {
				resp.Diagnostics.AddError("Refusing to delete the provider's own user",
					fmt.Sprintf("User %d (%q) owns API token %s, which the lm provider itself authenticates with: deleting the "+
						"user deletes its tokens, and the run would lose its credentials halfway. Configure the provider with "+
						"another user's token, or set allow_self_revoke = true in the provider \"lm\" block if this is intended.",
						id, state.Username.ValueString(), t.AccessID))
				return
			}
		}
	}
	if err := r.data.client.DeleteAdmin(ctx, id); err != nil && !lm.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiag("delete the user", err))
		return
	}
	// LogicMonitor deleted the user's tokens too.
	r.data.tokens.forget(id)
	r.data.userWritten(nil, id)
}

// createErrorDiag explains a failed create. After an unknown outcome (an
// answer lost, a 5xx) the user may exist all the same, so it is looked
// for by username; a definite refusal (400, 401, 403) or a request that
// never reached LogicMonitor asks nothing more.
func (r *userResource) createErrorDiag(ctx context.Context, username string, err error) diag.Diagnostic {
	if !lm.IsOutcomeUnknown(err) {
		return apiErrorDiag("create the user", err)
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
	defer cancel()
	admins, ferr := r.data.client.FindAdminsByUsername(lctx, username)
	if ferr != nil || len(admins) == 0 {
		return apiErrorDiag("create the user", err)
	}
	return diag.NewErrorDiagnostic("Cannot create the user: outcome unknown",
		fmt.Sprintf("%s\n\nLogicMonitor did not say whether the user was created, and it now has a user named %q (id %d): "+
			"most likely the one this create made. Adopt it with `terraform import lm_user.<name> %d` (or an import block), "+
			"or delete it in the portal, then apply again.", err, admins[0].Username, admins[0].ID, admins[0].ID))
}

func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	id, ok := importID(ctx, req, "user", &resp.Diagnostics)
	if !ok {
		return
	}
	admin := lookupForImport(ctx, id, "user", "Use the user's numeric id (such as \"140\") or its username (such as \"svc-pipeline\"), "+
		"or, on Terraform 1.12+ and OpenTofu 1.12+, identity = { id = 140 } instead of id in the import block.",
		r.data.client.GetAdmin, r.data.client.FindAdminsByUsername, &resp.Diagnostics)
	if admin == nil {
		return
	}
	m := importedUserModel(*admin)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIDIdentity(ctx, resp.Identity, admin.ID, &resp.Diagnostics)
}
