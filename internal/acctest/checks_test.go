package acctest

import (
	"context"
	"encoding/json"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// TestExpectIdentityMatchesState: a numeric identity matches the state's
// string id and number admin_id; anything else fails.
func TestExpectIdentityMatchesState(t *testing.T) {
	state := func(attrs, identity map[string]any) *tfjson.State {
		return &tfjson.State{Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{Resources: []*tfjson.StateResource{
			{Address: "lm_api_token.test", AttributeValues: attrs, IdentityValues: identity},
		}}}}
	}
	attrs := map[string]any{"id": "146", "admin_id": json.Number("131")}
	for _, tc := range []struct {
		name     string
		address  string
		identity map[string]any
		ok       bool
	}{
		{"matches", "lm_api_token.test", map[string]any{"id": json.Number("146"), "admin_id": json.Number("131")}, true},
		{"other id", "lm_api_token.test", map[string]any{"id": json.Number("147"), "admin_id": json.Number("131")}, false},
		{"other admin", "lm_api_token.test", map[string]any{"id": json.Number("146"), "admin_id": json.Number("132")}, false},
		{"string identity", "lm_api_token.test", map[string]any{"id": "146", "admin_id": json.Number("131")}, false},
		{"no identity", "lm_api_token.test", nil, false},
		{"not in state", "lm_api_token.other", map[string]any{"id": json.Number("146"), "admin_id": json.Number("131")}, false},
	} {
		var resp statecheck.CheckStateResponse
		ExpectIdentityMatchesState(tc.address, "admin_id", "id").CheckState(context.Background(),
			statecheck.CheckStateRequest{State: state(attrs, tc.identity)}, &resp)
		if (resp.Error == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok = %v", tc.name, resp.Error, tc.ok)
		}
	}
	var resp statecheck.CheckStateResponse
	ExpectIdentityMatchesState("lm_api_token.test", "id").CheckState(context.Background(),
		statecheck.CheckStateRequest{State: state(map[string]any{"id": ""}, map[string]any{"id": json.Number("0")})}, &resp)
	if resp.Error == nil {
		t.Error("an empty state id matched")
	}
}
