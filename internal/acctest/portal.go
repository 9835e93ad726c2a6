package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// NotePrefix starts the note of every token an acceptance test creates, so
// that the sweeper (make sweep) can recognise leftovers of an interrupted
// run in a real account, and touch nothing else.
const NotePrefix = "tf-acc-test "

// runID tells this test process's tokens from those of a run going on in
// parallel against the same portal.
var runID = func() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}()

// Note is the note a test gives a token it creates: NotePrefix, this run's
// id, then what. Within one run, what must be unique to the test, so that a
// filter on the note finds only that test's tokens.
func Note(what string) string { return NotePrefix + runID + " " + what }

// RunNotePrefix is the start of every note Note makes in this process.
func RunNotePrefix() string { return NotePrefix + runID + " " }

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

// CreateToken creates a token out of band, through the API, and deletes it
// when the test ends (if it still exists). Its note must come from Note.
func (e *Env) CreateToken(t *testing.T, adminID int32, req lm.CreateAPITokenRequest) *lm.APIToken {
	t.Helper()
	if !strings.HasPrefix(req.Note, NotePrefix) {
		t.Fatalf("a test token's note must start with acctest.NotePrefix (use acctest.Note): %q", req.Note)
	}
	tok, err := e.Client.CreateAPIToken(context.Background(), adminID, req)
	if err != nil {
		t.Fatalf("creating a token for user %d: %v", adminID, err)
	}
	t.Cleanup(func() {
		if err := e.Client.DeleteAPIToken(context.Background(), adminID, tok.ID); err != nil && !lm.IsNotFound(err) {
			t.Errorf("deleting test token %d of user %d: %v", tok.ID, adminID, err)
		}
	})
	return tok
}

// DeleteTokensAtCleanup deletes, when the test ends, the user's tokens
// with that note: for tests that leave a token on purpose (on_destroy =
// "disable" or "abandon").
func (e *Env) DeleteTokensAtCleanup(t *testing.T, adminID int32, note string) {
	t.Helper()
	if !strings.HasPrefix(note, NotePrefix) {
		t.Fatalf("a test token's note must start with acctest.NotePrefix (use acctest.Note): %q", note)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
			toks, err := e.Client.ListAPITokens(ctx, adminID, lm.ListOptions{Filter: "note:" + lm.QuoteFilter(note), Type: typ})
			if err != nil {
				t.Errorf("listing the tokens to clean up: %v", err)
				return
			}
			for _, tok := range toks {
				if tok.Note != note {
					continue
				}
				if err := e.Client.DeleteAPIToken(ctx, adminID, tok.ID); err != nil && !lm.IsNotFound(err) {
					t.Errorf("deleting test token %d of user %d: %v", tok.ID, adminID, err)
				}
			}
		}
	})
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
