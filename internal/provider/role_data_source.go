package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var _ datasource.DataSourceWithConfigure = (*roleDataSource)(nil)

func newRoleDataSource() datasource.DataSource { return &roleDataSource{} }

type roleDataSource struct{ data *providerData }

type roleModel struct {
	ID          types.Int64  `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
}

func (d *roleDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (d *roleDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a LogicMonitor role by name.",
		Attributes: map[string]schema.Attribute{
			"name":        schema.StringAttribute{MarkdownDescription: "Role name (exact match), such as `administrator`.", Required: true},
			"id":          schema.Int64Attribute{MarkdownDescription: "Role id.", Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: "Role description.", Computed: true},
		},
	}
}

func (d *roleDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *roleDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.Append(apiErrorDiag("read the role", errNotConfigured))
		return
	}
	var m roleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	ctx, slow := watchSlow(ctx)
	// A role this plan's refresh already read needs no call of its own.
	roles := []lm.Role{}
	if r, ok := d.data.roles.find(func(r lm.Role) bool { return r.Name == name }); ok {
		roles = append(roles, r)
	} else {
		var err error
		if roles, err = d.data.client.FindRolesByName(ctx, name); err != nil {
			resp.Diagnostics.Append(apiErrorDiag("look up the role", err))
			return
		}
	}
	if len(roles) > 0 {
		m.ID = types.Int64Value(int64(roles[0].ID))
		m.Description = types.StringValue(roles[0].Description)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		slow.warn(&resp.Diagnostics, fmt.Sprintf("role %q", name))
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("name"), "Role not found",
		fmt.Sprintf("LogicMonitor has no role named %q. Role names match exactly, including case.", name))
}
