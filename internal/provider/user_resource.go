package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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

// userResourceModel is the lm_user resource's schema as a Go struct.
// PasswordWO is write-only: it is only ever non-null in the configuration.
type userResourceModel struct {
	ID                types.String   `tfsdk:"id"`
	Username          types.String   `tfsdk:"username"`
	Email             types.String   `tfsdk:"email"`
	FirstName         types.String   `tfsdk:"first_name"`
	LastName          types.String   `tfsdk:"last_name"`
	Note              types.String   `tfsdk:"note"`
	Roles             types.Set      `tfsdk:"roles"`
	APIOnly           types.Bool     `tfsdk:"api_only"`
	Status            types.String   `tfsdk:"status"`
	PasswordWO        types.String   `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64    `tfsdk:"password_wo_version"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	emptyDefault := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc + " Defaults to `\"\"`.",
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(""),
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A LogicMonitor user (`/setting/admins`; LogicMonitor calls users \"admins\"). The usual one is an " +
			"API-only service user (`api_only = true`, the default) that holds a least-privilege `lm_role` and owns the " +
			"`lm_api_token`s of a pipeline. Every attribute is updated in place (PATCH). Destroying the user deletes it, and " +
			"LogicMonitor deletes its API tokens with it: `lm_api_token` resources of that user then leave the state with a warning. " +
			"Deleting the user whose token the provider itself authenticates with is refused unless the provider sets `allow_self_revoke`. " +
			"Failed requests are retried until the operation's limit in the `timeouts` block (default 20 minutes each).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The user's numeric id, as a string; use it as `lm_api_token.admin_id` (a number).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Username, unique in the portal regardless of case.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Email address LogicMonitor requires for every user, such as the owning team's list.",
				Required:            true,
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[^@\s]+@[^@\s]+$`),
					`must be an email address, such as "platform-team@example.com"`)},
			},
			"first_name": emptyDefault("First name."),
			"last_name":  emptyDefault("Last name."),
			"note":       emptyDefault("Free-text note shown in the portal, such as who owns the account."),
			"roles": schema.SetAttribute{
				MarkdownDescription: "Ids of the roles the user holds (at least one), such as `[lm_role.ci.id]` or an id from " +
					"the `lm_role` data source. The user may do what any of its roles allows.",
				Required:    true,
				ElementType: types.Int64Type,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueInt64sAre(int64validator.Between(1, math.MaxInt32)),
				},
			},
			"api_only": schema.BoolAttribute{
				MarkdownDescription: "Whether the user is API-only: it authenticates with API tokens only and cannot sign " +
					"in to the portal. Defaults to `true`. A user who signs in (`false`) needs `password_wo` when created.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`active` or `suspended`. A suspended user cannot sign in and its API tokens stop " +
					"working until it is active again. Defaults to `active`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(lm.AdminActive),
				Validators: []validator.String{stringvalidator.OneOf(lm.AdminActive, lm.AdminSuspended)},
			},
			"password_wo": schema.StringAttribute{
				MarkdownDescription: "Password of a user who signs in (`api_only = false`), write-only: Terraform sends it " +
					"to LogicMonitor and never stores it in state or shows it in a plan. It is sent when the user is created " +
					"and again whenever `password_wo_version` changes; changing only the password changes nothing. " +
					"Requires Terraform 1.11 or later, or OpenTofu 1.12 or later; older CLIs reject it with a diagnostic naming the version. At least 8 characters.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(8)},
			},
			"password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; change it (for example, increment it) to send `password_wo` again, which " +
					"sets the user's password to its current value. Requires `password_wo`.",
				Optional: true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *userResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.RequiredTogether(path.MatchRoot("password_wo_version"), path.MatchRoot("password_wo")),
	}
}

// ValidateConfig rejects a password for an API-only user, which cannot
// sign in and so has none.
func (r *userResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var apiOnly types.Bool
	var password types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("api_only"), &apiOnly)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	if resp.Diagnostics.HasError() || apiOnly.IsUnknown() || password.IsNull() {
		return
	}
	if apiOnly.IsNull() || apiOnly.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Password for an API-only user",
			"An API-only user (api_only = true, the default) authenticates with API tokens only and has no password. "+
				"Remove password_wo (and password_wo_version), or set api_only = false for a user who signs in to the portal.")
	}
}

func (r *userResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("The user's numeric id.")
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// toAPI builds the write body from the plan; the password is added by the
// caller from the configuration, the only place it exists.
func (m userResourceModel) toAPI(ctx context.Context) (lm.AdminWrite, diag.Diagnostics) {
	var ids []int64
	diags := m.Roles.ElementsAs(ctx, &ids, false)
	out := lm.AdminWrite{
		Username:  m.Username.ValueString(),
		Email:     m.Email.ValueString(),
		FirstName: m.FirstName.ValueString(),
		LastName:  m.LastName.ValueString(),
		Note:      m.Note.ValueString(),
		APIOnly:   m.APIOnly.ValueBool(),
		Status:    m.Status.ValueString(),
		Roles:     make([]lm.RoleRef, 0, len(ids)),
	}
	for _, id := range ids {
		out.Roles = append(out.Roles, lm.RoleRef{ID: toInt32(id)})
	}
	return out, diags
}

// setFromAPI copies what LogicMonitor reports about a user into the
// model; password_wo and password_wo_version are the configuration's.
func (m *userResourceModel) setFromAPI(a lm.Admin) {
	m.ID = types.StringValue(strconv.Itoa(int(a.ID)))
	m.Username = types.StringValue(a.Username)
	m.Email = types.StringValue(a.Email)
	m.FirstName = types.StringValue(a.FirstName)
	m.LastName = types.StringValue(a.LastName)
	m.Note = types.StringValue(a.Note)
	m.Roles = int64SetOf(a.RoleIDs())
	m.APIOnly = types.BoolValue(a.APIOnly)
	m.Status = types.StringValue(a.Status)
	m.PasswordWO = types.StringNull()
}

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
		_, err := r.data.client.GetRole(ctx, toInt32(v.ValueInt64()))
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
	a, err := r.data.client.GetAdmin(ctx, id)
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

// importedUserModel is a user as an import (or a list result) writes it:
// what LogicMonitor reports, with no password and no password version,
// which only a configuration can hold.
func importedUserModel(a lm.Admin) userResourceModel {
	var m userResourceModel
	m.setFromAPI(a)
	m.PasswordWOVersion = types.Int64Null()
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}
	return m
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

// int64SetOf turns ids into a set of numbers.
func int64SetOf(ids []int32) types.Set {
	elems := make([]attr.Value, 0, len(ids))
	for _, id := range ids {
		elems = append(elems, types.Int64Value(int64(id)))
	}
	return types.SetValueMust(types.Int64Type, elems)
}
