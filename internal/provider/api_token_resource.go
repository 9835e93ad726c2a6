package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ resource.ResourceWithConfigure   = (*apiTokenResource)(nil)
	_ resource.ResourceWithImportState = (*apiTokenResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiTokenResource)(nil)
	_ resource.ResourceWithIdentity    = (*apiTokenResource)(nil)
)

const (
	onDestroyDelete  = "delete"
	onDestroyDisable = "disable"
	onDestroyAbandon = "abandon"

	defaultTimeout = 20 * time.Minute
)

func newAPITokenResource() resource.Resource { return &apiTokenResource{} }

type apiTokenResource struct {
	data *providerData
}

func (r *apiTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (r *apiTokenResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A LogicMonitor API token (LMv1 access id and key, or a bearer token) of one user. " +
			"Creating it mints a new key; destroying it revokes the key with " +
			"`DELETE /setting/admins/{adminID}/apitokens/{apiTokenID}` (see `on_destroy`). " +
			"The access key is returned only when the token is created and is stored in state as a sensitive value: " +
			"protect your state, or use the ephemeral `lm_api_token` for credentials needed during one run only.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The token's numeric id, as a string.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"admin_id": schema.Int64Attribute{
				MarkdownDescription: "Id of the LogicMonitor user the token belongs to (see the `lm_user` data source). " +
					"Changing it creates a new token and revokes the old one.",
				Required:      true,
				Validators:    []validator.Int64{int64validator.Between(1, math.MaxInt32)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"note": schema.StringAttribute{
				MarkdownDescription: "Free-text note shown next to the token in the portal. Updated in place. Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(1024)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the token can authenticate (LogicMonitor status 2) or is disabled (status 1). " +
					"Updated in place. Defaults to `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`lmv1` (access id and key for LMv1 signing) or `bearer` (a bearer token, returned in " +
					"`access_key`). Defaults to `lmv1`. Changing it creates a new token.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(lm.TokenTypeLMv1),
				Validators:    []validator.String{stringvalidator.OneOf(lm.TokenTypeLMv1, lm.TokenTypeBearer)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What destroying the resource does: `delete` (default) revokes the token; " +
					"`disable` sets it to disabled and forgets it, so the key stops working but stays in the portal " +
					"for audit and can be re-enabled by hand; `abandon` only forgets it. Changing it never replaces the token.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(onDestroyDelete),
				Validators: []validator.String{stringvalidator.OneOf(onDestroyDelete, onDestroyDisable, onDestroyAbandon)},
			},
			"rotation_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary map of strings; any change replaces the token with a new one " +
					"(like `keepers` in `google_service_account_key`). Combine with " +
					"`lifecycle { create_before_destroy = true }` so consumers get the new key before the old one is revoked.",
				Optional:      true,
				ElementType:   types.StringType,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"rotate_after": schema.StringAttribute{
				MarkdownDescription: "Maximum age of the token as a Go duration such as `\"2160h\"` (90 days). When " +
					"`created_on` plus this duration has passed at plan time, the plan replaces the token and a warning says why. " +
					"Changing the value itself does not replace the token.",
				Optional:   true,
				CustomType: timetypes.GoDurationType{},
				Validators: []validator.String{positiveDuration{}},
			},
			"access_id": schema.StringAttribute{
				MarkdownDescription: "The token's access id (for LMv1 signing; also identifies a bearer token).",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "The secret: the LMv1 access key, or the bearer token. Known only from the create " +
					"answer; null for imported tokens, since LogicMonitor never returns it again.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep,
			},
			"admin_name": schema.StringAttribute{
				MarkdownDescription: "Username of the token's user.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"created_by": schema.StringAttribute{
				MarkdownDescription: "Username of who created the token.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"created_on": schema.StringAttribute{
				MarkdownDescription: "When the token was created (RFC 3339).",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				PlanModifiers:       keep,
			},
			"last_used_on": schema.StringAttribute{
				MarkdownDescription: "When the token last authenticated (RFC 3339), or null if never.",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				PlanModifiers:       keep,
			},
			"roles": schema.SetAttribute{
				MarkdownDescription: "Names of the roles of the token's user, which bound what the token may do.",
				Computed:            true,
				ElementType:         types.StringType,
				PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// IdentitySchema: a token is identified by its user and its own id, the
// two numbers of its API path. Terraform 1.12+ and OpenTofu 1.12+ accept
// them in an import block's identity; list results carry them too.
func (r *apiTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"admin_id": identityschema.Int64Attribute{
				Description:       "Id of the LogicMonitor user the token belongs to.",
				RequiredForImport: true,
			},
			"id": identityschema.Int64Attribute{
				Description:       "The token's numeric id.",
				RequiredForImport: true,
			},
		},
	}
}

func (r *apiTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *apiTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	adminID := toInt32(plan.AdminID.ValueInt64())
	tok, err := r.data.client.CreateAPIToken(ctx, adminID, lm.CreateAPITokenRequest{
		Note:    plan.Note.ValueString(),
		Enabled: plan.Enabled.ValueBool(),
		Type:    plan.Type.ValueString(),
	})
	if lm.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("admin_id"), "Unknown LogicMonitor user",
			fmt.Sprintf("No LogicMonitor user has id %d, so no token was created. Look the user up with the lm_user "+
				"data source (by username) and use its id.\n\n%s", adminID, err))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("create the API token", err))
		return
	}
	r.data.tokens.put(*tok)

	resp.Diagnostics.Append(plan.setFromAPI(ctx, *tok)...)
	plan.AccessKey = types.StringValue(tok.AccessKey)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentityFromAPI(*tok))...)
}

func (r *apiTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	ctx, slow := watchSlow(ctx)
	next, found, diags := r.refresh(ctx, req.State.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if slow.due() {
		attrs, _ := newRawObject(next)
		var d diag.Diagnostics
		slow.warn(&resp.Diagnostics, fmt.Sprintf("API token %s of user %d", attrs.str("id", &d).ValueString(), attrs.int64("admin_id", &d).ValueInt64()))
	}
	// Always written, so that state from a provider version without
	// identity gets one on its first refresh. The framework also wants
	// one when the token is gone and the state is removed (it errors on a
	// null identity even then), so it comes from the prior state.
	resp.Identity.Raw = identityFromRaw(next)
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	resp.State.Raw = next
}

// refresh returns the state with what LogicMonitor now reports about the
// token: found=false, with a warning, when the token or its user no longer
// exists (and then next is the state as it was). It works on the state as a tftypes
// value, not through State.Get/Set: see api_token_raw.go.
func (r *apiTokenResource) refresh(ctx context.Context, current tftypes.Value) (next tftypes.Value, found bool, diags diag.Diagnostics) {
	attrs, diags := newRawObject(current)
	if diags.HasError() {
		return current, false, diags
	}
	state := apiTokenModel{
		ID:      attrs.str("id", &diags),
		AdminID: attrs.int64("admin_id", &diags),
		Type:    attrs.str("type", &diags),
	}
	tos := attrs.timeouts(ctx, &diags)
	if diags.HasError() {
		return current, false, diags
	}
	timeout, d := tos.Read(ctx, defaultTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return current, false, diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	adminID, tokenID, err := state.ids()
	if err != nil {
		diags.AddError("Corrupt lm_api_token state", fmt.Sprintf("id %q is not a number: %s", state.ID.ValueString(), err))
		return current, false, diags
	}
	tok, found, err := r.data.tokens.lookup(ctx, adminID, state.Type.ValueString(), tokenID)
	if err != nil {
		diags.Append(apiErrorDiag("read the API token", err))
		return current, false, diags
	}
	if !found {
		diags.Append(goneWarning("API token", fmt.Sprintf("token %d for user %d", tokenID, adminID),
			"it, or its user, was deleted outside Terraform"))
		return current, false, diags
	}
	attrs.setFromAPI(tok)
	return tftypes.NewValue(current.Type(), map[string]tftypes.Value(attrs)), true, diags
}

func (r *apiTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var plan, state apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	adminID, tokenID, err := state.ids()
	if err != nil {
		resp.Diagnostics.AddError("Corrupt lm_api_token state", err.Error())
		return
	}

	var patch lm.APITokenPatch
	if !plan.Note.Equal(state.Note) {
		n := plan.Note.ValueString()
		patch.Note = &n
	}
	if !plan.Enabled.Equal(state.Enabled) {
		if !plan.Enabled.ValueBool() && r.isSelf(state) && !r.data.allowSelfRevoke {
			resp.Diagnostics.Append(selfRevokeDiag("disable", state))
			return
		}
		s := lm.StatusDisabled
		if plan.Enabled.ValueBool() {
			s = lm.StatusEnabled
		}
		patch.Status = &s
	}
	if patch.Note != nil || patch.Status != nil {
		tok, err := r.data.client.UpdateAPIToken(ctx, adminID, tokenID, patch)
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("update the API token", err))
			return
		}
		tok.Type = normType(state.Type.ValueString())
		r.data.tokens.put(*tok)
		plan.Note = types.StringValue(tok.Note)
		plan.Enabled = types.BoolValue(tok.Enabled())
	}
	// Everything else LogicMonitor reports is refreshed by Read; the
	// planned values (kept from state) are what Terraform expects back.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentityModel{
		AdminID: types.Int64Value(int64(adminID)), ID: types.Int64Value(int64(tokenID)),
	})...)
}

func (r *apiTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	policy := state.OnDestroy.ValueString()
	if policy == "" {
		policy = onDestroyDelete
	}
	if policy == onDestroyAbandon {
		return
	}
	if r.isSelf(state) && !r.data.allowSelfRevoke {
		resp.Diagnostics.Append(selfRevokeDiag(policy, state))
		return
	}
	adminID, tokenID, err := state.ids()
	if err != nil {
		resp.Diagnostics.AddError("Corrupt lm_api_token state", err.Error())
		return
	}
	switch policy {
	case onDestroyDisable:
		s := lm.StatusDisabled
		_, err = r.data.client.UpdateAPIToken(ctx, adminID, tokenID, lm.APITokenPatch{Status: &s})
	default:
		err = r.data.client.DeleteAPIToken(ctx, adminID, tokenID)
	}
	if err != nil && !lm.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiag(policy+" the API token", err))
		return
	}
	r.data.tokens.remove(adminID, state.Type.ValueString(), tokenID)
}

// isSelf reports whether the token in state is the credential the provider
// itself authenticates with.
func (r *apiTokenResource) isSelf(m apiTokenModel) bool {
	if r.data == nil {
		return false
	}
	if id := m.AccessID.ValueString(); id != "" && id == r.data.selfAccessID {
		return true
	}
	key := m.AccessKey.ValueString()
	return key != "" && key == r.data.selfSecret
}

func selfRevokeDiag(action string, m apiTokenModel) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Refusing to revoke the provider's own credentials",
		fmt.Sprintf("This plan would %s API token %s (access id %s), which is the token the lm provider itself "+
			"authenticates with: the run would lose its credentials halfway. Configure the provider with another "+
			"token, or set allow_self_revoke = true in the provider \"lm\" block if this is intended.",
			action, m.ID.ValueString(), m.AccessID.ValueString()))
}

func (r *apiTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || r.data == nil {
		return // create, or nothing to compare with
	}
	// Only the attributes below matter, read from the tftypes values rather
	// than through State.Get/Plan.Get of the whole model: see
	// api_token_raw.go.
	stateAttrs, diags := newRawObject(req.State.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := apiTokenModel{
		ID:        stateAttrs.str("id", &resp.Diagnostics),
		Enabled:   stateAttrs.boolean("enabled", &resp.Diagnostics),
		OnDestroy: stateAttrs.str("on_destroy", &resp.Diagnostics),
		AccessID:  stateAttrs.str("access_id", &resp.Diagnostics),
		AccessKey: stateAttrs.str("access_key", &resp.Diagnostics),
		CreatedOn: stateAttrs.rfc3339("created_on", &resp.Diagnostics),
	}
	if resp.Diagnostics.HasError() {
		return
	}
	self := r.isSelf(state) && !r.data.allowSelfRevoke
	if req.Plan.Raw.IsNull() {
		if self && state.OnDestroy.ValueString() != onDestroyAbandon {
			resp.Diagnostics.Append(selfRevokeDiag(state.OnDestroy.ValueString(), state))
		}
		return
	}
	planAttrs, diags := newRawObject(req.Plan.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan := apiTokenModel{
		AdminID:          planAttrs.int64("admin_id", &resp.Diagnostics),
		Type:             planAttrs.str("type", &resp.Diagnostics),
		RotationTriggers: planAttrs.stringMap(ctx, "rotation_triggers", &resp.Diagnostics),
		Enabled:          planAttrs.boolean("enabled", &resp.Diagnostics),
		RotateAfter:      planAttrs.goDuration("rotate_after", &resp.Diagnostics),
	}
	state.AdminID = stateAttrs.int64("admin_id", &resp.Diagnostics)
	state.Type = stateAttrs.str("type", &resp.Diagnostics)
	state.RotationTriggers = stateAttrs.stringMap(ctx, "rotation_triggers", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	replace := !plan.AdminID.Equal(state.AdminID) || !plan.Type.Equal(state.Type) ||
		!plan.RotationTriggers.Equal(state.RotationTriggers)
	if due, age, limit := r.rotationDue(ctx, state, plan); due {
		replace = true
		// Terraform replaces only for paths whose value changes, so the
		// age-based trigger marks created_on, which the new token changes.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("created_on"), timetypes.NewRFC3339Unknown())...)
		resp.RequiresReplace.Append(path.Root("created_on"))
		resp.Diagnostics.AddAttributeWarning(path.Root("rotate_after"), "API token due for rotation",
			fmt.Sprintf("Token %s was created %s ago, longer than rotate_after (%s): the plan replaces it with a new token.",
				state.ID.ValueString(), age.Round(time.Second), limit))
	}
	if self && replace && state.OnDestroy.ValueString() != onDestroyAbandon {
		resp.Diagnostics.Append(selfRevokeDiag("replace (and so "+state.OnDestroy.ValueString()+")", state))
	}
	if self && state.Enabled.ValueBool() && !plan.Enabled.IsUnknown() && !plan.Enabled.ValueBool() {
		resp.Diagnostics.Append(selfRevokeDiag("disable", state))
	}
}

// rotationDue tells whether rotate_after has elapsed since the token was
// created, by the provider's (injectable) clock.
func (r *apiTokenResource) rotationDue(_ context.Context, state, plan apiTokenModel) (bool, time.Duration, time.Duration) {
	if plan.RotateAfter.IsNull() || plan.RotateAfter.IsUnknown() || state.CreatedOn.IsNull() || state.CreatedOn.IsUnknown() {
		return false, 0, 0
	}
	limit, diags := plan.RotateAfter.ValueGoDuration()
	if diags.HasError() || limit <= 0 {
		return false, 0, 0
	}
	created, diags := state.CreatedOn.ValueRFC3339Time()
	if diags.HasError() {
		return false, 0, 0
	}
	age := r.data.clock.Now().Sub(created)
	return age >= limit, age, limit
}

var accessIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{20}$`)

const importForms = "Use one of: \"<admin_id>/<token_id>\" (such as \"131/146\"), \"<token_id>\" (such as \"146\"), " +
	"the token's 20-character access id (such as \"48v2wRzfK94y53sq5EuF\"), or, on Terraform 1.12+ and OpenTofu 1.12+, " +
	"identity = { admin_id = 131, id = 146 } instead of id in the import block."

func (r *apiTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !ready(r.data, &resp.Diagnostics) {
		return
	}
	adminID, filter, what, ok := parseImport(ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	tok, err := findAPIToken(ctx, r.data.client, toInt32(adminID), filter)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("look up the API token to import", err))
		return
	}
	if tok == nil {
		resp.Diagnostics.AddError("API token not found",
			fmt.Sprintf("LogicMonitor has no API token matching %s. %s", what, importForms))
		return
	}
	m, diags := importedTokenModel(ctx, *tok)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, tokenIdentityFromAPI(*tok))...)
	resp.Diagnostics.AddWarning("Access key not imported",
		fmt.Sprintf("LogicMonitor returns a token's access key only when the token is created, so access_key of "+
			"imported token %d (access id %s) is null. Keep using the key where it is stored today, or replace the token "+
			"(for example with rotation_triggers) to get a key Terraform knows.", tok.ID, tok.AccessID))
}

// parseImport turns an import id, or an import block's identity, into the
// list filter that finds the token (and its user's id, 0 when unknown).
// what describes the input for messages.
func parseImport(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) (adminID int64, filter, what string, ok bool) {
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var ident tokenIdentityModel
		diags.Append(req.Identity.Get(ctx, &ident)...)
		if diags.HasError() {
			return 0, "", "", false
		}
		for name, v := range map[string]types.Int64{"admin_id": ident.AdminID, "id": ident.ID} {
			if v.IsNull() || v.IsUnknown() || v.ValueInt64() <= 0 || v.ValueInt64() > math.MaxInt32 {
				diags.AddError("Invalid import identity",
					fmt.Sprintf("identity.%s must be a positive LogicMonitor id, got %s. "+
						"Write identity = { admin_id = <user id>, id = <token id> }, such as { admin_id = 131, id = 146 }.", name, v))
				return 0, "", "", false
			}
		}
		return ident.AdminID.ValueInt64(), fmt.Sprintf("id:%d", ident.ID.ValueInt64()),
			fmt.Sprintf("identity { admin_id = %d, id = %d }", ident.AdminID.ValueInt64(), ident.ID.ValueInt64()), true
	}
	id := strings.TrimSpace(req.ID)
	what = strconv.Quote(req.ID)
	switch {
	case strings.Contains(id, "/"):
		a, t, _ := strings.Cut(id, "/")
		ai, err1 := strconv.ParseInt(a, 10, 32)
		ti, err2 := strconv.ParseInt(t, 10, 32)
		if err1 == nil && err2 == nil && ai > 0 && ti > 0 {
			return ai, fmt.Sprintf("id:%d", ti), what, true
		}
	case isDigits(id):
		return 0, "id:" + id, what, true
	case accessIDPattern.MatchString(id):
		return 0, "accessId:" + lm.QuoteFilter(id), what, true
	}
	diags.AddError("Invalid import id", fmt.Sprintf("%s is not a valid lm_api_token import id. %s", what, importForms))
	return 0, "", "", false
}

// findAPIToken looks for the first token a filter matches among LMv1 and
// then bearer tokens, of one user or (adminID 0) of the whole portal; nil
// when there is none or the user does not exist. It reads no further than
// the first match.
func findAPIToken(ctx context.Context, client *lm.Client, adminID int32, filter string) (*lm.APIToken, error) {
	for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
		for tok, err := range client.APITokens(ctx, adminID, lm.ListOptions{Filter: filter, Type: typ}) {
			switch {
			case adminID > 0 && lm.IsNotFound(err):
				return nil, nil
			case err != nil:
				return nil, err
			}
			return &tok, nil
		}
	}
	return nil, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// positiveDuration rejects zero and negative rotate_after values at plan time.
type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string { return "must be a positive Go duration" }
func (v positiveDuration) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil {
		return // the GoDuration type reports the syntax error itself
	}
	if d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s must be a positive duration such as \"2160h\" (90 days); got %q.", req.Path, req.ConfigValue.ValueString()))
	}
}
