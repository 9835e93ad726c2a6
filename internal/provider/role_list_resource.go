package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ list.ListResource              = (*roleListResource)(nil)
	_ list.ListResourceWithConfigure = (*roleListResource)(nil)
)

func newRoleListResource() list.ListResource { return &roleListResource{} }

// roleListResource lists existing roles for `terraform query` (Terraform
// 1.14+), so that roles made in the portal can be adopted with generated
// import blocks.
type roleListResource struct{ data *providerData }

type roleListModel struct {
	NameContains types.String `tfsdk:"name_contains"`
}

func (l *roleListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (l *roleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds existing roles (`GET /setting/roles`) for `terraform query` (Terraform 1.14 and later), to " +
			"adopt roles made in the portal: each result carries the role's identity (`id`), a name to scan (the role's name, " +
			"how many users hold it and how many privileges it has) and, with `include_resource = true`, the whole `lm_role` " +
			"object, so `terraform query -generate-config-out=FILE` writes the resource and import blocks. Results come by id, " +
			"read 1000 a page.",
		Attributes: map[string]listschema.Attribute{
			"name_contains": listschema.StringAttribute{
				MarkdownDescription: "Only roles whose name contains this text, regardless of case (LogicMonitor's `name~` " +
					"filter), such as `ci`. Default: every role.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func (l *roleListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *roleListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	if l.data == nil {
		listFailed(stream, diag.Diagnostics{apiErrorDiag("list roles", errNotConfigured)})
		return
	}
	var cfg roleListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		listFailed(stream, diags)
		return
	}
	var opts lm.ListOptions
	if !cfg.NameContains.IsNull() {
		opts.Filter = "name~" + lm.QuoteFilter(cfg.NameContains.ValueString())
	}
	stream.Results = listResults(req, l.data.client.Roles(ctx, opts), nil,
		func(r lm.Role) list.ListResult { return roleListResult(ctx, req, r) },
		func(err error) diag.Diagnostic { return apiErrorDiag("list roles", err) })
}

// roleListResult is one role as a list result: identity, display name and,
// when asked for, the resource as an import would write it.
func roleListResult(ctx context.Context, req list.ListRequest, r lm.Role) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = roleDisplayName(r)
	result.Diagnostics.Append(result.Identity.Set(ctx, idIdentity{ID: types.Int64Value(int64(r.ID))})...)
	if req.IncludeResource {
		m, diags := roleModelFromAPI(r)
		result.Diagnostics.Append(diags...)
		result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	}
	return result
}

// roleDisplayName is what a person scans in `terraform query` output: the
// role's name, how many users hold it and how many privileges it grants.
func roleDisplayName(r lm.Role) string {
	return r.Name + " (" + plural(int(r.AssociatedUserCount), "user") + ", " + plural(len(r.Privileges), "privilege") + ")"
}

// plural is "1 user", "2 users".
func plural(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return strconv.Itoa(n) + " " + noun
}
