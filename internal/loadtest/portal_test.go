package loadtest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

func TestParsePortalShape(t *testing.T) {
	p, err := ParsePortalShape("100x1000x10000")
	if err != nil || p != (PortalShape{100, 1000, 10000}) || p.UsersPerTeam() != 10 || p.TokensPerTeam() != 100 || p.Resources() != 11100 {
		t.Errorf("ParsePortalShape(100x1000x10000) = %+v, %v", p, err)
	}
	if q := p.Teams(5); q != (PortalShape{5, 50, 500}) {
		t.Errorf("Teams(5) = %+v", q)
	}
	for _, bad := range []string{"", "100x1000", "0x10x10", "3x10x9", "3x9x10", "ax1x1", "1x1x1x1"} {
		if _, err := ParsePortalShape(bad); err == nil {
			t.Errorf("ParsePortalShape(%q) accepted", bad)
		}
	}
}

func TestPortalConfig(t *testing.T) {
	cfg := PortalConfig(PortalShape{3, 6, 12})
	for s, want := range map[string]int{
		`resource "lm_role" "r"`:               1,
		`resource "lm_user" "u`:                3,
		`resource "lm_api_token" "t`:           3,
		`count    = 2`:                         3, // users per team
		`count    = 4`:                         3, // tokens per team
		`admin_id = lm_user.u2[0].id`:          1,
		`roles    = [lm_role.r[2].id]`:         1,
		`note     = "bench t1 ${count.index}"`: 1,
	} {
		if got := strings.Count(cfg, s); got != want {
			t.Errorf("PortalConfig has %d × %q, want %d:\n%s", got, s, want, cfg)
		}
	}
	floor := PortalFloorConfig(PortalShape{3, 6, 12})
	if got := strings.Count(floor, `resource "lmfloor_api_token"`); got != 7 {
		t.Errorf("PortalFloorConfig has %d blocks, want 7:\n%s", got, floor)
	}
}

func TestPattern(t *testing.T) {
	got := ByPattern([]Entry{
		{Method: "GET", Path: "/santaba/rest/setting/admins/131/apitokens"},
		{Method: "GET", Path: "/santaba/rest/setting/admins/140/apitokens"},
		{Method: "GET", Path: "/santaba/rest/setting/admins/apitokens"},
		{Method: "DELETE", Path: "/santaba/rest/setting/admins/131/apitokens/146"},
		{Method: "GET", Path: "/santaba/rest/setting/roles/7"},
		{Method: "GET", Path: "/santaba/rest/setting/roles/8"},
	})
	want := []PatternCount{
		{"GET /setting/admins/{id}/apitokens", 2},
		{"GET /setting/roles/{id}", 2},
		{"DELETE /setting/admins/{id}/apitokens/{id}", 1},
		{"GET /setting/admins/apitokens", 1},
	}
	if len(got) != len(want) {
		t.Fatalf("ByPattern = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ByPattern[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// createdState is the state of the first team of a 2x4x4 portal, shaped
// as Terraform 1.16 writes the provider's.
const createdState = `{
  "version": 4, "terraform_version": "1.16.4", "serial": 7, "lineage": "l",
  "outputs": {},
  "resources": [
    {"mode": "managed", "type": "lm_api_token", "name": "t0", "provider": "provider[\"registry.terraform.io/lmtf/lm\"]",
     "instances": [
      {"index_key": 0, "schema_version": 0, "attributes": {"access_id": "A0", "access_key": "K0", "admin_id": 10, "admin_name": "bench-t0-u0",
        "created_by": "terraform", "created_on": "2026-12-07T04:10:23Z", "enabled": true, "id": "100", "last_used_on": null, "note": "bench t0 0",
        "on_destroy": "delete", "roles": ["bench-team-0"], "type": "lmv1"},
       "sensitive_attributes": [[{"type": "get_attr", "value": "access_key"}]], "identity_schema_version": 0,
       "identity": {"admin_id": 10, "id": 100}, "dependencies": ["lm_role.r", "lm_user.u0"]},
      {"index_key": 1, "schema_version": 0, "attributes": {"access_id": "A1", "access_key": "lmb_K1", "admin_id": 10, "admin_name": "bench-t0-u0",
        "created_by": "terraform", "created_on": "2026-12-07T04:10:23Z", "enabled": true, "id": "101", "last_used_on": null, "note": "bench t0 1",
        "on_destroy": "delete", "roles": ["bench-team-0"], "type": "bearer"},
       "sensitive_attributes": [[{"type": "get_attr", "value": "access_key"}]], "identity_schema_version": 0,
       "identity": {"admin_id": 10, "id": 101}, "dependencies": ["lm_role.r", "lm_user.u0"]}]},
    {"mode": "managed", "type": "lm_role", "name": "r", "provider": "provider[\"registry.terraform.io/lmtf/lm\"]",
     "instances": [
      {"index_key": 0, "schema_version": 0, "attributes": {"associated_user_count": 0, "description": "bench portal team 0", "id": "3",
        "name": "bench-team-0", "privileges": [{"object_id": "*", "object_type": "host_group", "operation": "read"}]},
       "sensitive_attributes": [], "identity_schema_version": 0, "identity": {"id": 3}}]},
    {"mode": "managed", "type": "lm_user", "name": "u0", "provider": "provider[\"registry.terraform.io/lmtf/lm\"]",
     "instances": [
      {"index_key": 0, "schema_version": 0, "attributes": {"api_only": true, "email": "team-0@example.com", "id": "10", "roles": [3],
        "username": "bench-t0-u0"}, "identity_schema_version": 0, "identity": {"id": 10}, "dependencies": ["lm_role.r"]},
      {"index_key": 1, "schema_version": 0, "attributes": {"api_only": true, "email": "team-0@example.com", "id": "11", "roles": [3],
        "username": "bench-t0-u1"}, "identity_schema_version": 0, "identity": {"id": 11}, "dependencies": ["lm_role.r"]}]}
  ]
}`

func TestPortalState(t *testing.T) {
	p := PortalShape{2, 4, 4}
	team1 := PortalTeam{
		Role:  lmsim.Role{ID: 4, Name: "bench-team-1", Description: "bench portal team 1"},
		Users: []lmsim.Admin{{ID: 20, Username: "bench-t1-u0", Email: "team-1@example.com"}, {ID: 21, Username: "bench-t1-u1", Email: "team-1@example.com"}},
		Tokens: []lmsim.Token{
			{ID: 200, AdminID: 20, Type: "lmv1", AccessID: "B0", AccessKey: "L0", Note: "bench t1 0", CreatedOn: 1796616000},
			{ID: 201, AdminID: 20, Type: "bearer", AccessID: "B1", AccessKey: "lmb_L1", Note: "bench t1 1", CreatedOn: 1796616000},
		},
	}
	out, err := PortalState([]byte(createdState), p, []PortalTeam{team1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Serial    int `json:"serial"`
		Resources []struct {
			Type, Name string
			Instances  []struct {
				IndexKey     int            `json:"index_key"`
				Attributes   map[string]any `json:"attributes"`
				Identity     map[string]any `json:"identity"`
				Dependencies []string       `json:"dependencies"`
				Sensitive    []any          `json:"sensitive_attributes"`
			}
		}
	}
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatal(err)
	}
	if st.Serial != 8 {
		t.Errorf("serial = %d, want 8 (one more than the created state's)", st.Serial)
	}
	byName := map[string]int{}
	for i, r := range st.Resources {
		byName[r.Type+"."+r.Name] = i
	}
	for _, want := range []string{"lm_role.r", "lm_user.u0", "lm_api_token.t0", "lm_user.u1", "lm_api_token.t1"} {
		if _, ok := byName[want]; !ok {
			t.Fatalf("no %s in %v", want, byName)
		}
	}
	roles := st.Resources[byName["lm_role.r"]].Instances
	if len(roles) != 2 || roles[1].IndexKey != 1 || roles[1].Attributes["id"] != "4" || roles[1].Attributes["name"] != "bench-team-1" ||
		roles[1].Attributes["description"] != "bench portal team 1" || roles[1].Identity["id"] != float64(4) {
		t.Errorf("lm_role.r = %+v", roles)
	}
	if roles[0].Attributes["id"] != "3" {
		t.Errorf("the created role changed: %+v", roles[0])
	}
	u := st.Resources[byName["lm_user.u1"]].Instances
	if len(u) != 2 || u[1].Attributes["id"] != "21" || u[1].Attributes["username"] != "bench-t1-u1" || u[1].Identity["id"] != float64(21) ||
		u[1].Attributes["roles"].([]any)[0] != float64(4) || u[1].Attributes["api_only"] != true {
		t.Errorf("lm_user.u1 = %+v", u)
	}
	tok := st.Resources[byName["lm_api_token.t1"]].Instances
	if len(tok) != 2 {
		t.Fatalf("lm_api_token.t1 has %d instances", len(tok))
	}
	b := tok[1]
	for k, want := range map[string]any{"id": "201", "admin_id": float64(20), "note": "bench t1 1", "type": "bearer", "access_id": "B1",
		"access_key": "lmb_L1", "admin_name": "bench-t1-u0", "created_on": "2026-12-07T04:00:00Z", "on_destroy": "delete"} {
		if b.Attributes[k] != want {
			t.Errorf("lm_api_token.t1[1].%s = %v, want %v", k, b.Attributes[k], want)
		}
	}
	if r := b.Attributes["roles"].([]any); len(r) != 1 || r[0] != "bench-team-1" {
		t.Errorf("lm_api_token.t1[1].roles = %v", r)
	}
	if b.Identity["admin_id"] != float64(20) || b.Identity["id"] != float64(201) {
		t.Errorf("lm_api_token.t1[1] identity = %v", b.Identity)
	}
	if strings.Join(b.Dependencies, ",") != "lm_role.r,lm_user.u1" {
		t.Errorf("lm_api_token.t1[1] dependencies = %v", b.Dependencies)
	}
	if len(b.Sensitive) != 1 {
		t.Errorf("lm_api_token.t1[1] lost its sensitive access_key mark: %v", b.Sensitive)
	}
	// The template must not have been touched.
	if t0 := st.Resources[byName["lm_api_token.t0"]].Instances[1]; t0.Attributes["id"] != "101" || t0.Dependencies[1] != "lm_user.u0" {
		t.Errorf("the created token changed: %+v", t0)
	}

	if _, err := PortalState([]byte(createdState), PortalShape{2, 4, 6}, []PortalTeam{team1}, 1); err == nil {
		t.Error("PortalState accepted a created team of the wrong size")
	}
}

func TestPortalFloorState(t *testing.T) {
	tiny := `{"version": 4, "serial": 3, "lineage": "l", "resources": [
 {"mode": "managed", "type": "lmfloor_api_token", "name": "r", "instances": [{"index_key": 0, "attributes": {"id": "1", "admin_id": 1, "note": "bench-team-0"}}]},
 {"mode": "managed", "type": "lmfloor_api_token", "name": "u0", "instances": [{"index_key": 0, "attributes": {"id": "2", "admin_id": 1, "note": "bench-t0-u0"}, "dependencies": ["lmfloor_api_token.r"]}]},
 {"mode": "managed", "type": "lmfloor_api_token", "name": "t0", "instances": [{"index_key": 0, "attributes": {"id": "3", "admin_id": 2, "note": "bench t0 0"}, "dependencies": ["lmfloor_api_token.r", "lmfloor_api_token.u0"]}]}]}`
	out, err := PortalFloorState([]byte(tiny), PortalShape{2, 4, 6})
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Name      string
			Instances []struct {
				Attributes   map[string]any `json:"attributes"`
				Dependencies []string       `json:"dependencies"`
			}
		}
	}
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatal(err)
	}
	var names []string
	n := 0
	for _, r := range st.Resources {
		names = append(names, r.Name)
		n += len(r.Instances)
	}
	if strings.Join(names, ",") != "r,u0,t0,u1,t1" || n != 12 {
		t.Fatalf("blocks %v with %d instances, want r,u0,t0,u1,t1 with 12", names, n)
	}
	t1 := st.Resources[4].Instances[2]
	u1 := st.Resources[3].Instances[0]
	if t1.Attributes["note"] != "bench t1 2" || t1.Attributes["admin_id"] != mustAtof(t, u1.Attributes["id"]) ||
		strings.Join(t1.Dependencies, ",") != "lmfloor_api_token.r,lmfloor_api_token.u1" {
		t.Errorf("lmfloor_api_token.t1[2] = %+v (u1[0] = %+v)", t1, u1)
	}
	if u1.Attributes["admin_id"] != mustAtof(t, st.Resources[0].Instances[1].Attributes["id"]) {
		t.Errorf("lmfloor_api_token.u1[0] does not refer to r[1]: %+v", u1)
	}
}

func mustAtof(t *testing.T, v any) float64 {
	t.Helper()
	var f float64
	if err := json.Unmarshal([]byte(v.(string)), &f); err != nil {
		t.Fatalf("%v is not a numeric string", v)
	}
	return f
}
