package provider

import (
	"context"
	"fmt"
	"math"
	"strconv"

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
	_ list.ListResource              = (*apiTokenListResource)(nil)
	_ list.ListResourceWithConfigure = (*apiTokenListResource)(nil)
)

func newAPITokenListResource() list.ListResource { return &apiTokenListResource{} }

// apiTokenListResource lists existing tokens for `terraform query`
// (Terraform 1.14+), so that tokens made by hand can be found and adopted
// with generated import blocks.
type apiTokenListResource struct{ data *providerData }

type apiTokenListModel struct {
	AdminID types.Int64  `tfsdk:"admin_id"`
	Type    types.String `tfsdk:"type"`
	Enabled types.Bool   `tfsdk:"enabled"`
	staleFilterModel
}

func (l *apiTokenListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (l *apiTokenListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds existing API tokens for `terraform query` (Terraform 1.14 and later), to adopt tokens " +
			"made by hand: each result carries the token's identity (`admin_id`, `id`) and, with `include_resource = true`, " +
			"the whole `lm_api_token` object, so `terraform query -generate-config-out=FILE` writes the resource and " +
			"import blocks. Results come LMv1 tokens first, then bearer tokens, each by id, read 1000 a page. " +
			"The access key is always null: LogicMonitor returns it only when a token is created. " +
			"With `unused_for`, `never_used` and the other stale-key filters it answers \"which keys are stale?\" " +
			"in one query." + staleFiltersNote,
		Attributes: map[string]listschema.Attribute{
			"admin_id": listschema.Int64Attribute{
				MarkdownDescription: "Only this user's tokens (`GET /setting/admins/{adminID}/apitokens`). " +
					"Default: every token of the portal (`GET /setting/admins/apitokens`).",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
			},
			"type": listschema.StringAttribute{
				MarkdownDescription: "Only `lmv1` or only `bearer` tokens. Default: both.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lm.TokenTypeLMv1, lm.TokenTypeBearer)},
			},
			"enabled": listschema.BoolAttribute{
				MarkdownDescription: "Only enabled (`true`) or only disabled (`false`) tokens. Default: both.",
				Optional:            true,
			},
		},
	}
	staleFilterListAttributes(resp.Schema.Attributes)
}

func (l *apiTokenListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *apiTokenListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	if l.data == nil {
		listFailed(stream, diag.Diagnostics{apiErrorDiag("list API tokens", errNotConfigured)})
		return
	}
	var cfg apiTokenListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		listFailed(stream, diags)
		return
	}
	stale, err := cfg.resolve(l.data.clock.Now())
	if err != nil {
		listFailed(stream, diag.Diagnostics{diag.NewErrorDiagnostic("Invalid stale-key filter", err.Error())})
		return
	}
	var keep func(lm.APIToken) bool
	if stale.active() {
		keep = stale.match
	}
	adminID := toInt32(cfg.AdminID.ValueInt64())
	filter, kinds := tokenListQuery(cfg.Enabled, types.StringNull(), cfg.Type)
	// LMv1 tokens, then bearer tokens: LogicMonitor lists one type a call.
	tokens := func(yield func(lm.APIToken, error) bool) {
		for _, typ := range kinds {
			for tok, err := range l.data.client.APITokens(ctx, adminID, lm.ListOptions{Filter: filter, Type: typ}) {
				if !yield(tok, err) || err != nil {
					return
				}
			}
		}
	}
	stream.Results = listResults(req, tokens, keep,
		func(tok lm.APIToken) list.ListResult { return tokenListResult(ctx, req, tok) },
		func(err error) diag.Diagnostic { return listErrorDiag(adminID, err) })
}

// tokenListResult is one token as a list result: identity, display name and,
// when asked for, the resource as an import would write it.
func tokenListResult(ctx context.Context, req list.ListRequest, tok lm.APIToken) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = tokenDisplayName(tok)
	result.Diagnostics.Append(result.Identity.Set(ctx, tokenIdentityFromAPI(tok))...)
	if req.IncludeResource {
		m, diags := importedTokenModel(ctx, tok)
		result.Diagnostics.Append(diags...)
		result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	}
	return result
}

// tokenDisplayName is what a person scans in `terraform query` output:
// whose token, its access id, its note, and whether it is a bearer or a
// disabled token.
func tokenDisplayName(t lm.APIToken) string {
	user := t.AdminName
	if user == "" {
		user = "user " + strconv.Itoa(int(t.AdminID))
	}
	name := user + ": " + t.AccessID
	if t.Note != "" {
		name += " " + strconv.Quote(t.Note)
	}
	switch {
	case normType(t.Type) == lm.TokenTypeBearer && !t.Enabled():
		name += " (bearer, disabled)"
	case normType(t.Type) == lm.TokenTypeBearer:
		name += " (bearer)"
	case !t.Enabled():
		name += " (disabled)"
	}
	return name
}

func listErrorDiag(adminID int32, err error) diag.Diagnostic {
	if adminID > 0 && lm.IsNotFound(err) {
		return diag.NewAttributeErrorDiagnostic(path.Root("admin_id"), "Unknown LogicMonitor user",
			fmt.Sprintf("No LogicMonitor user has id %d, so it has no tokens to list. Look the user up with the lm_user "+
				"data source (by username) and use its id, or leave admin_id out to list every token of the portal.\n\n%s", adminID, err))
	}
	return apiErrorDiag("list API tokens", err)
}
