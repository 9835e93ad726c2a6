package provider

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// TestResolveBaseURLHint: the hint for a host that does not exist or never
// answers names the settings that made the URL, whether each came from
// the block, the environment or a default, and the form the URL should
// have.
func TestResolveBaseURLHint(t *testing.T) {
	tests := []struct {
		name    string
		cfg     providerModel
		env     map[string]string
		url     string
		origins []string
	}{
		{"company in the block", providerModel{Company: types.StringValue("acmee")}, nil,
			"https://acmee.logicmonitor.com/santaba/rest",
			[]string{`company "acmee" (in the provider "lm" block)`, `domain "logicmonitor.com" (the default)`}},
		{"company and domain from the environment", providerModel{}, map[string]string{"LM_COMPANY": "acmee", "LM_DOMAIN": "lmgov.us"},
			"https://acmee.lmgov.us/santaba/rest",
			[]string{`company "acmee" (from LM_COMPANY)`, `domain "lmgov.us" (from LM_DOMAIN)`}},
		{"company from the environment, domain in the block", providerModel{Domain: types.StringValue("lmgov.us")}, map[string]string{"LM_COMPANY": "acmee"},
			"https://acmee.lmgov.us/santaba/rest",
			[]string{`company "acmee" (from LM_COMPANY)`, `domain "lmgov.us" (in the provider "lm" block)`}},
		{"base_url in the block", providerModel{BaseURL: types.StringValue("https://lm.example.com/santaba/rest/")}, map[string]string{"LM_COMPANY": "other"},
			"https://lm.example.com/santaba/rest", []string{`base_url in the provider "lm" block`}},
		{"base_url from the environment", providerModel{}, map[string]string{"LM_BASE_URL": "https://lm.example.com/santaba/rest"},
			"https://lm.example.com/santaba/rest", []string{"the LM_BASE_URL environment variable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"LM_COMPANY", "LM_DOMAIN", "LM_BASE_URL"} {
				t.Setenv(k, tc.env[k])
			}
			var resp provider.ConfigureResponse
			got, hint, ok := resolveBaseURL(tc.cfg, &resp)
			if !ok || got != tc.url {
				t.Fatalf("resolveBaseURL = %q, %v (%v), want %q", got, ok, resp.Diagnostics, tc.url)
			}
			want := append([]string{"The API URL " + tc.url + " comes from ", "https://<company>.logicmonitor.com/santaba/rest", "base_url (LM_BASE_URL)"}, tc.origins...)
			for _, w := range want {
				if !strings.Contains(hint, w) {
					t.Errorf("hint %q lacks %q", hint, w)
				}
			}
		})
	}
}

// TestAPIErrorDiagUnreachableAndCancelled: a portal that never answered
// and an operation Terraform stopped each get their explanation, after the
// real failure.
func TestAPIErrorDiagUnreachableAndCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	newClient := func(connect time.Duration) *lm.Client {
		c, err := lm.New(lm.Config{BaseURL: "http://" + addr + "/santaba/rest", AccessID: "a", AccessKey: "b",
			ConnectTimeout: connect, RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond, ReachHint: "THE HINT"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	_, err = newClient(100*time.Millisecond).GetRole(context.Background(), 1)
	d := apiErrorDiag("read the role", err)
	for _, want := range []string{"connection refused", "THE HINT", "has not answered once since the provider started", "connect_timeout"} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("unreachable: detail lacks %q:\n%s", want, d.Detail())
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = newClient(time.Hour).GetRole(ctx, 1)
	d = apiErrorDiag("read the role", err)
	for _, want := range []string{"connection refused", "the operation was cancelled", "Terraform stopped the operation"} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("cancelled: detail lacks %q:\n%s", want, d.Detail())
		}
	}
	if strings.Contains(d.Detail(), "THE HINT") {
		t.Errorf("cancelled before the connect timeout, the detail blames the URL:\n%s", d.Detail())
	}
}

// TestSlowRefreshWarns: a read that succeeds after retrying for longer
// than the threshold warns, naming what was read, the retries and the last
// failure; a quick one does not.
func TestSlowRefreshWarns(t *testing.T) {
	sim, err := lmsim.Start(lmsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	c, err := lm.New(lm.Config{BaseURL: sim.URL, AccessID: lmsim.DefaultAdminAccessID, AccessKey: lmsim.DefaultAdminAccessKey,
		RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	read := func(failFor time.Duration) diag.Diagnostics {
		if failFor > 0 {
			sim.Server.SetFaults(lmsim.Faults{Err5xx: 1})
			time.AfterFunc(failFor, func() { sim.Server.SetFaults(lmsim.Faults{}) })
		}
		ctx, slow := watchSlow(context.Background())
		slow.after = 200 * time.Millisecond
		var diags diag.Diagnostics
		if _, err := c.GetAdmin(ctx, lmsim.DefaultAdminID); err != nil {
			t.Fatal(err)
		}
		slow.warn(&diags, "user 100")
		return diags
	}
	if diags := read(0); len(diags) != 0 {
		t.Errorf("a quick read warned: %v", diags)
	}
	if diags := read(50 * time.Millisecond); len(diags) != 0 {
		t.Errorf("a read that retried for less than the threshold warned: %v", diags)
	}
	diags := read(400 * time.Millisecond)
	if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning {
		t.Fatalf("a read that retried for 400ms: diagnostics %v, want one warning", diags)
	}
	for _, want := range []string{"Reading user 100 succeeded only after", "retries over", "server error 50", "TF_LOG=WARN"} {
		if !strings.Contains(diags[0].Detail(), want) {
			t.Errorf("warning lacks %q: %s", want, diags[0].Detail())
		}
	}
}
