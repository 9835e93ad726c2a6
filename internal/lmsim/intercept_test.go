package lmsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// lockedLog is a request log the server writes while the test reads.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) entries(t *testing.T) []logEntry {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logEntry
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		var e logEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// TestIntercept: an Intercept sees every request with its resource path,
// body and count; what it answers alone is counted and logged as
// intercepted; what it lets through, the simulator answers, with its
// authentication.
func TestIntercept(t *testing.T) {
	log := &lockedLog{}
	var seen []string
	s := startSim(t, Options{Log: log, Intercept: func(w http.ResponseWriter, r *Intercepted) bool {
		seen = append(seen, r.Method+" "+r.Path+" "+string(r.Body))
		if r.N == 1 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusFound)
			_, _ = w.Write([]byte("<html>sign in</html>"))
			return true
		}
		return false
	}})

	r, err := s.try(req{method: "POST", path: "/setting/roles", body: `{"name":"r1","privileges":[]}`, cred: adminCred})
	if err != nil || r.status != http.StatusFound || string(r.body) != "<html>sign in</html>" {
		t.Fatalf("intercepted answer: %d %s, %v", r.status, r.body, err)
	}
	if len(s.Server.Roles()) != 2 {
		t.Errorf("an intercepted create made a role: %+v", s.Server.Roles())
	}
	wantError(t, s.do(t, req{method: "POST", path: "/setting/roles", body: `{"name":"r1","privileges":[]}`}), http.StatusUnauthorized, "Authentication failed")
	wantStatus(t, s.do(t, req{method: "POST", path: "/setting/roles", body: `{"name":"r1","privileges":[]}`, cred: adminCred}), http.StatusOK)

	want := []string{`POST /setting/roles {"name":"r1","privileges":[]}`, `POST /setting/roles {"name":"r1","privileges":[]}`, `POST /setting/roles {"name":"r1","privileges":[]}`}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("the Intercept saw %q, want %q", seen, want)
	}
	st := s.Server.Stats()
	if st.Total != 3 || st.Requests["POST"] != 3 || st.Faults[FaultIntercepted] != 1 {
		t.Errorf("stats %+v", st)
	}
	entries := log.entries(t)
	if len(entries) != 3 || entries[0].Fault != FaultIntercepted || entries[0].Status != http.StatusFound ||
		entries[0].AccessID != DefaultAdminAccessID || entries[1].Status != http.StatusUnauthorized || entries[2].Fault != "" {
		t.Errorf("log %+v", entries)
	}

	// A new Intercept counts from 1 again; nil turns it off.
	var ns []int
	s.Server.SetIntercept(func(_ http.ResponseWriter, r *Intercepted) bool { ns = append(ns, r.N); return false })
	s.do(t, req{path: "/setting/roles", cred: adminCred})
	s.do(t, req{path: "/setting/roles", cred: adminCred})
	s.Server.SetIntercept(nil)
	s.do(t, req{path: "/setting/roles", cred: adminCred})
	if len(ns) != 2 || ns[0] != 1 || ns[1] != 2 {
		t.Errorf("counts %v, want [1 2]", ns)
	}
}

// TestInterceptServeThenLose: an Intercept that serves the request into
// a recorder has the call carried out; it can then lose the answer
// (Abort) or replace it, and the log shows what the simulator answered.
func TestInterceptServeThenLose(t *testing.T) {
	log := &lockedLog{}
	s := startSim(t, Options{Log: log})
	s.Server.SetIntercept(func(w http.ResponseWriter, r *Intercepted) bool {
		if r.Method != http.MethodPost {
			return false
		}
		rec := httptest.NewRecorder()
		r.Serve(rec)
		if rec.Code != http.StatusOK {
			t.Errorf("served: %d %s", rec.Code, rec.Body)
		}
		if strings.Contains(r.Path, "roles") {
			Abort(w)
		} else {
			w.WriteHeader(http.StatusBadGateway)
		}
		return true
	})
	if _, err := s.try(req{method: "POST", path: "/setting/roles", body: `{"name":"made","privileges":[]}`, cred: adminCred}); err == nil {
		t.Error("Abort: the client got an answer")
	}
	r, err := s.try(req{method: "POST", path: "/setting/admins/140/apitokens", body: `{"note":"made"}`, cred: adminCred})
	if err != nil || r.status != http.StatusBadGateway {
		t.Errorf("replaced answer: %d, %v", r.status, err)
	}
	roles, tokens := 0, 0
	for _, r := range s.Server.Roles() {
		if r.Name == "made" {
			roles++
		}
	}
	for _, tok := range s.Server.Tokens() {
		if tok.Note == "made" {
			tokens++
		}
	}
	if roles != 1 || tokens != 1 {
		t.Errorf("%d roles and %d tokens made, want 1 each", roles, tokens)
	}
	entries := log.entries(t)
	if len(entries) != 2 || entries[0].Status != http.StatusOK || entries[0].Fault != "" || entries[1].Status != http.StatusOK {
		t.Errorf("log %+v, want the two calls as the simulator answered them", entries)
	}
	if st := s.Server.Stats(); st.Total != 2 || st.Faults[FaultIntercepted] != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestAddToken: a token added outside the API gets the next id and fresh
// credentials that authenticate; its user must exist.
func TestAddToken(t *testing.T) {
	s := startSim(t, Options{})
	lmv1, err := s.Server.AddToken(Token{ID: 1, AdminID: 140, AccessID: "ignored", Note: "another run's"})
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := s.Server.AddToken(Token{AdminID: DefaultAdminID, Type: "Bearer", Status: StatusDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if lmv1.ID <= SeedTokenID || bearer.ID != lmv1.ID+1 || lmv1.AccessID == "ignored" || len(lmv1.AccessKey) != 40 ||
		lmv1.Type != TokenTypeLMv1 || lmv1.Status != StatusEnabled || lmv1.CreatedOn != s.clock.Now().Unix() ||
		bearer.Type != TokenTypeBearer || !strings.HasPrefix(bearer.AccessKey, "lmb_") || bearer.Status != StatusDisabled {
		t.Errorf("added %+v and %+v", lmv1, bearer)
	}
	r := s.do(t, req{path: "/setting/admins/140/apitokens", cred: adminCred})
	if _, list := items(t, r); len(list) != 1 || list[0]["note"] != "another run's" || list[0]["accessId"] != lmv1.AccessID {
		t.Errorf("listed %v", list)
	}
	// The read-only user's new token reads; the disabled bearer token is refused.
	wantStatus(t, s.do(t, req{path: "/setting/roles", cred: cred{id: lmv1.AccessID, key: lmv1.AccessKey}}), http.StatusOK)
	wantError(t, s.do(t, req{path: "/setting/roles", cred: cred{bearer: bearer.AccessKey}}), http.StatusUnauthorized, "Authentication failed")

	for _, bad := range []Token{{AdminID: 999}, {AdminID: 140, Type: "oauth"}, {AdminID: 140, Status: 3}} {
		if _, err := s.Server.AddToken(bad); err == nil {
			t.Errorf("AddToken(%+v) succeeded", bad)
		}
	}
}
