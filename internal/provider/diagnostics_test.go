package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// TestAPIErrorDiagHintsOnce: the 401 and 403 hints come from the client and
// appear exactly once in the diagnostic the provider builds, with no secret.
func TestAPIErrorDiagHintsOnce(t *testing.T) {
	sim, err := lmsim.Start(lmsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	const wrongKey = "not-the-right-key-not-the-right-key-0000"
	tests := []struct {
		name           string
		cfg            lm.Config
		hint, fix, why string
	}{
		{"401 LMv1", lm.Config{AccessID: lmsim.DefaultAdminAccessID, AccessKey: wrongKey},
			"rejected the credentials", "access id and access key", "clock"},
		{"401 bearer", lm.Config{BearerToken: "lmb_not_a_token_of_this_account_000000000"},
			"rejected the credentials", "bearer token", "enabled"},
		{"403", lm.Config{AccessID: lmsim.DefaultReadOnlyAccessID, AccessKey: lmsim.DefaultReadOnlyAccessKey},
			"lacks the permission", "a role that may manage users", "Users and Roles"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.BaseURL = sim.URL
			c, err := lm.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.CreateAPIToken(context.Background(), lmsim.DefaultAdminID, lm.CreateAPITokenRequest{Note: "x", Enabled: true})
			if err == nil {
				t.Fatal("CreateAPIToken succeeded")
			}
			d := apiErrorDiag("create the API token", err)
			text := d.Summary() + "\n" + d.Detail()
			for _, s := range []string{tc.hint, tc.fix, tc.why} {
				if n := strings.Count(text, s); n != 1 {
					t.Errorf("%q appears %d times in the diagnostic, want once:\n%s", s, n, text)
				}
			}
			for _, secret := range []string{wrongKey, lmsim.DefaultReadOnlyAccessKey, tc.cfg.BearerToken} {
				if secret != "" && strings.Contains(text, secret) {
					t.Errorf("the diagnostic holds a secret:\n%s", text)
				}
			}
		})
	}
}
