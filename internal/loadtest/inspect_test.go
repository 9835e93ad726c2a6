package loadtest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestStateTokenIDsCountsPreviousTokens: a key kept as previous_token
// during a rotation's overlap is recorded, so the soak must not call it an
// orphan; the data source's and other types' ids are not tokens.
func TestStateTokenIDsCountsPreviousTokens(t *testing.T) {
	dir := t.TempDir()
	state := `{"version": 4, "resources": [
	  {"mode": "managed", "type": "lm_api_token", "instances": [
	    {"attributes": {"id": "12", "previous_token": {"id": "11", "access_id": "a", "retires_on": "2026-01-01T00:00:00Z"}}},
	    {"attributes": {"id": "13", "previous_token": null}}
	  ]},
	  {"mode": "data", "type": "lm_api_token", "instances": [{"attributes": {"id": "99"}}]},
	  {"mode": "managed", "type": "lm_user", "instances": [{"attributes": {"id": "98"}}]}
	]}`
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := StateTokenIDs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int32]bool{11: true, 12: true, 13: true}; !reflect.DeepEqual(got, want) {
		t.Errorf("StateTokenIDs = %v, want %v", got, want)
	}
}
