package provider

import (
	"context"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// TestReadGivesIdentityToStateWithout: a state written by a provider
// version without identity (no identity in the ReadResource request) comes
// back from its first refresh with admin_id and id, through the framework's
// own ReadResource.
func TestReadGivesIdentityToStateWithout(t *testing.T) {
	ctx := context.Background()
	srv := configuredServer(t)

	var sr resource.SchemaResponse
	(&apiTokenResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	readWithoutIdentity := func(tokenID int32) *tfprotov6.ReadResourceResponse {
		t.Helper()
		m, diags := importedTokenModel(ctx, lm.APIToken{ID: tokenID, AdminID: lmsim.SeedAdminID, Type: lm.TokenTypeLMv1, Status: lm.StatusEnabled})
		state := tfsdk.State{Schema: sr.Schema}
		diags.Append(state.Set(ctx, &m)...)
		if diags.HasError() {
			t.Fatal(diags)
		}
		stateValue, err := tfprotov6.NewDynamicValue(state.Raw.Type(), state.Raw)
		if err != nil {
			t.Fatal(err)
		}
		read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "lm_api_token", CurrentState: &stateValue})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range read.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				t.Fatalf("read of token %d: %s: %s", tokenID, d.Summary, d.Detail)
			}
		}
		return read
	}

	// A token deleted out of band: the state is removed with a warning,
	// not an error (the framework errors on a missing identity even then).
	gone := readWithoutIdentity(99999)
	if gone.NewState == nil {
		t.Fatal("no new state for a deleted token")
	}
	if v, err := gone.NewState.Unmarshal(tokenTypeOf(sr)); err != nil || !v.IsNull() {
		t.Errorf("the state of a deleted token should be removed: %v, %v", v, err)
	}

	read := readWithoutIdentity(lmsim.SeedTokenID)
	if read.NewIdentity == nil || read.NewIdentity.IdentityData == nil {
		t.Fatal("the refresh returned no identity")
	}
	var ir resource.IdentitySchemaResponse
	(&apiTokenResource{}).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
	got, err := read.NewIdentity.IdentityData.Unmarshal(ir.IdentitySchema.Type().TerraformType(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var ident map[string]tftypes.Value
	if err := got.As(&ident); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int64{"admin_id": int64(lmsim.SeedAdminID), "id": int64(lmsim.SeedTokenID)} {
		var f big.Float
		if err := ident[name].As(&f); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.Int64(); n != want {
			t.Errorf("identity %s = %s, want %d", name, f.String(), want)
		}
	}
}

func tokenTypeOf(sr resource.SchemaResponse) tftypes.Type {
	return sr.Schema.Type().TerraformType(context.Background())
}
