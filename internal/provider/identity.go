package provider

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// idIdentity is the resource identity of lm_user and lm_role: the object's
// numeric id, the one number of its API path.
type idIdentity struct {
	ID types.Int64 `tfsdk:"id"`
}

// idIdentitySchema describes idIdentity; Terraform 1.12+ and OpenTofu
// 1.12+ accept it in an import block's identity.
func idIdentitySchema(desc string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.Int64Attribute{Description: desc, RequiredForImport: true},
		},
	}
}

// setIDIdentity records the identity of the object with that id. CLIs
// without resource identity hand the provider no identity to set.
func setIDIdentity(ctx context.Context, ident *tfsdk.ResourceIdentity, id int32, diags *diag.Diagnostics) {
	if ident == nil {
		return
	}
	diags.Append(ident.Set(ctx, idIdentity{ID: types.Int64Value(int64(id))})...)
}

// importID is the import id, or the id of an import block's identity
// (then written as a number string, as an id would be).
func importID(ctx context.Context, req resource.ImportStateRequest, kind string, diags *diag.Diagnostics) (string, bool) {
	if req.ID != "" || req.Identity == nil || req.Identity.Raw.IsNull() {
		return req.ID, true
	}
	var ident idIdentity
	diags.Append(req.Identity.Get(ctx, &ident)...)
	if diags.HasError() {
		return "", false
	}
	if ident.ID.IsNull() || ident.ID.IsUnknown() || ident.ID.ValueInt64() <= 0 || ident.ID.ValueInt64() > math.MaxInt32 {
		diags.AddError("Invalid import identity", fmt.Sprintf("identity.id must be the positive id of the %s, got %s. "+
			"Write identity = { id = <%s id> }, such as { id = 7 }.", kind, ident.ID, kind))
		return "", false
	}
	return strconv.FormatInt(ident.ID.ValueInt64(), 10), true
}

// lookupForImport resolves an import id that is either an object's
// numeric id or its name, with an error that shows both forms.
func lookupForImport[T any](ctx context.Context, rawID, kind, forms string,
	byID func(context.Context, int32) (*T, error), byName func(context.Context, string) ([]T, error), diags *diag.Diagnostics,
) *T {
	id := strings.TrimSpace(rawID)
	var found *T
	var err error
	switch {
	case id == "":
		diags.AddError("Invalid import id", fmt.Sprintf("The %s import id is empty. %s", kind, forms))
		return nil
	case isDigits(id):
		n, perr := strconv.ParseInt(id, 10, 32)
		if perr != nil || n <= 0 {
			diags.AddError("Invalid import id", fmt.Sprintf("%q is not a valid %s id. %s", rawID, kind, forms))
			return nil
		}
		found, err = byID(ctx, int32(n))
		if lm.IsNotFound(err) {
			found, err = nil, nil
		}
	default:
		var all []T
		all, err = byName(ctx, id)
		if len(all) > 0 {
			found = &all[0]
		}
	}
	if err != nil {
		diags.Append(apiErrorDiag("look up the "+kind+" to import", err))
		return nil
	}
	if found == nil {
		diags.AddError(strings.ToUpper(kind[:1])+kind[1:]+" not found", fmt.Sprintf("LogicMonitor has no %s matching %q. %s", kind, rawID, forms))
	}
	return found
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
