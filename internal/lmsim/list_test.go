package lmsim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

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
