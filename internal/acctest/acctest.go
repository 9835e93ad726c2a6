// Package acctest holds the acceptance-test harness shared by the provider's
// tests: a LogicMonitor to run against (the bundled simulator in-process, or
// a real portal for `make testacc`), provider factories, HCL helpers, checks
// that ask the API, and the steps and query filters more than one type's
// tests use. Each object type registers what the harness knows of it (its
// destroy check, sweeper and leftover watch; types.go) from its own file:
// api_token.go, user.go, role.go.
package acctest

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/provider"
	"github.com/lmtf/terraform-provider-lm/internal/serve"
)

// Env is one LogicMonitor for a test.
type Env struct {
	// Sim is the in-process simulator; nil against a real portal.
	Sim       *lmsim.Running
	BaseURL   string
	AccessID  string
	AccessKey string
	// BearerToken is set instead of AccessID and AccessKey when a real
	// portal is reached with LM_BEARER_TOKEN.
	BearerToken string
	// AdminID is a user the tests may create tokens for.
	AdminID int32
	// Client is an administrator client for checks and out-of-band changes.
	Client *lm.Client
}

// RealPortal reports whether the suite runs against a real portal
// (`make testacc`) rather than the simulator.
func RealPortal() bool { return os.Getenv("LM_ACC_REAL_PORTAL") == "1" }

// New gives the test its own LogicMonitor: a fresh simulator with the
// default fixture (so tests never see each other's tokens), or the real
// portal named by the environment as PortalFromEnv reads it (LM_COMPANY
// and LM_DOMAIN or LM_BASE_URL; LM_ACCESS_ID and LM_ACCESS_KEY or
// LM_BEARER_TOKEN; LM_ACC_ADMIN_ID).
//
// Against a real portal the test must treat the endpoint as a black box
// (nothing of e.Sim), give every token it creates a note made by Note, and
// delete what it leaves on purpose (on_destroy = "abandon", tokens made
// with CreateToken are deleted by their cleanup).
func New(t *testing.T) *Env {
	t.Helper()
	if RealPortal() {
		p, err := PortalFromEnv(true)
		if err != nil {
			t.Fatal(err)
		}
		e := &Env{
			BaseURL:     p.BaseURL,
			AccessID:    p.AccessID,
			AccessKey:   p.AccessKey,
			BearerToken: p.BearerToken,
			AdminID:     p.AdminID,
		}
		e.Client = e.newClient(t)
		return e
	}
	return NewSim(t, lmsim.Options{})
}

// NewSim starts a simulator with opts for a test that needs the simulator
// itself (faults, out-of-band user deletion, request counts).
func NewSim(t *testing.T, opts lmsim.Options) *Env {
	t.Helper()
	if path := os.Getenv("LM_ACC_SIM_LOG"); path != "" && opts.Log == nil {
		// A debugging aid: every simulator request of the run, as JSON lines.
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Close() })
		opts.Log = f
	}
	sim, err := lmsim.Start(opts)
	if err != nil {
		t.Fatalf("starting the simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	e := &Env{
		Sim:       sim,
		BaseURL:   sim.URL,
		AccessID:  lmsim.DefaultAdminAccessID,
		AccessKey: lmsim.DefaultAdminAccessKey,
		AdminID:   SvcPipelineID,
	}
	e.Client = e.newClient(t)
	return e
}

// SkipOnRealPortalBecause skips a test against a real portal, giving the
// reason: only what the public API cannot arrange (fault injection, a clock
// far off, simulator request counts) may skip.
func SkipOnRealPortalBecause(t *testing.T, reason string) {
	t.Helper()
	if RealPortal() {
		t.Skip("not run against a real portal: " + reason)
	}
}

// Users of the simulator's default fixture.
const (
	TerraformAdminID = 100
	SeedAdminID      = 131
	SvcPipelineID    = 140
	AuditorID        = 141
	SuspendedID      = 142
)

func (e *Env) newClient(t *testing.T) *lm.Client {
	t.Helper()
	c, err := clientFor(e.BaseURL, e.AccessID, e.AccessKey, e.BearerToken)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// clientFor is the client of the tests' checks and out-of-band changes.
func clientFor(baseURL, accessID, accessKey, bearer string) (*lm.Client, error) {
	return lm.New(lm.Config{BaseURL: baseURL, AccessID: accessID, AccessKey: accessKey, BearerToken: bearer, RetryWaitMin: 1})
}

// ProviderBlock is a provider "lm" block that reaches this Env with its
// administrator credentials; extra lines go inside the block.
func (e *Env) ProviderBlock(extra string) string {
	if e.BearerToken != "" {
		return fmt.Sprintf(`
provider "lm" {
  base_url     = %q
  bearer_token = %q
  %s
}
`, e.BaseURL, e.BearerToken, extra)
	}
	return fmt.Sprintf(`
provider "lm" {
  base_url   = %q
  access_id  = %q
  access_key = %q
  %s
}
`, e.BaseURL, e.AccessID, e.AccessKey, extra)
}

// Factories serves the provider in-process to the CLI under test, as the
// binary serves it (serve.NewServer: the framework behind the wrapper),
// one provider instance per server as one per process.
func Factories(opts ...provider.Option) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"lm": func() (tfprotov6.ProviderServer, error) { return serve.NewServer(provider.New("acctest", opts...)()) },
	}
}

// Credentials of the simulator's read-only auditor (403 tests).
const (
	AuditorAccessID  = lmsim.DefaultReadOnlyAccessID
	AuditorAccessKey = lmsim.DefaultReadOnlyAccessKey
)

// As returns a copy of the Env whose checks authenticate with other
// credentials, for tests that revoke the administrator's own token.
func (e *Env) As(t *testing.T, accessID, accessKey string) *Env {
	t.Helper()
	c := *e
	c.AccessID, c.AccessKey, c.BearerToken = accessID, accessKey, ""
	c.Client = c.newClient(t)
	return &c
}

// Credentials of the seed's user jdoe (an administrator) in the simulator.
const (
	SeedAccessID  = "48v2wRzfK94y53sq5EuF"
	SeedAccessKey = "H_D9i(f5~B^U36^K6i42=^nS~e75gy382Bf6{)P+"
)
