package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// createAnswers is a LogicMonitor whose creates of roles and users get
// one answer, and whose lists by name find one object; it counts the
// lists.
type createAnswers struct {
	mu    sync.Mutex
	lists int
}

func (f *createAnswers) serve(t *testing.T, create func(w http.ResponseWriter)) *lm.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost:
			create(w)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/setting/roles"):
			f.mu.Lock()
			f.lists++
			f.mu.Unlock()
			_, _ = w.Write([]byte(`{"total":1,"searchId":null,"items":[{"id":42,"name":"ci"}]}`))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/setting/admins"):
			f.mu.Lock()
			f.lists++
			f.mu.Unlock()
			_, _ = w.Write([]byte(`{"total":1,"searchId":null,"items":[{"id":43,"username":"ci"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := lm.New(lm.Config{BaseURL: srv.URL + "/santaba/rest", AccessID: "id", AccessKey: "key",
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *createAnswers) listed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists
}

func lmError(status int, msg string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"errorCode":%d,"errorMessage":%q}`, status+1000, msg)
	}
}

// lostAnswer closes the connection without an answer, as after a reset.
func lostAnswer(t *testing.T) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("cannot hijack the connection")
			return
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close()
	}
}

// TestCreateErrorLooksUpOnlyAfterAnUnknownOutcome: a role or user create
// refused with a definite answer is not followed by a look-up by name (a
// role's 400, the usual answer to a taken name, excepted: it names the
// role holding it); after an unknown outcome the object it may have made
// is looked up and named.
func TestCreateErrorLooksUpOnlyAfterAnUnknownOutcome(t *testing.T) {
	tests := []struct {
		name       string
		create     func(t *testing.T) func(w http.ResponseWriter)
		wantLists  int
		wantInDiag string
	}{
		{"401", func(*testing.T) func(http.ResponseWriter) { return lmError(401, "Authentication failed") }, 0, "HTTP 401"},
		{"403", func(*testing.T) func(http.ResponseWriter) { return lmError(403, "Permission denied") }, 0, "HTTP 403"},
		{"answer lost", lostAnswer, 1, "now has a"},
		{"503", func(*testing.T) func(http.ResponseWriter) { return lmError(503, "Service Unavailable") }, 1, "now has a"},
	}
	for _, tc := range tests {
		t.Run("role "+tc.name, func(t *testing.T) {
			f := &createAnswers{}
			r := &roleResource{data: &providerData{client: f.serve(t, tc.create(t))}}
			_, err := r.data.client.CreateRole(context.Background(), lm.RoleWrite{Name: "ci"})
			if err == nil {
				t.Fatal("the create succeeded")
			}
			d := r.writeErrorDiag(context.Background(), "create the role", "ci", 0, err)
			if got := f.listed(); got != tc.wantLists {
				t.Errorf("%d look-ups by name after %v, want %d", got, err, tc.wantLists)
			}
			if !strings.Contains(d.Detail(), tc.wantInDiag) {
				t.Errorf("diagnostic lacks %q:\n%s", tc.wantInDiag, d.Detail())
			}
			if tc.wantLists == 1 && !strings.Contains(d.Detail(), "terraform import lm_role.<name> 42") {
				t.Errorf("diagnostic does not point at role 42:\n%s", d.Detail())
			}
		})
		t.Run("user "+tc.name, func(t *testing.T) {
			f := &createAnswers{}
			r := &userResource{data: &providerData{client: f.serve(t, tc.create(t))}}
			_, err := r.data.client.CreateAdmin(context.Background(), lm.AdminWrite{Username: "ci"})
			if err == nil {
				t.Fatal("the create succeeded")
			}
			d := r.createErrorDiag(context.Background(), "ci", err)
			if got := f.listed(); got != tc.wantLists {
				t.Errorf("%d look-ups by name after %v, want %d", got, err, tc.wantLists)
			}
			if !strings.Contains(d.Detail(), tc.wantInDiag) {
				t.Errorf("diagnostic lacks %q:\n%s", tc.wantInDiag, d.Detail())
			}
			if tc.wantLists == 1 && !strings.Contains(d.Detail(), "terraform import lm_user.<name> 43") {
				t.Errorf("diagnostic does not point at user 43:\n%s", d.Detail())
			}
		})
	}

	t.Run("role 400 names the role holding the name", func(t *testing.T) {
		f := &createAnswers{}
		r := &roleResource{data: &providerData{client: f.serve(t, lmError(400, "The role name <ci> is already used"))}}
		_, err := r.data.client.CreateRole(context.Background(), lm.RoleWrite{Name: "ci"})
		d := r.writeErrorDiag(context.Background(), "create the role", "ci", 0, err)
		if f.listed() != 1 || d.Summary() != "Role name already taken" {
			t.Errorf("%d look-ups, %q; want 1 and the name taken", f.listed(), d.Summary())
		}
	})

	t.Run("a create that never reached LogicMonitor", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		c, err := lm.New(lm.Config{BaseURL: "http://" + addr + "/santaba/rest", AccessID: "id", AccessKey: "key", ConnectTimeout: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		r := &roleResource{data: &providerData{client: c}}
		_, err = c.CreateRole(context.Background(), lm.RoleWrite{Name: "ci"})
		start := time.Now()
		d := r.writeErrorDiag(context.Background(), "create the role", "ci", 0, err)
		if time.Since(start) > 100*time.Millisecond || !strings.Contains(d.Detail(), "connection refused") {
			t.Errorf("after %s: %s", time.Since(start), d.Detail())
		}
	})
}
