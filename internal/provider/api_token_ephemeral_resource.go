package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure = (*apiTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*apiTokenEphemeralResource)(nil)
)

// privateKeyToken is where Open leaves, for Close, which token to delete.
const privateKeyToken = "token"

func newAPITokenEphemeralResource() ephemeral.EphemeralResource { return &apiTokenEphemeralResource{} }

type apiTokenEphemeralResource struct{ data *providerData }

type apiTokenEphemeralModel struct {
	AdminID   types.Int64  `tfsdk:"admin_id"`
	Note      types.String `tfsdk:"note"`
	Type      types.String `tfsdk:"type"`
	ID        types.String `tfsdk:"id"`
	AccessID  types.String `tfsdk:"access_id"`
	AccessKey types.String `tfsdk:"access_key"`
}

type ephemeralTokenRef struct {
	AdminID int32 `json:"admin_id"`
	TokenID int32 `json:"token_id"`
}

func (e *apiTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (e *apiTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A LogicMonitor API token that lives for one Terraform run: opening it creates a token, " +
			"closing it deletes the token (`DELETE /setting/admins/{adminID}/apitokens/{apiTokenID}`), also when the run " +
			"fails after it was opened. Nothing of it is written to state or plan files.\n\n" +
			"**Terraform and OpenTofu open ephemeral resources during `plan` as well as during `apply`**, so every plan " +
			"creates and deletes one token too. Requires Terraform 1.10 or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"admin_id": schema.Int64Attribute{
				MarkdownDescription: "Id of the user the token is created for.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.Between(1, math.MaxInt32)},
			},
			"note": schema.StringAttribute{
				MarkdownDescription: "Note on the token. Defaults to `terraform-ephemeral <uuid>`.",
				Optional:            true,
				Computed:            true,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`lmv1` (default) or `bearer`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.OneOf(lm.TokenTypeLMv1, lm.TokenTypeBearer)},
			},
			"id":        schema.StringAttribute{MarkdownDescription: "The token's id.", Computed: true},
			"access_id": schema.StringAttribute{MarkdownDescription: "The token's access id.", Computed: true},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "The secret: LMv1 access key, or the bearer token.", Computed: true, Sensitive: true,
			},
		},
	}
}

func (e *apiTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *apiTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if e.data == nil {
		resp.Diagnostics.Append(apiErrorDiag("open the ephemeral API token", errNotConfigured))
		return
	}
	var m apiTokenEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Note.IsNull() || m.Note.IsUnknown() {
		m.Note = types.StringValue("terraform-ephemeral " + uuid.NewString())
	}
	if m.Type.IsNull() || m.Type.IsUnknown() {
		m.Type = types.StringValue(lm.TokenTypeLMv1)
	}
	adminID := toInt32(m.AdminID.ValueInt64())
	tok, err := e.data.client.CreateAPIToken(ctx, adminID, lm.CreateAPITokenRequest{
		Note: m.Note.ValueString(), Enabled: true, Type: m.Type.ValueString(),
	})
	if lm.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("admin_id"), "Unknown LogicMonitor user",
			fmt.Sprintf("No LogicMonitor user has id %d, so no token was created.\n\n%s", adminID, err))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiag("create the ephemeral API token", err))
		return
	}
	ref, err := json.Marshal(ephemeralTokenRef{AdminID: adminID, TokenID: tok.ID})
	if err == nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyToken, ref)...)
	}
	if err != nil || resp.Diagnostics.HasError() {
		// Without the reference Close could not delete it: do it now.
		_ = e.data.client.DeleteAPIToken(ctx, adminID, tok.ID)
		resp.Diagnostics.AddError("Cannot keep the ephemeral token's reference", fmt.Sprintf("the token was deleted again: %v", err))
		return
	}
	openEphemeral.add(ephemeralTokenRef{AdminID: adminID, TokenID: tok.ID}, e.data.client)
	m.ID = types.StringValue(strconv.FormatInt(int64(tok.ID), 10))
	m.AccessID = types.StringValue(tok.AccessID)
	m.AccessKey = types.StringValue(tok.AccessKey)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

func (e *apiTokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, privateKeyToken)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || len(raw) == 0 {
		return
	}
	var ref ephemeralTokenRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		resp.Diagnostics.AddError("Corrupt ephemeral token reference", err.Error())
		return
	}
	if e.data == nil {
		resp.Diagnostics.Append(apiErrorDiag("delete the ephemeral API token", errNotConfigured))
		return
	}
	err := e.data.client.DeleteAPIToken(ctx, ref.AdminID, ref.TokenID)
	if err != nil && !lm.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiag(fmt.Sprintf("delete ephemeral API token %d of user %d", ref.TokenID, ref.AdminID), err))
		return
	}
	openEphemeral.done(ref)
}
