package provider

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var _ datasource.DataSourceWithConfigure = (*apiTokensDataSource)(nil)

func newAPITokensDataSource() datasource.DataSource { return &apiTokensDataSource{} }

type apiTokensDataSource struct{ data *providerData }

type apiTokensModel struct {
	AdminID      types.Int64  `tfsdk:"admin_id"`
	Enabled      types.Bool   `tfsdk:"enabled"`
	NoteContains types.String `tfsdk:"note_contains"`
	Type         types.String `tfsdk:"type"`
	staleFilterModel
	Tokens []tokenMetadataModel `tfsdk:"tokens"`
}

func (d *apiTokensDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_tokens"
}

func (d *apiTokensDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists API tokens' metadata (never a secret), optionally filtered: for audits " +
			"(\"which keys has nobody used for 90 days, which were never used?\") and for finding hand-made tokens " +
			"to import. Works on every Terraform and OpenTofu version, which makes it the stale-key query where " +
			"`terraform query` (Terraform 1.14+) is not available." + staleFiltersNote,
		Attributes: map[string]schema.Attribute{
			"admin_id": schema.Int64Attribute{
				MarkdownDescription: "Only this user's tokens. Default: every user's.", Optional: true,
				Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
			},
			"enabled": schema.BoolAttribute{MarkdownDescription: "Only enabled (`true`) or disabled (`false`) tokens.", Optional: true},
			"note_contains": schema.StringAttribute{
				MarkdownDescription: "Only tokens whose note contains this text.", Optional: true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Only `lmv1` or only `bearer` tokens. Default: both.", Optional: true,
				Validators: []validator.String{stringvalidator.OneOf(lm.TokenTypeLMv1, lm.TokenTypeBearer)},
			},
			"tokens": schema.ListNestedAttribute{
				MarkdownDescription: "The matching tokens, ordered by id.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: tokenMetadataAttributes()},
			},
		},
	}
	staleFilterDataSourceAttributes(resp.Schema.Attributes)
}

func (d *apiTokensDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *apiTokensDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.Append(apiErrorDiag("list API tokens", errNotConfigured))
		return
	}
	var m apiTokensModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	stale, err := m.resolve(d.data.clock.Now())
	if err != nil {
		resp.Diagnostics.AddError("Invalid stale-key filter", err.Error())
		return
	}
	ctx, slow := watchSlow(ctx)
	filter, kinds := tokenListQuery(m.Enabled, m.NoteContains, m.Type)
	m.Tokens = []tokenMetadataModel{}
	var all []lm.APIToken
	for _, typ := range kinds {
		opts := lm.ListOptions{Filter: filter, Type: typ}
		var toks []lm.APIToken
		var err error
		if m.AdminID.IsNull() {
			toks, err = d.data.client.ListAllAPITokens(ctx, opts)
		} else {
			toks, err = d.data.client.ListAPITokens(ctx, toInt32(m.AdminID.ValueInt64()), opts)
		}
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("list API tokens", err))
			return
		}
		all = append(all, toks...)
	}
	// LMv1 and bearer tokens come from separate calls; one id order keeps
	// the list stable between plans.
	slices.SortFunc(all, func(a, b lm.APIToken) int { return cmp.Compare(a.ID, b.ID) })
	for _, t := range all {
		if stale.active() && !stale.match(t) {
			continue
		}
		tm, diags := tokenMetadataFromAPI(ctx, t)
		resp.Diagnostics.Append(diags...)
		m.Tokens = append(m.Tokens, tm)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	slow.warn(&resp.Diagnostics, "the API token list")
}

// tokenListQuery turns the optional enabled, note_contains and type
// settings of a token listing into LogicMonitor's filter and the token
// types to list (one call each: the API lists LMv1 and bearer tokens
// separately).
func tokenListQuery(enabled types.Bool, noteContains types.String, typ types.String) (filter string, kinds []string) {
	var conds []string
	if !enabled.IsNull() && !enabled.IsUnknown() {
		if enabled.ValueBool() {
			conds = append(conds, "status:2")
		} else {
			conds = append(conds, "status:1")
		}
	}
	if !noteContains.IsNull() && !noteContains.IsUnknown() {
		conds = append(conds, "note~"+lm.QuoteFilter(noteContains.ValueString()))
	}
	kinds = []string{lm.TokenTypeLMv1, lm.TokenTypeBearer}
	if !typ.IsNull() && !typ.IsUnknown() {
		kinds = []string{typ.ValueString()}
	}
	return strings.Join(conds, ","), kinds
}
