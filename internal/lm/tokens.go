package lm

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// pendingNotePrefix marks a token between its POST and the PATCH that gives
// it the caller's note. The uuid after it makes the marker unique to one
// attempt, so cleanup never touches another run's tokens.
const pendingNotePrefix = "terraform-provider-lm pending "

// PendingNotePrefix is pendingNotePrefix for callers that look for tokens
// whose create was interrupted between the POST and the PATCH (the
// acceptance tests' sweeper).
const PendingNotePrefix = pendingNotePrefix

// pendingToken is the create body. Status is sent explicitly: the final
// status is set by the PATCH that also sets the note.
type pendingToken struct {
	Note   string `json:"note"`
	Status int32  `json:"status"`
}

// maxPageSize is LogicMonitor's largest page.
const maxPageSize = 1000

// ListOptions select and page list calls.
type ListOptions struct {
	Filter   string // LogicMonitor filter expression, sent as-is
	Fields   string
	PageSize int    // default and maximum 1000; every page is fetched
	Type     string // "" or TokenTypeLMv1 for LMv1 tokens; TokenTypeBearer for bearer tokens
}

// CreateAPITokenRequest describes a token to create.
type CreateAPITokenRequest struct {
	Note    string
	Enabled bool
	Type    string // TokenTypeLMv1 (or "") or TokenTypeBearer
}

// APITokenPatch holds the writable fields; nil fields are left unchanged.
type APITokenPatch struct {
	Note   *string `json:"note,omitempty"`
	Status *int32  `json:"status,omitempty"`
}

func tokenType(t string) (string, error) {
	switch t {
	case "", TokenTypeLMv1:
		return TokenTypeLMv1, nil
	case TokenTypeBearer:
		return TokenTypeBearer, nil
	}
	return "", fmt.Errorf("lm: unknown token type %q: want %q or %q", t, TokenTypeLMv1, TokenTypeBearer)
}

// typeQuery selects bearer tokens; LogicMonitor's default is LMv1, so
// nothing is sent for it.
func typeQuery(typ string) url.Values {
	q := url.Values{}
	if typ == TokenTypeBearer {
		q.Set("type", TokenTypeBearer)
	}
	return q
}

func tokensPath(adminID int32) string {
	return "/setting/admins/" + strconv.Itoa(int(adminID)) + "/apitokens"
}

func tokenPath(adminID, tokenID int32) string {
	return tokensPath(adminID) + "/" + strconv.Itoa(int(tokenID))
}

// CreateAPIToken creates a token for an admin and returns it with its
// secret AccessKey, which LogicMonitor shows only in the create answer.
//
// A POST whose outcome is unknown (timeout, reset connection, 5xx) may have
// created a token whose secret we never saw. Retrying blindly would leak it,
// and so would giving up. So the POST carries a unique marker as its note:
// on an unknown outcome the admin's tokens bearing that marker are deleted
// before a new attempt with a new marker. The caller's note and status are
// then set by PATCH, which is safe to retry; if it fails for good the new
// token is deleted, so an error never leaves a token behind.
func (c *Client) CreateAPIToken(ctx context.Context, adminID int32, req CreateAPITokenRequest) (*APIToken, error) {
	typ, err := tokenType(req.Type)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.bound(ctx)
	defer cancel()
	var created APIToken
	for try := 1; ; try++ {
		marker := pendingNotePrefix + uuid.NewString()
		created = APIToken{}
		cl := &call{
			method: http.MethodPost,
			path:   tokensPath(adminID),
			query:  typeQuery(typ),
			in:     pendingToken{Note: marker, Status: StatusEnabled},
			out:    &created,
		}
		err := c.do(ctx, cl)
		if err == nil && created.ID == 0 {
			err = fmt.Errorf("lm: POST %s: the answer has no token id", cl.path)
			cl.ambiguous = true
		}
		if err == nil {
			break
		}
		if !cl.ambiguous {
			return nil, err
		}
		n, serr := c.sweepPending(ctx, adminID, typ, marker)
		if serr != nil {
			return nil, fmt.Errorf("lm: creating a token for admin %d: the outcome is unknown (%w) and the cleanup failed, so a token with the note %q may be left: %w", adminID, err, marker, serr)
		}
		wait := c.backoff(try)
		if (c.maxRetries >= 0 && try > c.maxRetries) || !fits(ctx, wait) {
			return nil, fmt.Errorf("lm: creating a token for admin %d: the outcome stayed unknown after %d attempts (%d stray tokens deleted): %w", adminID, try, n, err)
		}
		reason := c.redact(err.Error(), nil)
		noteRetry(ctx, reason)
		c.log.Warn(ctx, "retrying API token creation after an unknown outcome", map[string]any{
			"admin_id":        adminID,
			"attempt":         try,
			"orphans_deleted": n,
			"reason":          reason,
			"wait_ms":         wait.Milliseconds(),
			"next_in":         seconds(wait),
		})
		if serr := sleep(ctx, wait); serr != nil {
			// The last real failure, not a bare "context canceled".
			return nil, alsoIs(fmt.Errorf("lm: creating a token for admin %d: cancelled after %d attempts whose outcome was unknown "+
				"(their stray tokens were looked for and deleted: %d found); the last: %w", adminID, try, n, err), serr)
		}
	}

	status := StatusEnabled
	if !req.Enabled {
		status = StatusDisabled
	}
	note := req.Note
	patched, err := c.UpdateAPIToken(ctx, adminID, created.ID, APITokenPatch{Note: &note, Status: &status})
	if err != nil {
		derr := c.persist(ctx, func(ctx context.Context) error { return c.DeleteAPIToken(ctx, adminID, created.ID) })
		if derr != nil && !IsNotFound(derr) {
			return nil, fmt.Errorf("lm: token %d (access id %s) of admin %d was created but setting its note and status failed (%w), and deleting it failed too (%w): delete it by hand", created.ID, created.AccessID, adminID, err, derr)
		}
		return nil, fmt.Errorf("lm: token of admin %d was created but setting its note and status failed, so it was deleted: %w", adminID, err)
	}

	out := *patched
	if created.AccessKey != "" {
		out.AccessKey = created.AccessKey
	}
	fillZero(&out.ID, created.ID)
	fillZero(&out.AccessID, created.AccessID)
	fillZero(&out.AdminID, created.AdminID)
	fillZero(&out.AdminName, created.AdminName)
	fillZero(&out.CreatedOn, created.CreatedOn)
	fillZero(&out.CreatedBy, created.CreatedBy)
	fillZero(&out.UserPermission, created.UserPermission)
	if out.Roles == nil {
		out.Roles = created.Roles
	}
	out.Type = typ
	return &out, nil
}

func fillZero[T comparable](dst *T, v T) {
	var zero T
	if *dst == zero {
		*dst = v
	}
}

// sweepPending deletes the tokens an unknown-outcome POST may have created.
// It matches only the unique marker, re-checked on our side in case the
// server's filter is looser than equality.
func (c *Client) sweepPending(ctx context.Context, adminID int32, typ, marker string) (int, error) {
	n := 0
	err := c.persist(ctx, func(ctx context.Context) error {
		deleted, err := c.sweepOnce(ctx, adminID, typ, marker)
		n += deleted
		return err
	})
	return n, err
}

func (c *Client) sweepOnce(ctx context.Context, adminID int32, typ, marker string) (int, error) {
	toks, err := c.ListAPITokens(ctx, adminID, ListOptions{Filter: "note:" + QuoteFilter(marker), Type: typ})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range toks {
		if t.Note != marker {
			continue
		}
		if err := c.DeleteAPIToken(ctx, adminID, t.ID); err != nil {
			if IsNotFound(err) {
				continue
			}
			return n, err
		}
		n++
		c.count(func(s *Stats) { s.Orphans++ })
		c.log.Warn(ctx, "deleted an API token left by a create whose outcome was unknown", map[string]any{
			"admin_id":  adminID,
			"token_id":  t.ID,
			"access_id": t.AccessID,
		})
	}
	return n, nil
}

// persist runs a clean-up step until it succeeds, fails for a reason
// retrying cannot mend, or the clean-up deadline passes: the transport
// stops at max_retries when one is set, but giving up on a clean-up leaves
// a token behind, so it keeps going for as long as cleanupContext allows.
func (c *Client) persist(ctx context.Context, step func(context.Context) error) error {
	ctx, cancel := c.cleanupContext(ctx)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := step(ctx)
		if err == nil || IsNotFound(err) || IsUnauthorized(err) || IsForbidden(err) {
			return err
		}
		if sleep(ctx, c.backoff(attempt)) != nil {
			return err
		}
	}
}

// cleanupContext lets cleanup run even when the caller's context is already
// cancelled (Ctrl-C during a create): leaving a token behind is worse than
// a bounded delay.
func (c *Client) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*c.timeout)
}

// ListAPITokens lists an admin's tokens of one type, all pages.
func (c *Client) ListAPITokens(ctx context.Context, adminID int32, opts ListOptions) ([]APIToken, error) {
	return c.listTokens(ctx, tokensPath(adminID), opts)
}

// ListAllAPITokens lists the account's tokens of one type, all pages.
func (c *Client) ListAllAPITokens(ctx context.Context, opts ListOptions) ([]APIToken, error) {
	return c.listTokens(ctx, "/setting/admins/apitokens", opts)
}

// APITokens yields the tokens of one type page by page, fetching the next
// page only when the caller keeps iterating: for callers that stream
// results or stop at a limit. adminID 0 means every user's tokens
// (GET /setting/admins/apitokens). An error ends the sequence.
func (c *Client) APITokens(ctx context.Context, adminID int32, opts ListOptions) iter.Seq2[APIToken, error] {
	path := "/setting/admins/apitokens"
	if adminID != 0 {
		path = tokensPath(adminID)
	}
	return c.tokens(ctx, path, opts)
}

func (c *Client) listTokens(ctx context.Context, path string, opts ListOptions) ([]APIToken, error) {
	return collect(c.tokens(ctx, path, opts))
}

// tokens yields the tokens of opts.Type at path, each with its Type set.
func (c *Client) tokens(ctx context.Context, path string, opts ListOptions) iter.Seq2[APIToken, error] {
	return func(yield func(APIToken, error) bool) {
		typ, err := tokenType(opts.Type)
		if err != nil {
			yield(APIToken{}, err)
			return
		}
		for t, err := range each[APIToken](ctx, c, path, opts, typeQuery(typ)) {
			t.Type = typ
			if !yield(t, err) {
				return
			}
		}
	}
}

// UpdateAPIToken changes a token's note and/or status. Only non-nil fields
// are sent: PUT semantics would reset an omitted status to enabled.
func (c *Client) UpdateAPIToken(ctx context.Context, adminID, tokenID int32, p APITokenPatch) (*APIToken, error) {
	var tok APIToken
	if err := c.do(ctx, &call{method: http.MethodPatch, path: tokenPath(adminID, tokenID), in: p, out: &tok}); err != nil {
		return nil, err
	}
	return &tok, nil
}

// DeleteAPIToken deletes a token. A 404 is returned as an error (callers
// that treat it as done test IsNotFound), except after an attempt whose
// answer was lost or was a 5xx: that attempt may have deleted the token, so
// the 404 of the retry means success.
func (c *Client) DeleteAPIToken(ctx context.Context, adminID, tokenID int32) error {
	return c.do(ctx, &call{method: http.MethodDelete, path: tokenPath(adminID, tokenID)})
}

// QuoteFilter quotes a value for a filter expression (ListOptions.Filter):
// inside quotes only `"` and `\` need escaping. (strconv.Quote is not the
// same: it escapes control and non-printable characters as Go does, which
// LogicMonitor does not read back.)
func QuoteFilter(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}

// listAll fetches every page.
func listAll[T any](ctx context.Context, c *Client, path string, opts ListOptions, extra url.Values) ([]T, error) {
	return collect(each[T](ctx, c, path, opts, extra))
}

// collect gathers a sequence into a slice, or returns its error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	all := []T{}
	for it, err := range seq {
		if err != nil {
			return nil, err
		}
		all = append(all, it)
	}
	return all, nil
}

// each yields the items of every page, one at a time, fetching the next
// page only when the caller keeps iterating. An error ends the sequence.
// LogicMonitor pages by offset only; the loop stops at `total` or at a
// short page, whichever comes first, since some endpoints report total as
// 0 or negative when they do not count. Every request goes through do, so
// the pacer spaces the pages.
func each[T any](ctx context.Context, c *Client, path string, opts ListOptions, extra url.Values) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		size := opts.PageSize
		if size <= 0 || size > maxPageSize {
			size = maxPageSize
		}
		for offset := 0; ; {
			q := url.Values{}
			for k, v := range extra {
				q[k] = v
			}
			q.Set("size", strconv.Itoa(size))
			q.Set("offset", strconv.Itoa(offset))
			if opts.Filter != "" {
				q.Set("filter", opts.Filter)
			}
			if opts.Fields != "" {
				q.Set("fields", opts.Fields)
			}
			var page Page[T]
			if err := c.do(ctx, &call{method: http.MethodGet, path: path, query: q, out: &page}); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			offset += len(page.Items)
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			if len(page.Items) < size || (page.Total > 0 && offset >= int(page.Total)) {
				return
			}
		}
	}
}
