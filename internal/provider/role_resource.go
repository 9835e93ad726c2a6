package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ resource.ResourceWithConfigure   = (*roleResource)(nil)
	_ resource.ResourceWithImportState = (*roleResource)(nil)
	_ resource.ResourceWithIdentity    = (*roleResource)(nil)
)

func newRoleResource() resource.Resource { return &roleResource{} }

type roleResource struct{ data *providerData }

// roleResourceModel is the lm_role resource's schema as a Go struct.
type roleResourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	Name                types.String   `tfsdk:"name"`
	Description         types.String   `tfsdk:"description"`
	Privileges          types.Set      `tfsdk:"privileges"`
	TwoFARequired       types.Bool     `tfsdk:"two_fa_required"`
	RequireEULA         types.Bool     `tfsdk:"require_eula"`
	RoleGroupID         types.Int64    `tfsdk:"role_group_id"`
	AssociatedUserCount types.Int64    `tfsdk:"associated_user_count"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// privilegeModel is one element of privileges.
type privilegeModel struct {
	ObjectType types.String `tfsdk:"object_type"`
	ObjectID   types.String `tfsdk:"object_id"`
	Operation  types.String `tfsdk:"operation"`
}

var privilegeAttrTypes = map[string]attr.Type{
	"object_type": types.StringType,
	"object_id":   types.StringType,
	"operation":   types.StringType,
}

func (r *roleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (r *roleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A LogicMonitor role (`/setting/roles`): a named set of privileges that users hold. " +
			"Give a service account's user a role with only the privileges it needs. Every attribute but `id` and " +
			"`associated_user_count` is updated in place (PATCH). LogicMonitor refuses to delete a role that users " +
			"still hold: destroy or change those users first (Terraform does so by itself when they are in the same configuration). " +
			"Failed requests are retried until the operation's limit in the `timeouts` block (default 20 minutes each).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The role's numeric id, as a string; use it in `lm_user.roles` (as a number).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Role name, unique in the portal (exact match, case included).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free-text description. Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"privileges": schema.SetNestedAttribute{
				MarkdownDescription: "What the role may do, one object per privilege, as LogicMonitor's privilege fields. " +
					"An empty set is a role that may do nothing.",
				Required: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"object_type": schema.StringAttribute{
							MarkdownDescription: "Kind of object the privilege covers, such as `host_group`, `dashboard_group`, " +
								"`report_group`, `setting` or `help` (LogicMonitor's `objectType`).",
							Required: true,
							Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`\S`),
								`must name the kind of object the privilege covers, such as "host_group", "dashboard_group", "setting" or "help"`)},
						},
						"object_id": schema.StringAttribute{
							MarkdownDescription: "Which object of that kind: an id, `*` for all of them, or a name LogicMonitor " +
								"defines for the type (such as `private` for private dashboards, or `\"\"` for `help`).",
							Required: true,
						},
						"operation": schema.StringAttribute{
							MarkdownDescription: "`read` (view), `write` (manage) or `ack` (acknowledge alerts, for device groups).",
							Required:            true,
							Validators:          []validator.String{stringvalidator.OneOf(lm.PrivilegeOperations...)},
						},
					},
				},
			},
			"two_fa_required": schema.BoolAttribute{
				MarkdownDescription: "Whether users holding the role must sign in with two-factor authentication. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"require_eula": schema.BoolAttribute{
				MarkdownDescription: "Whether users holding the role must accept the end-user license agreement. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"role_group_id": schema.Int64Attribute{
				MarkdownDescription: "Id of the role group the role is filed under in the portal. LogicMonitor's choice when not set.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{int64validator.Between(0, math.MaxInt32)},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"associated_user_count": schema.Int64Attribute{
				MarkdownDescription: "How many users hold the role, as of the last refresh.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *roleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("The role's numeric id.")
}

func (r *roleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// toAPI builds the write body from the plan.
func (m roleResourceModel) toAPI(ctx context.Context) (lm.RoleWrite, diag.Diagnostics) {
	var privs []privilegeModel
	diags := m.Privileges.ElementsAs(ctx, &privs, false)
	out := lm.RoleWrite{
		Name:          m.Name.ValueString(),
		Description:   m.Description.ValueString(),
		TwoFARequired: m.TwoFARequired.ValueBool(),
		RequireEULA:   m.RequireEULA.ValueBool(),
		RoleGroupID:   toInt32(m.RoleGroupID.ValueInt64()),
		Privileges:    make([]lm.Privilege, 0, len(privs)),
	}
	for _, p := range privs {
		out.Privileges = append(out.Privileges, lm.Privilege{
			ObjectType: p.ObjectType.ValueString(), ObjectID: p.ObjectID.ValueString(), Operation: p.Operation.ValueString(),
		})
	}
	return out, diags
}

// roleModelFromAPI is the resource's view of a role LogicMonitor reports.
func roleModelFromAPI(r lm.Role) (roleResourceModel, diag.Diagnostics) {
	elems := make([]attr.Value, 0, len(r.Privileges))
	var diags diag.Diagnostics
	for _, p := range r.Privileges {
		obj, d := types.ObjectValue(privilegeAttrTypes, map[string]attr.Value{
			"object_type": types.StringValue(p.ObjectType),
			"object_id":   types.StringValue(p.ObjectID),
			"operation":   types.StringValue(p.Operation),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	set, d := types.SetValue(types.ObjectType{AttrTypes: privilegeAttrTypes}, elems)
	diags.Append(d...)
	return roleResourceModel{
		ID:                  types.StringValue(strconv.Itoa(int(r.ID))),
		Name:                types.StringValue(r.Name),
		Description:         types.StringValue(r.Description),
		Privileges:          set,
		TwoFARequired:       types.BoolValue(r.TwoFARequired),
		RequireEULA:         types.BoolValue(r.RequireEULA),
		RoleGroupID:         types.Int64Value(int64(r.RoleGroupID)),
		AssociatedUserCount: types.Int64Value(int64(r.AssociatedUserCount)),
		Timeouts:            timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())},
	}, diags
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
	role, err := r.data.client.GetRole(ctx, id)
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
