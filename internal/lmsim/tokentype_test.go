package lmsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTokenTypeSpellings: the `type` values LogicMonitor's Swagger and SDKs
// send, in any case, with the space as + or %20, on create and on list.
func TestTokenTypeSpellings(t *testing.T) {
	s := startSim(t, Options{})
	cases := []struct {
		query string
		want  string // "lmv1", "bearer", or "" for a 400
	}{
		{"", TokenTypeLMv1},
		{"type=API+Token", TokenTypeLMv1},
		{"type=API%20Token", TokenTypeLMv1},
		{"type=api+token", TokenTypeLMv1},
		{"type=API+TOKEN", TokenTypeLMv1},
		{"type=lmv1", TokenTypeLMv1},
		{"type=LMv1", TokenTypeLMv1},
		{"type=bearer", TokenTypeBearer},
		{"type=Bearer", TokenTypeBearer},
		{"type=BEARER", TokenTypeBearer},
		{"type=oauth", ""},
		{"type=APIToken", ""},
		{"type=API", ""},
		{"type=API++Token", ""},
		{"type=+API+Token", ""},
		{"type=", TokenTypeLMv1},
	}
	for i, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			note := fmt.Sprintf("spelling %d", i)
			r := s.do(t, req{method: "POST", path: "/setting/admins/140/apitokens", query: tc.query, body: fmt.Sprintf(`{"note":%q}`, note), cred: adminCred})
			if tc.want == "" {
				wantError(t, r, http.StatusBadRequest, "is not supported: omit it or send \"API Token\" for LMv1 tokens, or send \"bearer\"")
				if msg, _ := r.json(t)["errorMessage"].(string); !strings.Contains(msg, "type ") {
					t.Errorf("the error does not name the parameter: %s", r.body)
				}
				if total, _ := items(t, s.do(t, req{path: "/setting/admins/140/apitokens", query: "filter=" + url.QueryEscape(fmt.Sprintf("note:%q", note)), cred: adminCred})); total != 0 {
					t.Errorf("a refused create made a token")
				}
				wantError(t, s.do(t, req{path: "/setting/admins/apitokens", query: tc.query, cred: adminCred}), http.StatusBadRequest, "is not supported")
				return
			}
			wantStatus(t, r, http.StatusOK)
			key, _ := r.json(t)["accessKey"].(string)
			if bearer := strings.HasPrefix(key, "lmb_"); bearer != (tc.want == TokenTypeBearer) {
				t.Errorf("made a key %q for type %s", key[:4], tc.want)
			}
			// Listed with the same query (and so with the other spellings
			// of its type), not with the other type.
			other := "type=bearer"
			if tc.want == TokenTypeBearer {
				other = "type=API+Token"
			}
			filter := "&filter=" + url.QueryEscape(fmt.Sprintf("note:%q", note))
			if total, _ := items(t, s.do(t, req{path: "/setting/admins/apitokens", query: strings.TrimPrefix(tc.query+filter, "&"), cred: adminCred})); total != 1 {
				t.Errorf("listed with %q: %d tokens, want 1", tc.query, total)
			}
			if total, _ := items(t, s.do(t, req{path: "/setting/admins/apitokens", query: other + filter, cred: adminCred})); total != 0 {
				t.Errorf("listed with %q: %d tokens, want 0", other, total)
			}
		})
	}
}
