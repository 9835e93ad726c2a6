package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ datasource.DataSourceWithConfigure        = (*apiTokenDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*apiTokenDataSource)(nil)
)

func newAPITokenDataSource() datasource.DataSource { return &apiTokenDataSource{} }

type apiTokenDataSource struct{ data *providerData }

func (d *apiTokenDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (d *apiTokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := tokenMetadataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "Token id. Give this or `access_id`.", Optional: true, Computed: true,
		Validators: []validator.String{stringvalidator.RegexMatches(digitsPattern, "must be a numeric token id such as \"146\"")},
	}
	attrs["access_id"] = schema.StringAttribute{
		MarkdownDescription: "Access id. Give this or `id`.", Optional: true, Computed: true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one API token's metadata (never its secret, which LogicMonitor returns only when the " +
			"token is created), by `id` or `access_id`, among LMv1 and bearer tokens.",
		Attributes: attrs,
	}
}

func (d *apiTokenDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("access_id"))}
}

func (d *apiTokenDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *apiTokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.Append(apiErrorDiag("read the API token", errNotConfigured))
		return
	}
	var m tokenMetadataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter, attr, shown := "id:"+m.ID.ValueString(), path.Root("id"), m.ID.ValueString()
	if !m.AccessID.IsNull() {
		filter, attr, shown = "accessId:"+lm.QuoteFilter(m.AccessID.ValueString()), path.Root("access_id"), m.AccessID.ValueString()
	}
	ctx, slow := watchSlow(ctx)
	tok, err := findAPIToken(ctx, d.data.client, 0, filter)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("read the API token", err))
		return
	}
	if tok == nil {
		resp.Diagnostics.AddAttributeError(attr, "API token not found", fmt.Sprintf("LogicMonitor has no API token %q.", shown))
		return
	}
	out, diags := tokenMetadataFromAPI(ctx, *tok)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
	slow.warn(&resp.Diagnostics, fmt.Sprintf("API token %q", shown))
}

var digitsPattern = regexp.MustCompile(`^[0-9]+$`)
