package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// tokenMetadataModel is what the data sources tell about a token: all of it
// but the secret, which LogicMonitor returns only at creation.
type tokenMetadataModel struct {
	ID         types.String      `tfsdk:"id"`
	AdminID    types.Int64       `tfsdk:"admin_id"`
	AccessID   types.String      `tfsdk:"access_id"`
	Note       types.String      `tfsdk:"note"`
	Enabled    types.Bool        `tfsdk:"enabled"`
	Type       types.String      `tfsdk:"type"`
	AdminName  types.String      `tfsdk:"admin_name"`
	CreatedBy  types.String      `tfsdk:"created_by"`
	CreatedOn  timetypes.RFC3339 `tfsdk:"created_on"`
	LastUsedOn timetypes.RFC3339 `tfsdk:"last_used_on"`
	Roles      types.Set         `tfsdk:"roles"`
}

func tokenMetadataFromAPI(ctx context.Context, t lm.APIToken) (tokenMetadataModel, diag.Diagnostics) {
	roles := t.Roles
	if roles == nil {
		roles = []string{}
	}
	set, diags := types.SetValueFrom(ctx, types.StringType, roles)
	return tokenMetadataModel{
		ID:         types.StringValue(strconv.FormatInt(int64(t.ID), 10)),
		AdminID:    types.Int64Value(int64(t.AdminID)),
		AccessID:   types.StringValue(t.AccessID),
		Note:       types.StringValue(t.Note),
		Enabled:    types.BoolValue(t.Enabled()),
		Type:       types.StringValue(normType(t.Type)),
		AdminName:  types.StringValue(t.AdminName),
		CreatedBy:  types.StringValue(t.CreatedBy),
		CreatedOn:  epochToRFC3339(t.CreatedOn),
		LastUsedOn: epochToRFC3339(t.LastUsedOn),
		Roles:      set,
	}, diags
}

// tokenMetadataAttributes describes tokenMetadataModel's computed fields;
// lm_api_token takes id/access_id as inputs, so it overrides those two.
func tokenMetadataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":         schema.StringAttribute{MarkdownDescription: "Token id.", Computed: true},
		"admin_id":   schema.Int64Attribute{MarkdownDescription: "Id of the token's user.", Computed: true},
		"access_id":  schema.StringAttribute{MarkdownDescription: "Access id.", Computed: true},
		"note":       schema.StringAttribute{MarkdownDescription: "Note.", Computed: true},
		"enabled":    schema.BoolAttribute{MarkdownDescription: "Whether the token can authenticate.", Computed: true},
		"type":       schema.StringAttribute{MarkdownDescription: "`lmv1` or `bearer`.", Computed: true},
		"admin_name": schema.StringAttribute{MarkdownDescription: "Username of the token's user.", Computed: true},
		"created_by": schema.StringAttribute{MarkdownDescription: "Who created the token.", Computed: true},
		"created_on": schema.StringAttribute{
			MarkdownDescription: "Creation time (RFC 3339).", Computed: true, CustomType: timetypes.RFC3339Type{},
		},
		"last_used_on": schema.StringAttribute{
			MarkdownDescription: "Last authentication (RFC 3339), or null if never.", Computed: true, CustomType: timetypes.RFC3339Type{},
		},
		"roles": schema.SetAttribute{
			MarkdownDescription: "Role names of the token's user.", Computed: true, ElementType: types.StringType,
		},
	}
}
