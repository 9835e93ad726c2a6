package acctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// Portal is a LogicMonitor named by the environment, as the provider reads
// it: for `make testacc` (LM_ACC_REAL_PORTAL=1) and `make sweep`.
type Portal struct {
	BaseURL     string
	AccessID    string
	AccessKey   string
	BearerToken string
	// AdminID is LM_ACC_ADMIN_ID, the user the tests create tokens for;
	// 0 when unset and not needed.
	AdminID int32
}

// PortalHelp says how to name a portal; it ends every error of PortalFromEnv.
const PortalHelp = `The acceptance suite and the sweeper read the portal as the provider does:
  portal:      LM_COMPANY=acme (plus LM_DOMAIN=lmgov.us for a GovCloud portal)
               or LM_BASE_URL=https://host/santaba/rest (a proxy, a LogicMonitor-compatible endpoint)
  credentials: LM_ACCESS_ID and LM_ACCESS_KEY (an LMv1 token)
               or LM_BEARER_TOKEN (a bearer token)
               of a user allowed to manage other users' API tokens
  test user:   LM_ACC_ADMIN_ID, the id of a user the tests may create tokens for
               (its role must let its own tokens read users, roles and tokens)
For example:
  LM_COMPANY=acme LM_ACCESS_ID=... LM_ACCESS_KEY=... LM_ACC_ADMIN_ID=140 make testacc
  LM_BASE_URL=http://127.0.0.1:8080/santaba/rest LM_BEARER_TOKEN=... LM_ACC_ADMIN_ID=140 make testacc`

// PortalFromEnv reads the portal from the environment. needAdmin makes
// LM_ACC_ADMIN_ID required (the tests); the sweeper does without it.
func PortalFromEnv(needAdmin bool) (*Portal, error) {
	p := &Portal{
		BaseURL:     os.Getenv("LM_BASE_URL"),
		AccessID:    firstEnv("LM_ACCESS_ID", "LM_API_ID"),
		AccessKey:   firstEnv("LM_ACCESS_KEY", "LM_API_KEY"),
		BearerToken: os.Getenv("LM_BEARER_TOKEN"),
	}
	var problems []string
	if p.BaseURL == "" {
		if company := os.Getenv("LM_COMPANY"); company != "" {
			p.BaseURL = lm.BaseURL(company, os.Getenv("LM_DOMAIN"))
		} else {
			problems = append(problems, "no portal: set LM_COMPANY or LM_BASE_URL")
		}
	}
	lmv1 := p.AccessID != "" || p.AccessKey != ""
	switch {
	case lmv1 && p.BearerToken != "":
		problems = append(problems, "both LMv1 (LM_ACCESS_ID/LM_ACCESS_KEY) and bearer (LM_BEARER_TOKEN) credentials are set: unset one")
	case lmv1 && (p.AccessID == "" || p.AccessKey == ""):
		problems = append(problems, "incomplete LMv1 credentials: set both LM_ACCESS_ID and LM_ACCESS_KEY")
	case !lmv1 && p.BearerToken == "":
		problems = append(problems, "no credentials: set LM_ACCESS_ID and LM_ACCESS_KEY, or LM_BEARER_TOKEN")
	}
	if v := os.Getenv("LM_ACC_ADMIN_ID"); v != "" {
		id, err := strconv.ParseInt(v, 10, 32)
		if err != nil || id <= 0 {
			problems = append(problems, fmt.Sprintf("LM_ACC_ADMIN_ID=%q is not a user id: set it to the id of a user the tests may create tokens for", v))
		}
		p.AdminID = int32(id)
	} else if needAdmin {
		problems = append(problems, "LM_ACC_ADMIN_ID is unset: set it to the id of a user the tests may create tokens for")
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; ") + "\n" + PortalHelp)
	}
	return p, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// OwnerID is the id of the user whose credentials the Env uses, found
// through the API by the access id. A bearer token's access id is not
// known, so with bearer credentials the test skips.
func (e *Env) OwnerID(t *testing.T) int32 {
	t.Helper()
	if e.AccessID == "" {
		t.Skip("needs the user behind the suite's credentials, which the API shows only for an LMv1 access id: run with LM_ACCESS_ID and LM_ACCESS_KEY")
	}
	toks, err := e.Client.ListAllAPITokens(context.Background(), lm.ListOptions{Filter: "accessId:" + lm.QuoteFilter(e.AccessID)})
	if err != nil {
		t.Fatalf("finding the user of access id %s: %v", e.AccessID, err)
	}
	if len(toks) != 1 {
		t.Fatalf("finding the user of access id %s: %d tokens match", e.AccessID, len(toks))
	}
	return toks[0].AdminID
}

// ProviderEnv lists the environment variables the provider reads for its
// portal and credentials.
var ProviderEnv = []string{"LM_COMPANY", "LM_DOMAIN", "LM_BASE_URL", "LM_ACCESS_ID", "LM_API_ID", "LM_ACCESS_KEY", "LM_API_KEY", "LM_BEARER_TOKEN"}

// SetProviderEnv points an empty provider block at this Env through the
// environment, as a pipeline would, for the rest of the test (t.Setenv:
// such a test cannot run in parallel).
func (e *Env) SetProviderEnv(t *testing.T) {
	t.Helper()
	for _, v := range ProviderEnv {
		t.Setenv(v, "")
	}
	t.Setenv("LM_BASE_URL", e.BaseURL)
	if e.BearerToken != "" {
		t.Setenv("LM_BEARER_TOKEN", e.BearerToken)
		return
	}
	t.Setenv("LM_ACCESS_ID", e.AccessID)
	t.Setenv("LM_ACCESS_KEY", e.AccessKey)
}

// Secret is the Env's secret: the LMv1 access key or the bearer token.
func (e *Env) Secret() string {
	if e.BearerToken != "" {
		return e.BearerToken
	}
	return e.AccessKey
}
