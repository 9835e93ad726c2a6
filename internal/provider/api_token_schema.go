package provider

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

const (
	onDestroyDelete  = "delete"
	onDestroyDisable = "disable"
	onDestroyAbandon = "abandon"
)

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
					"`lifecycle { create_before_destroy = true }` so consumers get the new key before the old one is revoked, " +
					"or set `rotation_overlap` to rotate in place and keep the old key working for a while.",
				Optional:    true,
				ElementType: types.StringType,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplaceIf(replaceWithoutOverlap,
					"Replaces the token unless rotation_overlap is set, which rotates it in place.",
					"Replaces the token unless `rotation_overlap` is set, which rotates it in place.")},
			},
			"rotation_overlap": schema.StringAttribute{
				MarkdownDescription: "How long the old key keeps working after a rotation, as a Go duration such as " +
					"`\"24h\"`. With it, a due rotation (`rotate_after` elapsed, or a change of `rotation_triggers`) " +
					"is an update in place instead of a replacement: the apply creates a new token and keeps the old one " +
					"enabled, recorded in `previous_token`; the first plan after `previous_token.retires_on` (the new " +
					"token's `created_on` plus this duration) is an update that revokes the old token as `on_destroy` " +
					"says. A resource keeps at most two tokens: a rotation while an old key is still recorded revokes " +
					"that one first. Without it (the default), a rotation replaces the token.",
				Optional:   true,
				CustomType: timetypes.GoDurationType{},
				Validators: []validator.String{positiveDuration{}},
			},
			"previous_token": schema.SingleNestedAttribute{
				MarkdownDescription: "The old token kept working after a rotation with `rotation_overlap`, until " +
					"`retires_on`; null otherwise. Its access key is not kept: whoever used it has it. Destroying the " +
					"resource revokes both tokens.",
				Computed:   true,
				Attributes: previousTokenAttributes(),
			},
			"rotate_after": schema.StringAttribute{
				MarkdownDescription: "Maximum age of the token as a Go duration such as `\"2160h\"` (90 days). When " +
					"`created_on` plus this duration has passed at plan time, the plan replaces the token (or, with " +
					"`rotation_overlap`, rotates it in place) and a warning says why. " +
					"Changing the value itself does not replace the token.",
				Optional:   true,
				CustomType: timetypes.GoDurationType{},
				Validators: []validator.String{positiveDuration{}},
			},
			"rotation_due_on": schema.StringAttribute{
				MarkdownDescription: "When the token is due for rotation (RFC 3339): `created_on` plus `rotate_after`, " +
					"or null without `rotate_after`. Known at plan time for an existing token, also when `rotate_after` " +
					"changes; unknown until a new token is created. Copy it into a secret store's metadata or an alert.",
				Computed:   true,
				CustomType: timetypes.RFC3339Type{},
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

func previousTokenAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":        schema.StringAttribute{MarkdownDescription: "The old token's numeric id, as a string.", Computed: true},
		"access_id": schema.StringAttribute{MarkdownDescription: "The old token's access id.", Computed: true},
		"retires_on": schema.StringAttribute{
			MarkdownDescription: "When the overlap ends (RFC 3339): the first plan after it revokes the old token.",
			Computed:            true,
			CustomType:          timetypes.RFC3339Type{},
		},
	}
}

// replaceWithoutOverlap: a change of rotation_triggers replaces the token,
// unless rotation_overlap is set (ModifyPlan rotates in place then). An
// unknown rotation_overlap replaces: the plan cannot promise the overlap.
func replaceWithoutOverlap(ctx context.Context, req planmodifier.MapRequest, resp *mapplanmodifier.RequiresReplaceIfFuncResponse) {
	var overlap timetypes.GoDuration
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("rotation_overlap"), &overlap)...)
	resp.RequiresReplace = overlap.IsNull() || overlap.IsUnknown()
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

// tokenMetadataAttributes describes tokenMetadataModel's computed fields;
// lm_api_token takes id/access_id as inputs, so it overrides those two.
func tokenMetadataAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"id":         dsschema.StringAttribute{MarkdownDescription: "Token id.", Computed: true},
		"admin_id":   dsschema.Int64Attribute{MarkdownDescription: "Id of the token's user.", Computed: true},
		"access_id":  dsschema.StringAttribute{MarkdownDescription: "Access id.", Computed: true},
		"note":       dsschema.StringAttribute{MarkdownDescription: "Note.", Computed: true},
		"enabled":    dsschema.BoolAttribute{MarkdownDescription: "Whether the token can authenticate.", Computed: true},
		"type":       dsschema.StringAttribute{MarkdownDescription: "`lmv1` or `bearer`.", Computed: true},
		"admin_name": dsschema.StringAttribute{MarkdownDescription: "Username of the token's user.", Computed: true},
		"created_by": dsschema.StringAttribute{MarkdownDescription: "Who created the token.", Computed: true},
		"created_on": dsschema.StringAttribute{
			MarkdownDescription: "Creation time (RFC 3339).", Computed: true, CustomType: timetypes.RFC3339Type{},
		},
		"last_used_on": dsschema.StringAttribute{
			MarkdownDescription: "Last authentication (RFC 3339), or null if never.", Computed: true, CustomType: timetypes.RFC3339Type{},
		},
		"roles": dsschema.SetAttribute{
			MarkdownDescription: "Role names of the token's user.", Computed: true, ElementType: types.StringType,
		},
	}
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
