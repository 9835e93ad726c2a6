package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

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
