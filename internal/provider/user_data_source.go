package provider

import (
	"context"
	"fmt"
	"math"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ datasource.DataSourceWithConfigure        = (*userDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*userDataSource)(nil)
)

func newUserDataSource() datasource.DataSource { return &userDataSource{} }

type userDataSource struct{ data *providerData }

type userModel struct {
	ID       types.Int64  `tfsdk:"id"`
	Username types.String `tfsdk:"username"`
	Email    types.String `tfsdk:"email"`
	Roles    types.List   `tfsdk:"roles"`
	APIOnly  types.Bool   `tfsdk:"api_only"`
	Status   types.String `tfsdk:"status"`
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a LogicMonitor user (an \"admin\" in the API) by `username` or `id`, typically " +
			"to find the `admin_id` of a service user for `lm_api_token`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.Int64Attribute{
				MarkdownDescription: "User id. Give this or `username`.", Optional: true, Computed: true,
				Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
			},
			"username": schema.StringAttribute{MarkdownDescription: "Username (exact match). Give this or `id`.", Optional: true, Computed: true},
			"email":    schema.StringAttribute{MarkdownDescription: "Email address.", Computed: true},
			"roles": schema.ListAttribute{
				MarkdownDescription: "Names of the user's roles.", Computed: true, ElementType: types.StringType,
			},
			"api_only": schema.BoolAttribute{MarkdownDescription: "Whether the user is an API-only user.", Computed: true},
			"status":   schema.StringAttribute{MarkdownDescription: "Account status, such as `active` or `suspended`.", Computed: true},
		},
	}
}

func (d *userDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("username")),
	}
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.Append(apiErrorDiag("read the user", errNotConfigured))
		return
	}
	var m userModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, slow := watchSlow(ctx)
	var admin *lm.Admin
	if !m.ID.IsNull() {
		a, err := d.data.readUser(ctx, toInt32(m.ID.ValueInt64()))
		if lm.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "User not found",
				fmt.Sprintf("LogicMonitor has no user with id %d.", m.ID.ValueInt64()))
			return
		}
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("read the user", err))
			return
		}
		admin = a
	} else if a, ok := d.data.users.find(func(a lm.Admin) bool { return a.Username == m.Username.ValueString() }); ok {
		// Already read by this plan's refresh: no call of its own.
		admin = &a
	} else {
		admins, err := d.data.client.FindAdminsByUsername(ctx, m.Username.ValueString())
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("look up the user", err))
			return
		}
		for i := range admins {
			if admins[i].Username == m.Username.ValueString() {
				admin = &admins[i]
				break
			}
		}
		if admin == nil {
			resp.Diagnostics.AddAttributeError(path.Root("username"), "User not found",
				fmt.Sprintf("LogicMonitor has no user named %q. Usernames match exactly, including case.", m.Username.ValueString()))
			return
		}
	}
	roles := make([]string, 0, len(admin.Roles))
	for _, r := range admin.Roles {
		roles = append(roles, r.Name)
	}
	m.ID = types.Int64Value(int64(admin.ID))
	m.Username = types.StringValue(admin.Username)
	m.Email = types.StringValue(admin.Email)
	m.APIOnly = types.BoolValue(admin.APIOnly)
	m.Status = types.StringValue(admin.Status)
	list, diags := types.ListValueFrom(ctx, types.StringType, roles)
	resp.Diagnostics.Append(diags...)
	m.Roles = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	slow.warn(&resp.Diagnostics, fmt.Sprintf("user %q", admin.Username))
}
