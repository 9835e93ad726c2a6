// Package provider maps Terraform schemas onto the LogicMonitor client in
// internal/lm. It holds no HTTP or signing logic of its own.
package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/clock"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ provider.Provider                       = (*lmProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*lmProvider)(nil)
	_ provider.ProviderWithListResources      = (*lmProvider)(nil)
	_ provider.ProviderWithActions            = (*lmProvider)(nil)
)

// Option adjusts a provider instance; tests use it to inject a clock.
type Option func(*lmProvider)

// WithClock makes the provider tell time from c (rotation by age).
func WithClock(c clock.Clock) Option { return func(p *lmProvider) { p.clock = c } }

// New returns the provider factory that main and the acceptance tests serve.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &lmProvider{version: version, clock: clock.Real{}}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

type lmProvider struct {
	version string
	clock   clock.Clock
}

type providerModel struct {
	Company         types.String         `tfsdk:"company"`
	Domain          types.String         `tfsdk:"domain"`
	BaseURL         types.String         `tfsdk:"base_url"`
	AccessID        types.String         `tfsdk:"access_id"`
	AccessKey       types.String         `tfsdk:"access_key"`
	BearerToken     types.String         `tfsdk:"bearer_token"`
	MaxRetries      types.Int64          `tfsdk:"max_retries"`
	RequestTimeout  timetypes.GoDuration `tfsdk:"request_timeout"`
	ConnectTimeout  timetypes.GoDuration `tfsdk:"connect_timeout"`
	AllowSelfRevoke types.Bool           `tfsdk:"allow_self_revoke"`
}

// providerData is what Configure hands to every resource and data source:
// one signed client per provider instance, and the token index and the
// user and role listings that let many resources refresh from few list
// calls.
type providerData struct {
	client          *lm.Client
	tokens          *tokenIndex
	users           *portalList[lm.Admin]
	roles           *portalList[lm.Role]
	clock           clock.Clock
	allowSelfRevoke bool
	// selfAccessID and selfSecret identify the credential this provider
	// authenticates with, so it can refuse to revoke itself.
	selfAccessID string
	selfSecret   string
}

func (p *lmProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "lm"
	resp.Version = p.version
}

func (p *lmProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	lmv1 := path.MatchRoot("access_id")
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `lm` provider manages LogicMonitor API tokens (LMv1 and bearer) as code. " +
			"It authenticates with an LMv1 access id and key, or with a bearer token, of a user that holds " +
			"the `administrator` role (or another role allowed to manage users). Every setting may come from the " +
			"environment instead; a value in the provider block wins over its environment variable. " +
			"Missing or half-given credentials are reported once, naming the settings and variables to set.",
		Attributes: map[string]schema.Attribute{
			"company": schema.StringAttribute{
				MarkdownDescription: "LogicMonitor portal name: the `acme` of `https://acme.logicmonitor.com`. " +
					"Environment variable `LM_COMPANY`. One of `company` or `base_url` is required.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.ConflictsWith(path.MatchRoot("base_url"))},
			},
			"domain": schema.StringAttribute{
				MarkdownDescription: "Portal domain. Environment variable `LM_DOMAIN`. Defaults to `logicmonitor.com`; " +
					"US GovCloud portals use `lmgov.us`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Full API base URL, such as `https://acme.logicmonitor.com/santaba/rest`, instead of " +
					"`company` and `domain` (for proxies and the bundled simulator). Environment variable `LM_BASE_URL`. " +
					"Must use `https` unless the host is a loopback address.",
				Optional: true,
			},
			"access_id": schema.StringAttribute{
				MarkdownDescription: "LMv1 access id. Environment variable `LM_ACCESS_ID`, then `LM_API_ID` " +
					"(the name LogicMonitor's own provider uses).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("bearer_token"))},
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "LMv1 access key. Environment variable `LM_ACCESS_KEY`, then `LM_API_KEY`.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("bearer_token"))},
			},
			"bearer_token": schema.StringAttribute{
				MarkdownDescription: "Bearer token, instead of the LMv1 pair. Environment variable `LM_BEARER_TOKEN`.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{stringvalidator.ConflictsWith(lmv1, path.MatchRoot("access_key"))},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "An optional cap on how many times one failed request is retried. Requests that meet " +
					"429, 5xx, reset connections or lost answers are retried with capped exponential backoff and jitter " +
					"(0.5 s doubling up to 30 s) until the operation's timeout: a resource's `timeouts` block (default " +
					"20 minutes), or 5 minutes per request for data sources and ephemeral resources. By default there is " +
					"no cap; `0` disables retries.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 50)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Time limit for one HTTP attempt, as a Go duration such as `30s`. Defaults to `60s`.",
				Optional:            true,
				CustomType:          timetypes.GoDurationType{},
			},
			"connect_timeout": schema.StringAttribute{
				MarkdownDescription: "How long the provider keeps trying to reach a portal that has not answered once " +
					"since it started (connection refused, timed out, no route), as a Go duration such as `2m`. Defaults to " +
					"`30s`, so that a wrong `base_url` or port fails a run quickly, with the last error and the number of " +
					"attempts. Once the portal has answered, failures are retried until the operation's timeout instead " +
					"(see `max_retries`). A host name that does not exist (a mistyped `company`) fails at once.",
				Optional:   true,
				CustomType: timetypes.GoDurationType{},
			},
			"allow_self_revoke": schema.BoolAttribute{
				MarkdownDescription: "Allow deleting or disabling the very token this provider authenticates with. " +
					"Defaults to `false`, so a run cannot cut off its own credentials halfway.",
				Optional: true,
			},
		},
	}
}

func (p *lmProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A provider block that depends on values known only after apply is
	// configured again once they are known; until then resources report
	// that the provider is not configured rather than failing here.
	for _, unknown := range []bool{cfg.Company.IsUnknown(), cfg.Domain.IsUnknown(), cfg.BaseURL.IsUnknown(),
		cfg.AccessID.IsUnknown(), cfg.AccessKey.IsUnknown(), cfg.BearerToken.IsUnknown(),
		cfg.MaxRetries.IsUnknown(), cfg.RequestTimeout.IsUnknown(), cfg.ConnectTimeout.IsUnknown(), cfg.AllowSelfRevoke.IsUnknown()} {
		if unknown {
			return
		}
	}

	baseURL, hint, ok := resolveBaseURL(cfg, resp)
	if !ok {
		return
	}
	lmCfg := lm.Config{
		BaseURL:   baseURL,
		UserAgent: "terraform-provider-lm/" + p.version,
		ReachHint: hint,
	}
	if !resolveCredentials(cfg, &lmCfg, resp) {
		return
	}
	if !cfg.MaxRetries.IsNull() {
		lmCfg.MaxRetries = int(cfg.MaxRetries.ValueInt64())
		if lmCfg.MaxRetries == 0 {
			lmCfg.MaxRetries = -1 // the client reads 0 as "no cap"
		}
	}
	for _, d := range []struct {
		name string
		v    timetypes.GoDuration
		to   *time.Duration
	}{
		{"request_timeout", cfg.RequestTimeout, &lmCfg.RequestTimeout},
		{"connect_timeout", cfg.ConnectTimeout, &lmCfg.ConnectTimeout},
	} {
		if d.v.IsNull() {
			continue
		}
		v, diags := d.v.ValueGoDuration()
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		if v <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root(d.name), "Invalid "+d.name,
				fmt.Sprintf("%s must be a positive duration such as \"30s\"; got %q.", d.name, d.v.ValueString()))
			return
		}
		*d.to = v
	}
	secret := lmCfg.AccessKey + lmCfg.BearerToken
	lmCfg.Logger = newTflogLogger(lmCfg.AccessKey, lmCfg.BearerToken)

	client, err := lm.New(lmCfg)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the LogicMonitor client", err.Error())
		return
	}
	data := &providerData{
		client:          client,
		tokens:          newTokenIndex(client),
		users:           newUserList(client),
		roles:           newRoleList(client),
		clock:           p.clock,
		allowSelfRevoke: cfg.AllowSelfRevoke.ValueBool(),
		selfAccessID:    lmCfg.AccessID,
		selfSecret:      secret,
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// objectTypes are the kinds of LogicMonitor object the provider manages,
// each with everything it serves for it, defined in the type's own file
// (api_token.go, user.go, role.go). A new type is one more entry here.
var objectTypes = []objectType{apiTokenType, userType, roleType}

// objectType is what the provider serves for one kind of object, on every
// protocol surface that it has.
type objectType struct {
	resources          []func() resource.Resource
	dataSources        []func() datasource.DataSource
	ephemeralResources []func() ephemeral.EphemeralResource
	listResources      []func() list.ListResource
	actions            []func() action.Action
}

// served collects one surface of every object type.
func served[T any](surface func(objectType) []T) []T {
	var out []T
	for _, t := range objectTypes {
		out = append(out, surface(t)...)
	}
	return out
}

func (p *lmProvider) Resources(context.Context) []func() resource.Resource {
	return served(func(t objectType) []func() resource.Resource { return t.resources })
}

func (p *lmProvider) DataSources(context.Context) []func() datasource.DataSource {
	return served(func(t objectType) []func() datasource.DataSource { return t.dataSources })
}

func (p *lmProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return served(func(t objectType) []func() ephemeral.EphemeralResource { return t.ephemeralResources })
}

func (p *lmProvider) ListResources(context.Context) []func() list.ListResource {
	return served(func(t objectType) []func() list.ListResource { return t.listResources })
}

func (p *lmProvider) Actions(context.Context) []func() action.Action {
	return served(func(t objectType) []func() action.Action { return t.actions })
}
