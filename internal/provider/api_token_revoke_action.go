package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ action.Action               = (*revokeAPITokenAction)(nil)
	_ action.ActionWithConfigure  = (*revokeAPITokenAction)(nil)
	_ action.ActionWithModifyPlan = (*revokeAPITokenAction)(nil)
)

const (
	revokeModeDisable = "disable"
	revokeModeDelete  = "delete"
)

func newRevokeAPITokenAction() action.Action { return &revokeAPITokenAction{} }

// revokeAPITokenAction disables or deletes a token found by its access id,
// for incident response: `terraform apply -invoke=action.lm_revoke_api_token.NAME`
// (Terraform 1.14+) acts at once, whether or not any state manages the token.
type revokeAPITokenAction struct{ data *providerData }

type revokeAPITokenModel struct {
	AccessID types.String `tfsdk:"access_id"`
	Mode     types.String `tfsdk:"mode"`
}

func (a *revokeAPITokenAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_revoke_api_token"
}

func (a *revokeAPITokenAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Revokes an API token found by its access id anywhere in the portal (LMv1 and bearer " +
			"tokens of every user, through `GET /setting/admins/apitokens`), at once, whether or not a Terraform state " +
			"manages it: for incident response when a key leaks. Run it with " +
			"`terraform apply -invoke=action.lm_revoke_api_token.NAME` or from a resource's `lifecycle { action_trigger { ... } }` " +
			"(Terraform 1.14 and later). It is idempotent: a token already disabled, or deleted while the action runs, " +
			"counts as done, and the progress messages say so. An access id that matches no token fails the run, so a " +
			"typo cannot pass for a revocation. It refuses the token the provider itself authenticates with unless " +
			"`allow_self_revoke = true` is set in the provider block (with a bearer token as the provider's credential, " +
			"the provider cannot tell its own access id, so this guard does not apply). No secret is ever printed: " +
			"LogicMonitor never returns an existing token's key.\n\n" +
			"If a configuration manages the token as `lm_api_token`, its next plan undoes the revocation (re-enables a " +
			"disabled token, re-creates a deleted one): set `enabled = false` there, or remove the resource, before applying it.",
		Attributes: map[string]schema.Attribute{
			"access_id": schema.StringAttribute{
				MarkdownDescription: "Access id of the token to revoke, as shown in the portal and in logs " +
					"(20 characters for LMv1 tokens, such as `48v2wRzfK94y53sq5EuF`). Not secret.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"mode": schema.StringAttribute{
				MarkdownDescription: "`disable` (default) sets the token to disabled (LogicMonitor status 1): its key stops " +
					"working at once and the token stays in the portal for the investigation, where it can be re-enabled. " +
					"`delete` deletes the token for good.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(revokeModeDisable, revokeModeDelete)},
			},
		},
	}
}

func (a *revokeAPITokenAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses the provider's own credential at plan time, before
// anything runs, when the access id is already known.
func (a *revokeAPITokenAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.data == nil {
		return
	}
	var cfg revokeAPITokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.AccessID.IsUnknown() || cfg.Mode.IsUnknown() {
		return
	}
	if d := a.selfRevoke(cfg, ""); d != nil {
		resp.Diagnostics.Append(d)
	}
}

// selfRevoke returns the refusal when access_id is the provider's own
// credential and allow_self_revoke is not set; id is "" before the token
// is looked up.
func (a *revokeAPITokenAction) selfRevoke(cfg revokeAPITokenModel, id string) diag.Diagnostic {
	if a.data.allowSelfRevoke || a.data.selfAccessID == "" || cfg.AccessID.ValueString() != a.data.selfAccessID {
		return nil
	}
	if id == "" {
		id = "(id not looked up)"
	}
	var tok apiTokenModel
	tok.ID, tok.AccessID = types.StringValue(id), cfg.AccessID
	d := selfRevokeDiag(revokeMode(cfg), tok)
	return diag.WithPath(path.Root("access_id"), d)
}

func revokeMode(cfg revokeAPITokenModel) string {
	if cfg.Mode.ValueString() == revokeModeDelete {
		return revokeModeDelete
	}
	return revokeModeDisable
}

func (a *revokeAPITokenAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	if a.data == nil {
		resp.Diagnostics.Append(apiErrorDiag("revoke the API token", errNotConfigured))
		return
	}
	var cfg revokeAPITokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	accessID, mode := cfg.AccessID.ValueString(), revokeMode(cfg)
	progress := func(format string, args ...any) {
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
	}

	progress("Looking for access id %s among all LMv1 and bearer tokens of the portal", accessID)
	tok, err := findAPIToken(ctx, a.data.client, 0, "accessId:"+lm.QuoteFilter(accessID))
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("look up the API token to revoke", err))
		return
	}
	// A `*` in a filter value is a wildcard: only an exact match counts.
	if tok == nil || tok.AccessID != accessID {
		resp.Diagnostics.AddAttributeError(path.Root("access_id"), "No API token has this access id",
			fmt.Sprintf("No LMv1 or bearer token of any user in the portal has access id %q, so nothing was revoked. "+
				"Check the value: access ids are case-sensitive, and an LMv1 access id has 20 characters. "+
				"If the token was deleted already, there is nothing left to revoke: remove the action or its trigger.", accessID))
		return
	}
	id := strconv.Itoa(int(tok.ID))
	if d := a.selfRevoke(cfg, id); d != nil {
		resp.Diagnostics.Append(d)
		return
	}
	state := "enabled"
	if !tok.Enabled() {
		state = "disabled"
	}
	progress("Found %s token %s of user %s (id %d), %s, note %q", normType(tok.Type), id, tok.AdminName, tok.AdminID, state, tok.Note)

	switch mode {
	case revokeModeDisable:
		if !tok.Enabled() {
			progress("Token %s (access id %s) is already disabled: nothing to do", id, accessID)
			return
		}
		s := lm.StatusDisabled
		updated, err := a.data.client.UpdateAPIToken(ctx, tok.AdminID, tok.ID, lm.APITokenPatch{Status: &s})
		if lm.IsNotFound(err) {
			a.data.tokens.remove(tok.AdminID, tok.Type, tok.ID)
			progress("Token %s (access id %s) was deleted meanwhile: its key no longer works", id, accessID)
			return
		}
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiag("disable the API token", err))
			return
		}
		updated.Type = tok.Type
		a.data.tokens.put(*updated)
		progress("Disabled token %s (access id %s): its key no longer authenticates. The token stays in the portal "+
			"for the investigation; delete it with mode = \"delete\" when done", id, accessID)
	case revokeModeDelete:
		err := a.data.client.DeleteAPIToken(ctx, tok.AdminID, tok.ID)
		if err != nil && !lm.IsNotFound(err) {
			resp.Diagnostics.Append(apiErrorDiag("delete the API token", err))
			return
		}
		a.data.tokens.remove(tok.AdminID, tok.Type, tok.ID)
		if err != nil {
			progress("Token %s (access id %s) was already deleted", id, accessID)
			return
		}
		progress("Deleted token %s (access id %s): its key no longer authenticates", id, accessID)
	}
}
