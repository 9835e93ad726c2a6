package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// tokenIndex serves lm_api_token refreshes from per-process snapshots:
// LogicMonitor has no single-token GET, so one page per 1000 tokens
// replaces one list call per token. Per token type, the portal-wide
// listing (GET /setting/admins/apitokens) serves a plan that refreshes
// the tokens of many users, and each user's own list one that refreshes
// few; portalList chooses between them by what the plan asks for. This
// provider's own writes keep both current, so a read never returns data
// older than a write the same process made. A user's snapshot is only
// ever a complete listing of that user's tokens (the client errs on
// anything less), so a token it lacks is absent, and is still confirmed by
// a filtered call before a Read drops it (gone.go); a token the
// portal-wide listing lacks is looked for in its user's list first.
type tokenIndex struct {
	client *lm.Client
	// wide holds the portal-wide listing of each token type.
	wide map[string]*portalList[lm.APIToken]

	mu   sync.Mutex
	sets map[tokenSetKey]*tokenSet
}

type tokenSetKey struct {
	adminID int32
	typ     string
}

type tokenSet struct {
	ready  chan struct{}
	err    error
	gone   bool // the user does not exist
	byID   map[int32]lm.APIToken
	loaded bool
	// pending holds this process's writes that landed while the snapshot
	// was loading, so the list answer (possibly older) cannot undo them.
	pending []func(map[int32]lm.APIToken)
}

func newTokenIndex(c *lm.Client) *tokenIndex {
	x := &tokenIndex{client: c, sets: map[tokenSetKey]*tokenSet{}, wide: map[string]*portalList[lm.APIToken]{}}
	for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
		x.wide[typ] = newPortalList("API tokens of type "+typ, func(o lm.ListOptions) (*lm.Pages[lm.APIToken], error) {
			o.Type = typ
			return c.APITokenPages(0, o)
		}, func(t lm.APIToken) int32 { return t.ID })
	}
	return x
}

func normType(t string) string {
	if t == "" {
		return lm.TokenTypeLMv1
	}
	return t
}

// lookup returns the token with the given id of a user, found=false only
// with proof (gone.go) that the token or the user no longer exists.
func (x *tokenIndex) lookup(ctx context.Context, adminID int32, typ string, id int32) (lm.APIToken, bool, error) {
	key := tokenSetKey{adminID, normType(typ)}
	x.mu.Lock()
	_, mine := x.sets[key]
	x.mu.Unlock()
	if w := x.wide[key.typ]; w != nil && !mine { // the user's own list, once asked for, serves the user
		tok, v, err := w.get(ctx, adminID, id)
		if err != nil {
			return lm.APIToken{}, false, err
		}
		if v == listed && tok.AdminID == adminID {
			return tok, true, nil
		}
		// The rule chose the user's own list, or a complete portal-wide
		// listing lacks the token: its user's list says more (it proves
		// the user gone with one call for all its tokens, and holds a
		// token that a page shifted by a concurrent change skipped).
	}
	set, err := x.load(ctx, key)
	if err != nil {
		return lm.APIToken{}, false, err
	}
	x.mu.Lock()
	tok, ok := set.byID[id]
	gone := set.gone
	x.mu.Unlock()
	if ok || gone {
		return tok, ok, nil
	}
	// Absent from the snapshot: confirm with the server before telling
	// Terraform to forget a token, since dropping a live token from state
	// would orphan it.
	toks, err := x.client.ListAPITokens(ctx, adminID, lm.ListOptions{Filter: fmt.Sprintf("id:%d", id), Type: normType(typ)})
	if provesGone(err) {
		return lm.APIToken{}, false, nil
	}
	if err != nil {
		return lm.APIToken{}, false, err
	}
	t, found := findIn(toks, id, func(t lm.APIToken) int32 { return t.ID })
	if found {
		x.put(t)
	}
	return t, found, nil
}

func (x *tokenIndex) load(ctx context.Context, key tokenSetKey) (*tokenSet, error) {
	x.mu.Lock()
	set, ok := x.sets[key]
	if !ok {
		set = &tokenSet{ready: make(chan struct{})}
		x.sets[key] = set
		x.mu.Unlock()
		x.fill(ctx, key, set)
	} else {
		x.mu.Unlock()
	}
	select {
	case <-set.ready:
	case <-ctx.Done():
		// Another refresh is loading the list, and the same cancellation
		// usually ends it a moment later with the failure it was
		// retrying, which says more than "context canceled".
		select {
		case <-set.ready:
		case <-time.After(time.Second):
			return nil, fmt.Errorf("cancelled while another refresh was loading the API tokens of user %d: %w", key.adminID, context.Cause(ctx))
		}
	}
	if set.err != nil {
		return nil, set.err
	}
	return set, nil
}

func (x *tokenIndex) fill(ctx context.Context, key tokenSetKey, set *tokenSet) {
	toks, err := x.client.ListAPITokens(ctx, key.adminID, lm.ListOptions{Type: key.typ})
	x.mu.Lock()
	defer x.mu.Unlock()
	defer close(set.ready)
	switch {
	case provesGone(err): // the user is gone, and its tokens with it
		set.gone = true
	case err != nil:
		// Let the next caller try again instead of caching a failure.
		set.err = err
		delete(x.sets, key)
		return
	}
	// A user's list of more than one page cost more than one key's rent.
	x.wide[key.typ].spent((len(toks)+999)/1000 - 1)
	set.byID = make(map[int32]lm.APIToken, len(toks))
	for _, t := range toks {
		set.byID[t.ID] = t
	}
	for _, op := range set.pending {
		op(set.byID)
	}
	set.pending = nil
	set.loaded = true
}

func (x *tokenIndex) apply(adminID int32, typ string, op func(map[int32]lm.APIToken)) {
	x.wide[normType(typ)].apply(op)
	x.mu.Lock()
	defer x.mu.Unlock()
	set, ok := x.sets[tokenSetKey{adminID, normType(typ)}]
	if !ok {
		return // not loaded: the first read will list it fresh
	}
	if !set.loaded {
		set.pending = append(set.pending, op)
		return
	}
	set.gone = false
	op(set.byID)
}

// put records a token this process created, changed or confirmed. The
// secret is never kept: the index only serves refreshes.
func (x *tokenIndex) put(t lm.APIToken) {
	t.AccessKey = ""
	x.apply(t.AdminID, t.Type, func(m map[int32]lm.APIToken) { m[t.ID] = t })
}

// remove records a token this process deleted.
func (x *tokenIndex) remove(adminID int32, typ string, id int32) {
	x.apply(adminID, typ, func(m map[int32]lm.APIToken) { delete(m, id) })
}

// forget drops what the index knows of a user's tokens, after the user
// was deleted (and its tokens with it): the next lookup asks LogicMonitor.
func (x *tokenIndex) forget(adminID int32) {
	for _, w := range x.wide {
		w.apply(func(m map[int32]lm.APIToken) {
			for id, t := range m {
				if t.AdminID == adminID {
					delete(m, id)
				}
			}
		})
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, typ := range []string{lm.TokenTypeLMv1, lm.TokenTypeBearer} {
		delete(x.sets, tokenSetKey{adminID, typ})
	}
}
