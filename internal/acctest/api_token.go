package acctest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// FindToken asks the API for a token by id among LMv1 and bearer tokens.
func (e *Env) FindToken(ctx context.Context, id int32) (*lm.APIToken, error) {
	for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
		toks, err := e.Client.ListAllAPITokens(ctx, lm.ListOptions{Filter: fmt.Sprintf("id:%d", id), Type: typ})
		if err != nil {
			return nil, err
		}
		if len(toks) > 0 {
			toks[0].Type = typ
			return &toks[0], nil
		}
	}
	return nil, nil
}

// TokenStatus is what LogicMonitor says of the token with that id:
// "enabled", "disabled" or "gone".
func (e *Env) TokenStatus(ctx context.Context, id int32) (string, error) {
	tok, err := e.FindToken(ctx, id)
	switch {
	case err != nil:
		return "", err
	case tok == nil:
		return "gone", nil
	case !tok.Enabled():
		return "disabled", nil
	}
	return "enabled", nil
}

// TokenExists is a TestCheckFunc asserting the token behind a resource
// exists in LogicMonitor with the wanted enabled flag.
func (e *Env) TokenExists(name string, enabled bool) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		id, err := strconv.ParseInt(rs.Primary.ID, 10, 32)
		if err != nil {
			return err
		}
		tok, err := e.FindToken(context.Background(), int32(id))
		if err != nil {
			return err
		}
		if tok == nil {
			return fmt.Errorf("token %d of %s does not exist in LogicMonitor", id, name)
		}
		if tok.Enabled() != enabled {
			return fmt.Errorf("token %d enabled = %v, want %v", id, tok.Enabled(), enabled)
		}
		if tok.AccessID != rs.Primary.Attributes["access_id"] {
			return fmt.Errorf("token %d access id %q, state says %q", id, tok.AccessID, rs.Primary.Attributes["access_id"])
		}
		return nil
	}
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

// Leftover reports whether tok is a token an acceptance test made: its
// note starts with NotePrefix, or it belongs to the test user testAdminID
// and still carries the client's pending-create marker (a create that was
// interrupted between its POST and the PATCH that sets the note).
func Leftover(tok lm.APIToken, testAdminID int32) bool {
	if strings.HasPrefix(tok.Note, NotePrefix) {
		return true
	}
	return testAdminID != 0 && tok.AdminID == testAdminID && strings.HasPrefix(tok.Note, lm.PendingNotePrefix)
}

// Sweep deletes the acceptance tests' leftovers (see Leftover) created more
// than SweepAge before now, among every user's LMv1 and bearer tokens, and
// returns them. It never deletes the token the client authenticates with,
// nor a token whose creation time is unknown.
func Sweep(ctx context.Context, c *lm.Client, testAdminID int32, now time.Time) ([]lm.APIToken, error) {
	toks, err := listLeftovers(ctx, c, testAdminID)
	if err != nil {
		return nil, err
	}
	var deleted []lm.APIToken
	var errs []error
	for _, tok := range toks {
		if tok.CreatedOn == 0 || now.Sub(time.Unix(tok.CreatedOn, 0)) < SweepAge || tok.AccessID == c.AccessID() {
			continue
		}
		if err := c.DeleteAPIToken(ctx, tok.AdminID, tok.ID); err != nil && !lm.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting token %d of user %d: %w", tok.ID, tok.AdminID, err))
			continue
		}
		deleted = append(deleted, tok)
	}
	return deleted, errors.Join(errs...)
}

// listLeftovers lists the tokens Leftover accepts, of any age. The filters
// narrow the listing; Leftover decides.
func listLeftovers(ctx context.Context, c *lm.Client, testAdminID int32) ([]lm.APIToken, error) {
	var out []lm.APIToken
	for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
		toks, err := c.ListAllAPITokens(ctx, lm.ListOptions{Filter: "note~" + lm.QuoteFilter(strings.TrimSpace(NotePrefix)), Type: typ})
		if err != nil {
			return nil, err
		}
		if testAdminID != 0 {
			pending, err := c.ListAPITokens(ctx, testAdminID, lm.ListOptions{Filter: "note~" + lm.QuoteFilter(strings.TrimSpace(lm.PendingNotePrefix)), Type: typ})
			if err != nil {
				return nil, err
			}
			toks = append(toks, pending...)
		}
		for _, tok := range toks {
			if Leftover(tok, testAdminID) {
				out = append(out, tok)
			}
		}
	}
	return out, nil
}

// watchTokens lists the tokens the leftover check watches: every token of
// the test user, and every token anywhere whose note has NotePrefix.
func watchTokens(ctx context.Context, c *lm.Client, p *Portal) ([]Watched, error) {
	var toks []lm.APIToken
	for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
		own, err := c.ListAPITokens(ctx, p.AdminID, lm.ListOptions{Type: typ})
		if err != nil {
			return nil, err
		}
		for i := range own {
			own[i].Type = typ
		}
		toks = append(toks, own...)
	}
	prefixed, err := listLeftovers(ctx, c, 0)
	if err != nil {
		return nil, err
	}
	toks = append(toks, prefixed...)
	slices.SortFunc(toks, func(a, b lm.APIToken) int { return cmp.Compare(a.ID, b.ID) })
	seen := map[string]bool{}
	var out []Watched
	for _, tok := range toks {
		// Ids may repeat between LMv1 and bearer listings.
		key := fmt.Sprintf("%s/%d", tok.Type, tok.ID)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Watched{
			Key:      key,
			What:     fmt.Sprintf("%s token %d of user %d (%q)", tok.Type, tok.ID, tok.AdminID, tok.Note),
			Test:     Leftover(tok, p.AdminID),
			OtherRun: strings.HasPrefix(tok.Note, NotePrefix) && !strings.HasPrefix(tok.Note, RunNotePrefix()),
			Delete: func(ctx context.Context) error {
				return ignoreNotFound(c.DeleteAPIToken(ctx, tok.AdminID, tok.ID))
			},
		})
	}
	return out, nil
}

// tokenOf finds the token behind a resource of the state.
func tokenOf(ctx context.Context, e *Env, rs *terraform.ResourceState) (*lm.APIToken, error) {
	id, err := strconv.ParseInt(rs.Primary.ID, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("%s: id %q: %w", rs.Type, rs.Primary.ID, err)
	}
	return e.FindToken(ctx, int32(id))
}

// tokenDestroyed checks what destroying the token did, by its on_destroy:
// "delete" (the default) deleted it, "disable" left it disabled,
// "abandon" left it alone.
func tokenDestroyed(ctx context.Context, e *Env, rs *terraform.ResourceState) error {
	tok, err := tokenOf(ctx, e, rs)
	if err != nil {
		return err
	}
	id := rs.Primary.ID
	switch rs.Primary.Attributes["on_destroy"] {
	case "abandon":
		if tok == nil {
			return fmt.Errorf("token %s was deleted although on_destroy = abandon", id)
		}
	case "disable":
		if tok == nil || tok.Enabled() {
			return fmt.Errorf("token %s should exist and be disabled after destroy, got %+v", id, tok)
		}
	default:
		if tok != nil {
			return fmt.Errorf("token %s still exists after destroy", id)
		}
	}
	return nil
}

// sweepTokens is Sweep on the portal's test user, with the lines the
// sweeper prints.
func sweepTokens(ctx context.Context, c *lm.Client, p *Portal, now time.Time) ([]string, error) {
	deleted, err := Sweep(ctx, c, p.AdminID, now)
	out := make([]string, 0, len(deleted))
	for _, tok := range deleted {
		out = append(out, fmt.Sprintf("%s token %d of user %d, created %s: %q",
			tok.Type, tok.ID, tok.AdminID, time.Unix(tok.CreatedOn, 0).UTC().Format(time.RFC3339), tok.Note))
	}
	return out, err
}

func init() {
	RegisterType(Type{
		Name:   "lm_api_token",
		Plural: "tokens",
		Exists: func(ctx context.Context, e *Env, rs *terraform.ResourceState) (bool, error) {
			tok, err := tokenOf(ctx, e, rs)
			return tok != nil, err
		},
		Destroyed: tokenDestroyed,
		Sweep:     sweepTokens,
		Watch:     watchTokens,
	})
}
