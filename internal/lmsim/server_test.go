package lmsim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDefaultFixture(t *testing.T) {
	f := DefaultFixture()
	byID := map[int32]Token{}
	for _, tok := range f.APITokens {
		byID[tok.ID] = tok
		if len(tok.AccessID) != 20 {
			t.Errorf("token %d: accessId %q is %d characters, want 20", tok.ID, tok.AccessID, len(tok.AccessID))
		}
		if !tok.Bearer() && len(tok.AccessKey) != 40 {
			t.Errorf("token %d: accessKey is %d characters, want 40", tok.ID, len(tok.AccessKey))
		}
	}
	want := []struct {
		id       int32
		admin    int32
		typ      string
		accessID string
		key      string
	}{
		{DefaultAdminTokenID, DefaultAdminID, TokenTypeLMv1, DefaultAdminAccessID, DefaultAdminAccessKey},
		{DefaultAdminBearerTokenID, DefaultAdminID, TokenTypeBearer, DefaultAdminBearerAccessID, DefaultAdminBearer},
		{SeedTokenID, SeedAdminID, TokenTypeLMv1, SeedAccessID, SeedAccessKey},
		{DefaultReadOnlyTokenID, DefaultReadOnlyAdminID, TokenTypeLMv1, DefaultReadOnlyAccessID, DefaultReadOnlyAccessKey},
	}
	for _, w := range want {
		got := byID[w.id]
		if got.AdminID != w.admin || got.Type != w.typ || got.AccessID != w.accessID || got.AccessKey != w.key || got.Status != StatusEnabled {
			t.Errorf("token %d = %+v", w.id, got)
		}
	}
	if len(f.APITokens) != 4 || len(f.Admins) != 5 || len(f.Roles) != 2 {
		t.Errorf("fixture has %d tokens, %d admins, %d roles", len(f.APITokens), len(f.Admins), len(f.Roles))
	}
	var names []string
	for _, a := range f.Admins {
		names = append(names, fmt.Sprintf("%d:%s:%s:%v:%s", a.ID, a.Username, a.Roles[0].Name, a.APIOnly, a.Status))
	}
	wantNames := []string{
		"100:terraform:administrator:true:active", "131:jdoe:administrator:false:active",
		"140:svc-pipeline:readonly:true:active", "141:auditor:readonly:true:active",
		"142:former-employee:readonly:false:suspended",
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("admins = %v", names)
	}
	// Each call is a fresh copy.
	f.Admins[0].Username = "changed"
	if DefaultFixture().Admins[0].Username != "terraform" {
		t.Error("DefaultFixture shares its slices")
	}
}

func TestLoadFixture(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"roles":[{"id":1,"name":"administrator"}],
		"admins":[{"id":5,"username":"a","email":"a@example.com","roles":[{"id":1}]}],
		"apiTokens":[{"id":9,"adminId":5,"accessId":"id","accessKey":"key"}]}`)
	f, err := LoadFixture(good)
	if err != nil {
		t.Fatal(err)
	}
	if f.Admins[0].Status != AdminActive || f.Admins[0].Roles[0].Name != "administrator" || f.APITokens[0].Status != StatusEnabled || f.APITokens[0].Type != TokenTypeLMv1 {
		t.Errorf("defaults not filled: %+v", f)
	}
	bad := map[string]string{
		"unknown field":   `{"roles":[],"admins":[],"apiTokens":[],"extra":1}`,
		"dangling admin":  `{"roles":[],"admins":[],"apiTokens":[{"id":1,"adminId":7,"accessId":"a","accessKey":"k"}]}`,
		"dangling role":   `{"roles":[],"admins":[{"id":1,"username":"u","email":"e","roles":[{"id":3}]}],"apiTokens":[]}`,
		"duplicate id":    `{"roles":[{"id":1,"name":"a"},{"id":1,"name":"b"}],"admins":[],"apiTokens":[]}`,
		"bad token type":  `{"roles":[],"admins":[{"id":1,"username":"u","email":"e"}],"apiTokens":[{"id":1,"adminId":1,"accessId":"a","accessKey":"k","type":"oauth"}]}`,
		"shared accessId": `{"roles":[],"admins":[{"id":1,"username":"u","email":"e"}],"apiTokens":[{"id":1,"adminId":1,"accessId":"a","accessKey":"k"},{"id":2,"adminId":1,"accessId":"a","accessKey":"k2"}]}`,
		"not JSON":        `{`,
	}
	for name, body := range bad {
		if _, err := LoadFixture(write(name+".json", body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(Options{Fixture: &Fixture{APITokens: []Token{{ID: 1, AdminID: 2}}}}); err == nil {
		t.Error("New accepted a bad fixture")
	}
}

func TestRequestLog(t *testing.T) {
	var buf syncBuffer
	s := faultSim(t, Options{Log: &buf})
	rqs := []req{
		{path: "/setting/admins/131/apitokens/146", method: "DELETE", cred: adminCred},
		{path: "/setting/admins/apitokens", query: "filter=id:150&size=5", cred: bearerCred},
		{path: "/setting/roles", cred: cred{id: SeedAccessID, key: "wrong"}},
		{method: "POST", path: "/setting/admins/131/apitokens", body: `{"note":"logged"}`, cred: adminCred},
	}
	var secrets []string
	for _, rq := range rqs {
		hr := s.request(rq)
		if a := hr.Header.Get("Authorization"); strings.HasPrefix(a, "LMv1 ") {
			secrets = append(secrets, strings.Split(a, ":")[1])
		}
		r := s.do(t, rq)
		if key, _ := r.json(t)["accessKey"].(string); key != "" {
			secrets = append(secrets, key)
		}
	}
	s.Server.SetFaults(Faults{Reset: 1})
	_, _ = s.try(req{path: "/setting/roles", cred: adminCred})
	s.Server.SetFaults(Faults{})

	secrets = append(secrets, DefaultAdminAccessKey, DefaultAdminBearer, SeedAccessKey)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(rqs)+1 {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(rqs)+1, buf.String())
	}
	for _, line := range lines {
		for _, secret := range secrets {
			if strings.Contains(line, secret) {
				t.Errorf("log line holds a secret: %s", line)
			}
		}
	}
	want := []map[string]any{
		{"method": "DELETE", "path": "/santaba/rest/setting/admins/131/apitokens/146", "query": "", "status": 200.0, "accessId": DefaultAdminAccessID},
		{"method": "GET", "path": "/santaba/rest/setting/admins/apitokens", "query": "filter=id:150&size=5", "status": 200.0, "accessId": DefaultAdminBearerAccessID},
		{"method": "GET", "path": "/santaba/rest/setting/roles", "query": "", "status": 401.0, "accessId": SeedAccessID},
		{"method": "POST", "path": "/santaba/rest/setting/admins/131/apitokens", "query": "", "status": 200.0, "accessId": DefaultAdminAccessID},
		{"method": "GET", "path": "/santaba/rest/setting/roles", "query": "", "status": 0.0, "accessId": DefaultAdminAccessID, "fault": "reset"},
	}
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not JSON: %s", i, line)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil {
			t.Errorf("time: %v", err)
		}
		delete(m, "time")
		if fmt.Sprint(m) != fmt.Sprint(want[i]) {
			t.Errorf("line %d = %v\nwant      %v", i, m, want[i])
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's writes and the test's
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestStatePersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := startSim(t, Options{StatePath: path})
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("state file not written at start: %v", err)
	}
	created := s.do(t, req{method: "POST", path: "/setting/admins/140/apitokens", query: "type=bearer", body: `{"note":"kept"}`, cred: adminCred}).json(t)
	s.do(t, req{method: "DELETE", path: "/setting/admins/131/apitokens/146", cred: adminCred})
	s.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{}`, cred: adminCred}) // 152
	s.do(t, req{method: "DELETE", path: "/setting/admins/131/apitokens/152", cred: adminCred})
	s.do(t, req{method: "POST", path: "/setting/admins", body: `{"username":"new","email":"n@example.com","roles":[{"id":2}],"apionly":true}`, cred: adminCred})

	// Written on each change, before any shutdown.
	f, err := LoadFixture(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.APITokens) != 4 || f.NextIDs == nil || f.NextIDs.APITokens != 153 || f.NextIDs.Admins != 144 {
		t.Fatalf("state after changes: %d tokens, next %+v", len(f.APITokens), f.NextIDs)
	}
	s.do(t, req{path: "/setting/roles", cred: roCred}) // lastUsedOn, flushed by Close
	if err := s.Running.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := startSim(t, Options{StatePath: path})
	toks := s2.Server.Tokens()
	var bearer *Token
	for i := range toks {
		switch toks[i].ID {
		case SeedTokenID:
			t.Error("deleted token came back")
		case int32(created["id"].(float64)):
			bearer = &toks[i]
		case DefaultReadOnlyTokenID:
			if toks[i].LastUsedOn != s.clock.Now().Unix() {
				t.Errorf("lastUsedOn not saved: %d", toks[i].LastUsedOn)
			}
		}
	}
	if bearer == nil || !bearer.Bearer() || bearer.Note != "kept" || bearer.AccessKey != created["accessKey"] {
		t.Fatalf("bearer token not restored: %+v", bearer)
	}
	wantStatus(t, s2.do(t, req{path: "/setting/roles", cred: cred{bearer: bearer.AccessKey}}), http.StatusOK)
	// Ids continue after the deleted 152, not after the largest present.
	r := s2.do(t, req{method: "POST", path: "/setting/admins/131/apitokens", body: `{}`, cred: adminCred})
	if id := r.json(t)["id"]; id != 153.0 {
		t.Errorf("next id after restart = %v, want 153", id)
	}
	if n := len(s2.Server.Admins()); n != 6 {
		t.Errorf("%d admins after restart, want 6", n)
	}

	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: path}); err == nil {
		t.Error("a corrupt state file was accepted")
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := startSim(t, Options{RateLimits: RateLimits{Disabled: true}})
	const workers, rounds = 16, 10
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			c := adminCred
			if w%2 == 1 {
				c = bearerCred
			}
			for i := range rounds {
				r, err := s.try(req{method: "POST", path: "/setting/admins/140/apitokens", body: fmt.Sprintf(`{"note":"w%d-%d"}`, w, i), cred: c})
				if err != nil || r.status != 200 {
					errs <- fmt.Sprintf("create: %v %d", err, r.status)
					continue
				}
				var tok struct{ ID int }
				_ = json.Unmarshal(r.body, &tok)
				path := fmt.Sprintf("/setting/admins/140/apitokens/%d", tok.ID)
				for _, rq := range []req{
					{path: "/setting/admins/apitokens", query: "size=1000", cred: roCred},
					{method: "PATCH", path: path, body: `{"status":1}`, cred: c},
					{path: "/setting/admins/140", cred: c},
				} {
					if r, err := s.try(rq); err != nil || r.status != 200 {
						errs <- fmt.Sprintf("%s %s: %v %d", rq.method, rq.path, err, r.status)
					}
				}
				if i%2 == 0 {
					if r, err := s.try(req{method: "DELETE", path: path, cred: c}); err != nil || r.status != 200 {
						errs <- fmt.Sprintf("delete: %v %d", err, r.status)
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	toks := s.Server.Tokens()
	if want := 4 + workers*rounds/2; len(toks) != want {
		t.Errorf("%d tokens, want %d", len(toks), want)
	}
	seen := map[string]bool{}
	for _, tok := range toks {
		if seen[tok.AccessID] {
			t.Errorf("duplicate accessId %s", tok.AccessID)
		}
		seen[tok.AccessID] = true
	}
	st := s.Server.Stats()
	if st.Requests["POST"] != workers*rounds || st.Requests["DELETE"] != workers*rounds/2 || st.Total != workers*rounds*4+workers*rounds/2 {
		t.Errorf("stats: %+v", st)
	}
	s.Server.ResetStats()
	if st := s.Server.Stats(); st.Total != 0 || len(st.Requests) != 0 {
		t.Errorf("after reset: %+v", st)
	}
}

// TestSeedPythonExample runs LogicMonitor's own documented script, with
// only its URL pointed at the simulator.
func TestSeedPythonExample(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is missing: cannot run the seed's Python example")
	}
	r, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.CommandContext(t.Context(), python, filepath.Join("testdata", "seed_delete_token.py"))
	cmd.Env = append(os.Environ(), "LMSIM_BASE_URL="+r.URL)
	out, err := cmd.CombinedOutput()
	if bytes.Contains(out, []byte("No module named 'requests'")) {
		t.Skip("the Python requests module is missing: cannot run the seed's Python example")
	}
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Scan()
	if sc.Text() != "Response Status: 200" {
		t.Errorf("script printed:\n%s", out)
	}
	for _, tok := range r.Server.Tokens() {
		if tok.ID == SeedTokenID {
			t.Error("token 146 still exists")
		}
	}
}
