package provider

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ list.ListResource              = (*userListResource)(nil)
	_ list.ListResourceWithConfigure = (*userListResource)(nil)
)

func newUserListResource() list.ListResource { return &userListResource{} }

// userListResource lists existing users for `terraform query` (Terraform
// 1.14+), so that users made in the portal can be adopted with generated
// import blocks.
type userListResource struct{ data *providerData }

type userListModel struct {
	UsernameContains types.String `tfsdk:"username_contains"`
	APIOnly          types.Bool   `tfsdk:"api_only"`
	Status           types.String `tfsdk:"status"`
	RoleID           types.Int64  `tfsdk:"role_id"`
}

func (l *userListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (l *userListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds existing users (`GET /setting/admins`) for `terraform query` (Terraform 1.14 and later), to " +
			"adopt users made in the portal: each result carries the user's identity (`id`), a name to scan (username, email, " +
			"and whether the user is API-only or suspended) and, with `include_resource = true`, the whole `lm_user` object, so " +
			"`terraform query -generate-config-out=FILE` writes the resource and import blocks. Results come by id, read 1000 a " +
			"page. `password_wo` is always null: LogicMonitor never returns a password. Every filter is optional; together they " +
			"must all hold.",
		Attributes: map[string]listschema.Attribute{
			"username_contains": listschema.StringAttribute{
				MarkdownDescription: "Only users whose username contains this text, regardless of case (LogicMonitor's " +
					"`username~` filter), such as `svc-`. Default: any username.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"api_only": listschema.BoolAttribute{
				MarkdownDescription: "Only API-only users (`true`) or only users who sign in to the portal (`false`). Default: both.",
				Optional:            true,
			},
			"status": listschema.StringAttribute{
				MarkdownDescription: "Only `active` or only `suspended` users. Default: both.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lm.AdminActive, lm.AdminSuspended)},
			},
			"role_id": listschema.Int64Attribute{
				MarkdownDescription: "Only users who hold the role with this id, such as `lm_role.ci.id` or an id from the " +
					"`lm_role` data source or list resource. LogicMonitor documents no filter on a user's roles, so the provider " +
					"reads every user (1000 a page) and keeps those; an unknown role id is an error. Default: any role.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
			},
		},
	}
}

func (l *userListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *userListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	if l.data == nil {
		listFailed(stream, diag.Diagnostics{apiErrorDiag("list users", errNotConfigured)})
		return
	}
	var cfg userListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		listFailed(stream, diags)
		return
	}
	var keep func(lm.Admin) bool
	if roleID := toInt32(cfg.RoleID.ValueInt64()); roleID != 0 {
		if d := checkRoleExists(ctx, l.data.client, roleID); d != nil {
			listFailed(stream, diag.Diagnostics{d})
			return
		}
		keep = func(a lm.Admin) bool { return slices.Contains(a.RoleIDs(), roleID) }
	}
	admins := l.data.client.Admins(ctx, lm.ListOptions{Filter: userListFilter(cfg)})
	stream.Results = listResults(req, admins, keep,
		func(a lm.Admin) list.ListResult { return userListResult(ctx, req, a) },
		func(err error) diag.Diagnostic { return apiErrorDiag("list users", err) })
}

// userListFilter is the LogicMonitor filter of the configuration's
// username, API-only and status conditions.
func userListFilter(cfg userListModel) string {
	var conds []string
	if !cfg.UsernameContains.IsNull() {
		conds = append(conds, "username~"+lm.QuoteFilter(cfg.UsernameContains.ValueString()))
	}
	if !cfg.APIOnly.IsNull() {
		conds = append(conds, fmt.Sprintf("apionly:%t", cfg.APIOnly.ValueBool()))
	}
	if !cfg.Status.IsNull() {
		conds = append(conds, "status:"+lm.QuoteFilter(cfg.Status.ValueString()))
	}
	return strings.Join(conds, ",")
}

// checkRoleExists names role_id when no role has that id, so that a typo
// is not mistaken for a role nobody holds.
func checkRoleExists(ctx context.Context, client *lm.Client, roleID int32) diag.Diagnostic {
	_, err := client.GetRole(ctx, roleID)
	switch {
	case lm.IsNotFound(err):
		return diag.NewAttributeErrorDiagnostic(path.Root("role_id"), "Unknown LogicMonitor role",
			fmt.Sprintf("No LogicMonitor role has id %d, so no user holds it. Find the role's id with `list \"lm_role\"` or "+
				"the lm_role data source (by name), or leave role_id out to list users of every role.\n\n%s", roleID, err))
	case err != nil:
		return apiErrorDiag("check that the role exists", err)
	}
	return nil
}

// userListResult is one user as a list result: identity, display name and,
// when asked for, the resource as an import would write it.
func userListResult(ctx context.Context, req list.ListRequest, a lm.Admin) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = userDisplayName(a)
	result.Diagnostics.Append(result.Identity.Set(ctx, idIdentity{ID: types.Int64Value(int64(a.ID))})...)
	if req.IncludeResource {
		m := importedUserModel(a)
		result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	}
	return result
}

// userDisplayName is what a person scans in `terraform query` output: the
// username, the email, and whether the user is API-only or suspended.
func userDisplayName(a lm.Admin) string {
	name := a.Username + " <" + a.Email + ">"
	var tags []string
	if a.APIOnly {
		tags = append(tags, "API-only")
	}
	if a.Status != "" && a.Status != lm.AdminActive {
		tags = append(tags, a.Status)
	}
	if len(tags) > 0 {
		name += " (" + strings.Join(tags, ", ") + ")"
	}
	return name
}
