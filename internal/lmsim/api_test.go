package lmsim

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestAPIVersionEnvelope(t *testing.T) {
	s := startSim(t, Options{})
	for _, version := range []string{"none", "1"} {
		t.Run("X-Version "+version, func(t *testing.T) {
			r := s.do(t, req{path: "/setting/admins/131", cred: adminCred, version: version})
			wantStatus(t, r, http.StatusOK)
			m := r.json(t)
			if m["status"] != 200.0 || m["errmsg"] != "OK" {
				t.Errorf("envelope = %s", r.body)
			}
			if data, _ := m["data"].(map[string]any); data["username"] != "jdoe" {
				t.Errorf("data = %v", m["data"])
			}
			// Errors keep HTTP 200 and carry the status in the envelope.
			r = s.do(t, req{path: "/setting/admins/999", cred: adminCred, version: version})
			wantStatus(t, r, http.StatusOK)
			m = r.json(t)
			if m["status"] != 404.0 || m["errmsg"] != "User <999> is not found" || m["data"] != nil {
				t.Errorf("v1 error envelope = %s", r.body)
			}
			r = s.do(t, req{path: "/setting/roles", version: version})
			if m := r.json(t); r.status != http.StatusOK || m["status"] != 401.0 {
				t.Errorf("v1 unauthenticated = %d %s", r.status, r.body)
			}
		})
	}
	for _, version := range []string{"2", "3"} {
		r := s.do(t, req{path: "/setting/admins/131", cred: adminCred, version: version})
		if m := r.json(t); m["username"] != "jdoe" {
			t.Errorf("X-Version %s: %s", version, r.body)
		}
		wantError(t, s.do(t, req{path: "/setting/admins/999", cred: adminCred, version: version}), http.StatusNotFound, "User <999> is not found")
	}
}

func TestErrors(t *testing.T) {
	s := startSim(t, Options{})
	// Token 100 belongs to admin 100, not 131.
	cases := []struct {
		name   string
		rq     req
		status int
		msg    string
	}{
		{"missing user", req{path: "/setting/admins/999"}, 404, "User <999> is not found"},
		{"patch missing user", req{method: "PATCH", path: "/setting/admins/999", body: `{}`}, 404, "User <999> is not found"},
		{"delete missing user", req{method: "DELETE", path: "/setting/admins/999"}, 404, "User <999> is not found"},
		{"tokens of missing user", req{path: "/setting/admins/999/apitokens"}, 404, "User <999> is not found"},
		{"create token for missing user", req{method: "POST", path: "/setting/admins/999/apitokens", body: `{}`}, 404, "User <999> is not found"},
		{"delete missing token", req{method: "DELETE", path: "/setting/admins/131/apitokens/999"}, 404, "API token <999> is not found for user <131>"},
		{"delete token of another user", req{method: "DELETE", path: "/setting/admins/131/apitokens/100"}, 404, "API token <100> is not found for user <131>"},
		{"patch missing token", req{method: "PATCH", path: "/setting/admins/131/apitokens/999", body: `{}`}, 404, "API token <999> is not found for user <131>"},
		{"put missing token", req{method: "PUT", path: "/setting/admins/131/apitokens/999", body: `{}`}, 404, "API token <999> is not found for user <131>"},
		{"missing role", req{path: "/setting/roles/99"}, 404, "Role <99> is not found"},
		{"unknown path", req{path: "/setting/collectors"}, 404, "No such API"},
		{"id too large", req{path: "/setting/admins/99999999999"}, 404, "No such API"},
		{"malformed JSON", req{method: "POST", path: "/setting/admins/131/apitokens", body: `{"note":`}, 400, "Malformed JSON"},
		{"JSON not an object", req{method: "POST", path: "/setting/admins/131/apitokens", body: `[]`}, 400, "Malformed JSON"},
		{"wrong JSON type", req{method: "PATCH", path: "/setting/admins/131/apitokens/146", body: `{"status":"2"}`}, 400, "Malformed JSON"},
		{"empty body", req{method: "POST", path: "/setting/admins/131/apitokens"}, 400, "empty"},
		{"invalid status", req{method: "PATCH", path: "/setting/admins/131/apitokens/146", body: `{"status":3}`}, 400, "status 3"},
		{"unknown token type", req{method: "POST", path: "/setting/admins/131/apitokens", query: "type=oauth", body: `{}`}, 400, "type"},
		{"unknown filter field", req{path: "/setting/admins/apitokens", query: "filter=accessKey:x"}, 400, `"accessKey" is not supported`},
		{"unknown user filter field", req{path: "/setting/admins", query: "filter=password:x"}, 400, "not supported"},
		{"unterminated quote", req{path: "/setting/admins", query: url.Values{"filter": {`username:"jdoe`}}.Encode()}, 400, "closing quote"},
		{"no operator", req{path: "/setting/admins", query: "filter=username"}, 400, "operator"},
		{"size above 1000", req{path: "/setting/admins/apitokens", query: "size=1001"}, 400, "above the maximum of 1000"},
		{"size not a number", req{path: "/setting/admins", query: "size=ten"}, 400, "not an integer"},
		{"negative offset", req{path: "/setting/admins/apitokens", query: "offset=-1"}, 400, "negative"},
		{"username taken", req{method: "POST", path: "/setting/admins", body: `{"username":"jdoe","email":"j@example.com","roles":[{"id":1}]}`}, 400, "already used"},
		{"user without roles", req{method: "POST", path: "/setting/admins", body: `{"username":"new","email":"n@example.com"}`}, 400, "required"},
		{"user with unknown role", req{method: "POST", path: "/setting/admins", body: `{"username":"new","email":"n@example.com","roles":[{"id":77}]}`}, 400, "does not exist"},
		{"role in use", req{method: "DELETE", path: "/setting/roles/2"}, 400, "assigned"},
		{"GET one token", req{path: "/setting/admins/131/apitokens/146"}, 405, "GET is not supported"},
		{"POST all tokens", req{method: "POST", path: "/setting/admins/apitokens", body: `{}`}, 405, "POST is not supported"},
		{"DELETE user list", req{method: "DELETE", path: "/setting/admins"}, 405, "DELETE is not supported"},
		{"HEAD-like OPTIONS", req{method: "OPTIONS", path: "/setting/roles"}, 405, "OPTIONS is not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.rq.cred = adminCred
			r := s.do(t, tc.rq)
			wantError(t, r, tc.status, tc.msg)
			if tc.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without Allow header")
			}
		})
	}
	// Outside /santaba/rest.
	outside, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.TrimSuffix(s.URL, BasePath)+"/index.html", nil)
	res, err := s.client.Do(outside)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("outside the API: %d", res.StatusCode)
	}
}

func TestPaging(t *testing.T) {
	fx := DefaultFixture()
	const n = 2500
	for i := range n {
		fx.APITokens = append(fx.APITokens, Token{
			ID: int32(1000 + i), AdminID: PipelineAdminID, AccessID: fmt.Sprintf("page%016d", i),
			AccessKey: fmt.Sprintf("key%037d", i), Note: fmt.Sprintf("bulk %d", i), Status: StatusEnabled,
		})
	}
	s := startSim(t, Options{Fixture: fx, RateLimits: RateLimits{Disabled: true}})
	path := fmt.Sprintf("/setting/admins/%d/apitokens", PipelineAdminID)

	var got []int
	for offset := 0; ; offset += 1000 {
		total, list := items(t, s.do(t, req{path: path, query: fmt.Sprintf("size=1000&offset=%d", offset), cred: adminCred}))
		if total != n {
			t.Fatalf("total = %d, want %d", total, n)
		}
		if len(list) == 0 {
			break
		}
		got = append(got, ids(list)...)
	}
	if len(got) != n || !slices.IsSorted(got) || got[0] != 1000 || got[n-1] != 1000+n-1 {
		t.Fatalf("paged %d ids, sorted %v", len(got), slices.IsSorted(got))
	}

	total, list := items(t, s.do(t, req{path: path, cred: adminCred}))
	if total != n || len(list) != defaultPageSize {
		t.Errorf("default page: total %d, %d items", total, len(list))
	}
	total, list = items(t, s.do(t, req{path: path, query: "offset=2490", cred: adminCred}))
	if total != n || len(list) != 10 {
		t.Errorf("last page: total %d, %d items", total, len(list))
	}
	total, list = items(t, s.do(t, req{path: path, query: "offset=5000", cred: adminCred}))
	if total != n || len(list) != 0 {
		t.Errorf("past the end: total %d, %d items", total, len(list))
	}
	total, list = items(t, s.do(t, req{path: path, query: "size=0", cred: adminCred}))
	if total != n || len(list) != 0 {
		t.Errorf("size=0: total %d, %d items", total, len(list))
	}
	wantError(t, s.do(t, req{path: path, query: "size=1001", cred: adminCred}), 400, "maximum of 1000")
	wantError(t, s.do(t, req{path: "/setting/admins/apitokens", query: "size=5000", cred: adminCred}), 400, "maximum of 1000")

	// fields restricts every item.
	_, list = items(t, s.do(t, req{path: path, query: "size=3&fields=id,note", cred: adminCred}))
	for _, it := range list {
		if len(it) != 2 || it["id"] == nil || it["note"] == nil {
			t.Errorf("fields=id,note gave %v", it)
		}
	}
	r := s.do(t, req{path: "/setting/admins/131", query: "fields=username", cred: adminCred})
	if m := r.json(t); len(m) != 1 || m["username"] != "jdoe" {
		t.Errorf("fields on one user: %s", r.body)
	}
}

func TestFilters(t *testing.T) {
	fx := fixtureWith(nil, []Token{
		{ID: 170, AdminID: SeedAdminID, AccessID: "filterComma000000001", AccessKey: "k170", Note: "a,b|c", Status: StatusDisabled},
		{ID: 171, AdminID: SeedAdminID, AccessID: "filterQuote000000001", AccessKey: "k171", Note: `say "hi"`},
		{ID: 172, AdminID: SeedAdminID, AccessID: "filterPlain000000001", AccessKey: "k172", Note: "a"},
	})
	s := startSim(t, Options{Fixture: fx})
	cases := []struct {
		name, path, filter string
		want               []int
	}{
		{"token id", "/setting/admins/apitokens", "id:146", []int{146}},
		{"token id quoted", "/setting/admins/apitokens", `id:"146"`, []int{146}},
		{"accessId quoted", "/setting/admins/apitokens", `accessId:"48v2wRzfK94y53sq5EuF"`, []int{146}},
		{"accessId bare", "/setting/admins/apitokens", `accessId:lmsimAuditorReadOnly`, []int{150}},
		{"adminId", "/setting/admins/apitokens", "adminId:100", []int{100}},
		{"not equal", "/setting/admins/131/apitokens", "status!:2", []int{170}},
		{"contains", "/setting/admins/apitokens", `note~"SEED"`, []int{146}},
		{"not contains", "/setting/admins/131/apitokens", `note!~"SEED"`, []int{170, 171, 172}},
		{"OR", "/setting/admins/apitokens", "id:146|150", []int{146, 150}},
		{"not equal OR", "/setting/admins/131/apitokens", "id!:146|170", []int{171, 172}},
		{"AND", "/setting/admins/apitokens", "adminId:131,status:2", []int{146, 171, 172}},
		{"AND of OR", "/setting/admins/apitokens", "id:100|146|150,adminId:131|141", []int{146, 150}},
		{"quoted comma and pipe", "/setting/admins/apitokens", `note:"a,b|c"`, []int{170}},
		{"quoted comma in OR", "/setting/admins/apitokens", `note:"a,b|c"|"a"`, []int{170, 172}},
		{"escaped quote", "/setting/admins/apitokens", `note:"say \"hi\""`, []int{171}},
		{"wildcard", "/setting/admins/apitokens", `note:"terraform*"`, []int{100}},
		{"wildcard middle", "/setting/admins/apitokens", `accessId:filter*0001`, []int{170, 171, 172}},
		{"greater", "/setting/admins/apitokens", `id>:171`, []int{171, 172}},
		{"less", "/setting/admins/apitokens", `id<146`, []int{100}},
		{"no match", "/setting/admins/apitokens", "id:999", []int{}},
		{"bearer list ignores lmv1", "/setting/admins/apitokens?type=bearer", "", []int{101}},
		{"user username", "/setting/admins", `username:"jdoe"`, []int{131}},
		{"user email contains", "/setting/admins", `email~"svc-"`, []int{140}},
		{"user status", "/setting/admins", "status:suspended", []int{142}},
		{"user apionly", "/setting/admins", "apionly:true", []int{100, 140, 141}},
		{"user apionly and status", "/setting/admins", "apionly:false,status:active", []int{131}},
		{"user id OR", "/setting/admins", "id:100|142", []int{100, 142}},
		{"role name", "/setting/roles", "name:readonly", []int{2}},
		{"role id", "/setting/roles", "id!:2", []int{1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, query, _ := strings.Cut(tc.path, "?")
			q, _ := url.ParseQuery(query)
			if tc.filter != "" {
				q.Set("filter", tc.filter)
			}
			_, list := items(t, s.do(t, req{path: path, query: q.Encode(), cred: adminCred}))
			if got := ids(list); !slices.Equal(got, tc.want) {
				t.Errorf("filter %s: ids %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func TestParseFilter(t *testing.T) {
	fields := map[string]bool{"note": true, "id": true}
	conds, err := parseFilter(`note:"a,\"b\"|c",id!:1|2`, fields)
	if err != nil {
		t.Fatal(err)
	}
	if len(conds) != 2 || conds[0].op != ":" || !slices.Equal(conds[0].values, []string{`a,"b"|c`}) ||
		conds[1].op != "!:" || !slices.Equal(conds[1].values, []string{"1", "2"}) {
		t.Errorf("parsed %+v", conds)
	}
	for _, bad := range []string{"note", "x:1", `note:"a`, `note:"a"b`, "note:1,", ",id:1", `note:a"b`, `:1`} {
		if _, err := parseFilter(bad, fields); err == nil {
			t.Errorf("parseFilter(%q) accepted", bad)
		}
	}
}

var (
	accessIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{20}$`)
	accessKeyPattern = regexp.MustCompile(`^[A-Za-z0-9()\[\]{}~^=+\-_!*]{40}$`)
)

func TestCreateToken(t *testing.T) {
	s := startSim(t, Options{})
	r := s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{"note":"ci pipeline"}`, cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	m := r.json(t)
	key, _ := m["accessKey"].(string)
	accessID, _ := m["accessId"].(string)
	if !accessKeyPattern.MatchString(key) || !accessIDPattern.MatchString(accessID) {
		t.Errorf("accessId %q / accessKey %q do not look like LogicMonitor's", accessID, key)
	}
	want := map[string]any{
		"id": 151.0, "adminId": 131.0, "adminName": "jdoe", "note": "ci pipeline", "status": 2.0,
		"createdOn": float64(s.clock.Now().Unix()), "createdBy": "terraform", "lastUsedOn": 0.0,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if roles, _ := m["roles"].([]any); len(roles) != 1 || roles[0] != "administrator" {
		t.Errorf("roles = %v", m["roles"])
	}

	// The key is never shown again.
	for _, rq := range []req{
		{path: "/setting/admins/131/apitokens"},
		{path: "/setting/admins/apitokens", query: "size=1000"},
		{path: "/setting/admins/apitokens", query: "filter=id:151"},
	} {
		rq.cred = adminCred
		r := s.do(t, rq)
		if strings.Contains(string(r.body), "accessKey") || strings.Contains(string(r.body), key) {
			t.Errorf("GET %s shows a key: %s", rq.path, r.body)
		}
	}
	for _, rq := range []req{
		{method: "PATCH", path: "/setting/admins/131/apitokens/151", body: `{"note":"x"}`},
		{method: "PUT", path: "/setting/admins/131/apitokens/151", body: `{"note":"x"}`},
	} {
		rq.cred = adminCred
		if r := s.do(t, rq); strings.Contains(string(r.body), "accessKey") {
			t.Errorf("%s shows a key: %s", rq.method, r.body)
		}
	}

	// The new credentials work at once.
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: cred{id: accessID, key: key}}), http.StatusOK)

	// Created disabled: cannot authenticate.
	r = s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{"status":1}`, cred: adminCred})
	m = r.json(t)
	if m["status"] != 1.0 || m["id"] != 152.0 || m["note"] != "" {
		t.Errorf("disabled create: %s", r.body)
	}
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: cred{id: m["accessId"].(string), key: m["accessKey"].(string)}}), http.StatusUnauthorized)

	// Bearer tokens: listed only with type=bearer, usable as Bearer.
	r = s.do(t, req{method: "POST", path: "/setting/admins/140/apitokens", query: "type=bearer", body: `{"note":"bearer"}`, cred: bearerCred})
	m = r.json(t)
	secret, _ := m["accessKey"].(string)
	if len(secret) != 40 || m["createdBy"] != "terraform" {
		t.Errorf("bearer create: %s", r.body)
	}
	_, lmv1 := items(t, s.do(t, req{path: "/setting/admins/140/apitokens", cred: adminCred}))
	_, bearer := items(t, s.do(t, req{path: "/setting/admins/140/apitokens", query: "type=bearer", cred: adminCred}))
	if len(lmv1) != 0 || !slices.Equal(ids(bearer), []int{153}) {
		t.Errorf("lmv1 list %v, bearer list %v", ids(lmv1), ids(bearer))
	}
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: cred{bearer: secret}}), http.StatusOK)

	// Access ids and keys are fresh each time.
	seen := map[string]bool{}
	for _, tok := range s.Server.Tokens() {
		if seen[tok.AccessID] || seen[tok.AccessKey] {
			t.Errorf("credential reused: %s", tok.AccessID)
		}
		seen[tok.AccessID], seen[tok.AccessKey] = true, true
	}
}

func TestUpdateToken(t *testing.T) {
	s := startSim(t, Options{})
	path := "/setting/admins/131/apitokens/146"
	steps := []struct {
		method, body string
		note         string
		status       float64
	}{
		{"PATCH", `{"status":1}`, "seed example", 1},
		{"PATCH", `{"note":"renamed"}`, "renamed", 1},
		{"PUT", `{"note":"put keeps note, resets status"}`, "put keeps note, resets status", 2},
		{"PATCH", `{"status":1,"id":999,"accessId":"ignored","accessKey":"ignored"}`, "put keeps note, resets status", 1},
		{"PUT", `{}`, "", 2},
		{"PUT", `{"note":"n","status":1}`, "n", 1},
	}
	for i, st := range steps {
		r := s.do(t, req{method: st.method, path: path, body: st.body, cred: adminCred})
		wantStatus(t, r, http.StatusOK)
		m := r.json(t)
		if m["note"] != st.note || m["status"] != st.status || m["id"] != 146.0 || m["accessId"] != SeedAccessID {
			t.Errorf("step %d %s %s: %s", i, st.method, st.body, r.body)
		}
	}
	for _, tok := range s.Server.Tokens() {
		if tok.ID == 146 && tok.AccessKey != SeedAccessKey {
			t.Error("an update changed the key")
		}
	}
}

func TestDeleteToken(t *testing.T) {
	s := startSim(t, Options{})
	path := "/setting/admins/131/apitokens/146"
	r := s.do(t, req{method: "DELETE", path: path, cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	if got := strings.TrimSpace(string(r.body)); got != "{}" {
		t.Errorf("delete answered %s, want {}", got)
	}
	wantError(t, s.do(t, req{method: "DELETE", path: path, cred: adminCred}), 404, "API token <146> is not found for user <131>")
	total, _ := items(t, s.do(t, req{path: "/setting/admins/apitokens", query: "filter=id:146", cred: adminCred}))
	if total != 0 {
		t.Errorf("deleted token still listed")
	}
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: seedCred}), http.StatusUnauthorized)
}

func TestAdmins(t *testing.T) {
	s := startSim(t, Options{})
	r := s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"ci-bot","email":"ci@example.com","password":"Secret-123","roles":[{"id":2}],"apionly":true,"firstName":"CI"}`})
	wantStatus(t, r, http.StatusOK)
	m := r.json(t)
	if m["id"] != 143.0 || m["username"] != "ci-bot" || m["status"] != "active" || m["apionly"] != true || m["createdBy"] != "terraform" {
		t.Errorf("create user: %s", r.body)
	}
	if roles, _ := m["roles"].([]any); len(roles) != 1 || roles[0].(map[string]any)["name"] != "readonly" {
		t.Errorf("roles: %v", m["roles"])
	}

	r = s.do(t, req{method: "PATCH", path: "/setting/admins/143", body: `{"roles":[{"name":"administrator"}],"password":"Other-456"}`, cred: adminCred})
	if m := r.json(t); m["firstName"] != "CI" || m["roles"].([]any)[0].(map[string]any)["id"] != 1.0 {
		t.Errorf("patch user: %s", r.body)
	}
	r = s.do(t, req{method: "PUT", path: "/setting/admins/143", body: `{"username":"ci-bot","email":"ci@example.com","roles":[{"id":2}]}`, cred: adminCred})
	if m := r.json(t); m["firstName"] != "" || m["apionly"] != false || m["status"] != "active" {
		t.Errorf("put user: %s", r.body)
	}

	// Suspending a user stops its tokens; reactivating restores them.
	s.do(t, req{method: "PATCH", path: "/setting/admins/131", body: `{"status":"suspended"}`, cred: adminCred})
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: seedCred}), http.StatusUnauthorized)
	s.do(t, req{method: "PATCH", path: "/setting/admins/131", body: `{"status":"active"}`, cred: adminCred})
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: seedCred}), http.StatusOK)

	// A token's roles follow its user's.
	s.do(t, req{method: "PATCH", path: "/setting/admins/131", body: `{"roles":[{"id":2}]}`, cred: adminCred})
	_, list := items(t, s.do(t, req{path: "/setting/admins/131/apitokens", cred: adminCred}))
	if roles, _ := list[0]["roles"].([]any); len(roles) != 1 || roles[0] != "readonly" {
		t.Errorf("token roles after the user's changed: %v", list[0]["roles"])
	}
	wantStatus(t, s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{}`, cred: seedCred}), http.StatusForbidden)

	// Deleting a user deletes its tokens.
	for range 2 {
		wantStatus(t, s.do(t, req{method: "POST", path: "/setting/admins/143/apitokens", body: `{}`, cred: adminCred}), http.StatusOK)
	}
	wantStatus(t, s.do(t, req{method: "POST", path: "/setting/admins/143/apitokens", query: "type=bearer", body: `{}`, cred: adminCred}), http.StatusOK)
	r = s.do(t, req{method: "DELETE", path: "/setting/admins/143", cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	for _, tok := range s.Server.Tokens() {
		if tok.AdminID == 143 {
			t.Errorf("token %d of the deleted user remains", tok.ID)
		}
	}
	wantError(t, s.do(t, req{path: "/setting/admins/143", cred: adminCred}), 404, "User <143> is not found")

	// Passwords never come back: every answer says "password": "".
	for _, rq := range []req{{path: "/setting/admins", query: "size=1000"}, {path: "/setting/admins/131"}} {
		rq.cred = adminCred
		r := s.do(t, rq)
		if strings.Contains(string(r.body), "Secret-123") || strings.Contains(string(r.body), "Other-456") ||
			!strings.Contains(string(r.body), `"password":""`) {
			t.Errorf("password shown or missing: %s", r.body)
		}
	}
	if snap := string(marshalState(s.Server.Snapshot())); strings.Contains(snap, "Secret-123") || strings.Contains(snap, "Other-456") {
		t.Error("password kept in the state")
	}
}

func TestRoles(t *testing.T) {
	s := startSim(t, Options{})
	total, list := items(t, s.do(t, req{path: "/setting/roles", cred: roCred}))
	if total != 2 || list[0]["name"] != "administrator" || list[1]["associatedUserCount"] != 3.0 {
		t.Errorf("roles: %v", list)
	}
	r := s.do(t, req{method: "POST", path: "/setting/roles", body: `{"name":"tokens-admin","privileges":[{"objectId":"","objectType":"setting","operation":"write"}]}`, cred: adminCred})
	if m := r.json(t); m["id"] != 3.0 || len(m["privileges"].([]any)) != 1 {
		t.Errorf("create role: %s", r.body)
	}
	r = s.do(t, req{method: "PATCH", path: "/setting/roles/2", body: `{"name":"read-only"}`, cred: adminCred})
	if m := r.json(t); m["name"] != "read-only" {
		t.Errorf("rename: %s", r.body)
	}
	if m := s.do(t, req{path: "/setting/admins/141", cred: adminCred}).json(t); m["roles"].([]any)[0].(map[string]any)["name"] != "read-only" {
		t.Errorf("user does not show the new role name: %v", m["roles"])
	}
	wantStatus(t, s.do(t, req{method: "PUT", path: "/setting/roles/3", body: `{"name":"tokens-admin","privileges":[]}`, cred: adminCred}), http.StatusOK)
	wantStatus(t, s.do(t, req{method: "DELETE", path: "/setting/roles/3", cred: adminCred}), http.StatusOK)
	wantError(t, s.do(t, req{path: "/setting/roles/3", cred: adminCred}), 404, "Role <3> is not found")
}

// TestIDsContinue checks that ids follow the largest present and are never
// reused after a delete.
func TestIDsContinue(t *testing.T) {
	s := startSim(t, Options{})
	for want := 151.0; want <= 153; want++ {
		r := s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{}`, cred: adminCred})
		if id := r.json(t)["id"]; id != want {
			t.Fatalf("id = %v, want %v", id, want)
		}
		s.do(t, req{method: "DELETE", path: fmt.Sprintf("/setting/admins/131/apitokens/%d", int(want)), cred: adminCred})
	}
}

// TestRoleValidation: the required properties and privilege rules of the
// roles comment block in roles.go, as 400s naming the privilege and the fix.
func TestRoleValidation(t *testing.T) {
	s := startSim(t, Options{})
	for _, tc := range []struct {
		name, body, want string
	}{
		{"no privileges", `{"name":"r"}`, "name and privileges are required"},
		{"blank object type", `{"name":"r","privileges":[{"objectType":" ","objectId":"*","operation":"read"}]}`, "privileges[0]: objectType is required"},
		{"no object id", `{"name":"r","privileges":[{"objectType":"help","operation":"read"}]}`, "privileges[0]: objectId is required"},
		{"unknown operation", `{"name":"r","privileges":[{"objectType":"help","objectId":"","operation":"read"},{"objectType":"host_group","objectId":"*","operation":"delete"}]}`, `privileges[1]: operation "delete" is invalid: use one of read, write, ack`},
		{"duplicate name", `{"name":"readonly","privileges":[]}`, "already used by role <2>"},
		{"negative group", `{"name":"r","privileges":[],"roleGroupId":-1}`, "roleGroupId -1 is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.do(t, req{method: "POST", path: "/setting/roles", body: tc.body, cred: adminCred}), 400, tc.want)
		})
	}
	if n := len(s.Server.Roles()); n != 2 {
		t.Errorf("rejected creates left %d roles, want the 2 of the fixture", n)
	}

	r := s.do(t, req{method: "POST", path: "/setting/roles", cred: adminCred, body: `{"name":"ci","twoFARequired":true,"roleGroupId":4,
		"privileges":[{"objectType":"host_group","objectId":"*","operation":"ack"}]}`})
	m := r.json(t)
	p := m["privileges"].([]any)[0].(map[string]any)
	if m["twoFARequired"] != true || m["requireEULA"] != false || m["roleGroupId"] != 4.0 || p["objectName"] != "*" || p["operation"] != "ack" {
		t.Errorf("create role: %s", r.body)
	}
	// PATCH leaves what it does not name.
	r = s.do(t, req{method: "PATCH", path: "/setting/roles/3", body: `{"requireEULA":true}`, cred: adminCred})
	if m := r.json(t); m["twoFARequired"] != true || m["requireEULA"] != true || len(m["privileges"].([]any)) != 1 {
		t.Errorf("patch role: %s", r.body)
	}

	// A role held by a user cannot go; once the user has gone, it can.
	s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred, body: `{"username":"svc","email":"s@example.com","roles":[{"id":3}],"apionly":true}`})
	wantError(t, s.do(t, req{method: "DELETE", path: "/setting/roles/3", cred: adminCred}), 400, "is assigned to 1 users and cannot be deleted")
	s.do(t, req{method: "DELETE", path: "/setting/admins/143", cred: adminCred})
	wantStatus(t, s.do(t, req{method: "DELETE", path: "/setting/roles/3", cred: adminCred}), http.StatusOK)
}

// TestAdminAnswersAndPasswords: every Admin answer carries the Swagger's
// required properties, its roles as whole Role objects, and an empty
// password; passwords follow the rules of the users comment block.
func TestAdminAnswersAndPasswords(t *testing.T) {
	s := startSim(t, Options{})
	wantError(t, s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"alice","email":"a@example.com","roles":[{"id":2}],"apionly":false}`}), 400, "password is required")
	wantError(t, s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"alice","email":"a@example.com","roles":[{"id":2}],"password":"Short1"}`}), 400, "too short")
	wantError(t, s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"JDOE","email":"a@example.com","roles":[{"id":2}],"apionly":true}`}), 400, "already used by user <131>")

	r := s.do(t, req{method: "POST", path: "/setting/admins", cred: adminCred,
		body: `{"username":"alice","email":"a@example.com","roles":[{"id":2}],"password":"First-Secret-1"}`})
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.body), "First-Secret-1") {
		t.Fatalf("password echoed: %s", r.body)
	}
	_, list := items(t, s.do(t, req{path: "/setting/admins", query: `filter=username:"alice"`, cred: adminCred}))
	if len(list) != 1 {
		t.Fatalf("filter by username: %v", list)
	}
	for _, k := range []string{"username", "email", "roles", "password"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("required property %q missing: %v", k, list[0])
		}
	}
	role := list[0]["roles"].([]any)[0].(map[string]any)
	if role["name"] != "readonly" || role["privileges"] == nil {
		t.Errorf("embedded role is not a whole Role: %v", role)
	}
	if !s.Server.PasswordIs(143, "First-Secret-1") {
		t.Error("the create's password was not taken")
	}

	// Without changePassword a password in the body is ignored.
	s.do(t, req{method: "PATCH", path: "/setting/admins/143", body: `{"password":"Second-Secret-2"}`, cred: adminCred})
	if !s.Server.PasswordIs(143, "First-Secret-1") {
		t.Error("a PATCH without changePassword changed the password")
	}
	wantError(t, s.do(t, req{method: "PATCH", path: "/setting/admins/143", query: "changePassword=true", body: `{"note":"x"}`, cred: adminCred}), 400, "needs a password")
	s.do(t, req{method: "PATCH", path: "/setting/admins/143", query: "changePassword=true", body: `{"password":"Second-Secret-2"}`, cred: adminCred})
	if !s.Server.PasswordIs(143, "Second-Secret-2") {
		t.Error("changePassword=true did not change the password")
	}
	if snap := string(marshalState(s.Server.Snapshot())); strings.Contains(snap, "Secret-") {
		t.Error("a password reached the state")
	}
}
