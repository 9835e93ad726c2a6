package lm

// The leak-free create: a token's POST carries a unique marker, and a POST
// whose outcome is unknown has its marker looked for and deleted before
// the create is tried again (DESIGN.md, "Leak-free create").

import (
	"context"
	"errors"
	"fmt"
	"net/http"

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
	var lastReal error // the last failure that was not the cancel itself
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
		// decode refuses an answer without the token's id, and marks any
		// answer it refuses as ambiguous: a token may have been made.
		err := c.do(ctx, cl)
		if err == nil {
			break
		}
		if !cl.ambiguous {
			return nil, err
		}
		if ctx.Err() == nil {
			lastReal = err
		}
		n, serr := c.sweepPending(ctx, adminID, typ, marker)
		if serr != nil {
			return nil, fmt.Errorf("lm: creating a token for admin %d: the outcome is unknown (%w) and the cleanup failed, so a token with the note %q may be left: %w", adminID, err, marker, serr)
		}
		if IsMalformed(err) {
			// Whatever answered instead of LogicMonitor would answer the
			// same again.
			return nil, fmt.Errorf("lm: creating a token for admin %d: the answer was not LogicMonitor's, so any token it made was looked for and deleted (%d found): %w", adminID, n, err)
		}
		if ctx.Err() != nil && lastReal != nil {
			// Cancelled during an attempt or its cleanup: name the failure
			// that kept us retrying, not the cancel alone.
			return nil, alsoIs(fmt.Errorf("lm: creating a token for admin %d: cancelled after %d attempts whose outcome was unknown "+
				"(their stray tokens were looked for and deleted: %d found); the last: %w", adminID, try, n, lastReal), ctx.Err())
		}
		// The same budget as a call's retries (retry.go): max_retries, and
		// no wait that would end after the deadline.
		wait, stop := budget{attempt: try, maxRetries: c.maxRetries, left: timeLeft(ctx)}.next(c.backoff(try))
		if stop != keepGoing {
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
// retrying cannot mend, or the clean-up deadline passes: a call's retries
// stops at max_retries when one is set, but giving up on a clean-up leaves
// a token behind, so it keeps going for as long as cleanupContext allows.
func (c *Client) persist(ctx context.Context, step func(context.Context) error) error {
	ctx, cancel := c.cleanupContext(ctx)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := step(ctx)
		if err == nil || IsNotFound(err) || IsUnauthorized(err) || IsForbidden(err) || notLogicMonitor(err) {
			return err
		}
		if sleep(ctx, c.backoff(attempt)) != nil {
			return err
		}
	}
}

// notLogicMonitor reports an answer that is not LogicMonitor's and is not
// one of the statuses a call retries: what answered (a sign-in
// page, an endpoint of another API) will answer the same again.
func notLogicMonitor(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Malformed && e.StatusCode != http.StatusTooManyRequests && e.StatusCode < 500
}

// cleanupContext lets cleanup run even when the caller's context is already
// cancelled (Ctrl-C during a create): leaving a token behind is worse than
// a bounded delay.
func (c *Client) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*c.timeout)
}
