package provider

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// startSim starts a simulator with the default fixture and no rate limit.
func startSim(t *testing.T) (*lmsim.Running, *lm.Client) { return startPortal(t, nil) }

// TestTokenIndexBatchesReads looks up 1200 tokens from 16 goroutines, as
// Terraform's refresh does, and counts the GETs the simulator saw.
func TestTokenIndexBatchesReads(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	const n = 1200
	ids := make([]int32, 0, n)
	for i := range n {
		tok, err := c.CreateAPIToken(ctx, 140, lm.CreateAPITokenRequest{Note: fmt.Sprintf("t%d", i), Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tok.ID)
	}
	sim.Server.ResetStats()

	x := newTokenIndex(c)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				tok, found, err := x.lookup(ctx, 140, "", ids[i])
				if err != nil || !found || tok.Note != fmt.Sprintf("t%d", i) || tok.AccessKey != "" {
					errs <- fmt.Errorf("token %d: found=%v note=%q key=%q err=%w", ids[i], found, tok.Note, tok.AccessKey, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// 1203 LMv1 tokens in the portal are two pages of 1000, and so are
	// user 140's 1200: the portal-wide first page, then either its second
	// page (lookups that the first page missed were waiting for it) or
	// the user's own list (they came after it).
	if got := sim.Server.Stats().Requests["GET"]; got < 2 || got > 3 {
		t.Errorf("%d GET requests for %d lookups, want 2 or 3", got, n)
	}
}

// TestTokenIndexSeesOwnWrites: after this process changes or deletes a
// token, lookups reflect it without another list call.
func TestTokenIndexSeesOwnWrites(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	x := newTokenIndex(c)
	a, err := c.CreateAPIToken(ctx, 140, lm.CreateAPITokenRequest{Note: "a", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := x.lookup(ctx, 140, "", a.ID); err != nil || !found {
		t.Fatalf("lookup a: %v %v", found, err)
	}
	// Written through the index's owner after the snapshot was taken.
	note := "a2"
	upd, err := c.UpdateAPIToken(ctx, 140, a.ID, lm.APITokenPatch{Note: &note})
	if err != nil {
		t.Fatal(err)
	}
	x.put(*upd)
	b, err := c.CreateAPIToken(ctx, 140, lm.CreateAPITokenRequest{Note: "b", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	x.put(*b)
	gets := sim.Server.Stats().Requests["GET"]

	if tok, found, _ := x.lookup(ctx, 140, "", a.ID); !found || tok.Note != "a2" {
		t.Errorf("after update: found=%v note=%q, want a2", found, tok.Note)
	}
	if tok, found, _ := x.lookup(ctx, 140, "", b.ID); !found || tok.Note != "b" {
		t.Errorf("created token: found=%v note=%q", found, tok.Note)
	}
	if got := sim.Server.Stats().Requests["GET"]; got != gets {
		t.Errorf("own writes cost %d extra GETs", got-gets)
	}

	if err := c.DeleteAPIToken(ctx, 140, b.ID); err != nil {
		t.Fatal(err)
	}
	x.remove(140, "", b.ID)
	if _, found, err := x.lookup(ctx, 140, "", b.ID); err != nil || found {
		t.Errorf("deleted token still found (err %v)", err)
	}
}

// TestTokenIndexPendingWrites: a write that lands while the snapshot is
// loading must survive the (older) list answer.
func TestTokenIndexPendingWrites(t *testing.T) {
	_, c := startSim(t)
	x := newTokenIndex(c)
	key := tokenSetKey{140, lm.TokenTypeLMv1}
	set := &tokenSet{ready: make(chan struct{})}
	x.sets[key] = set
	x.put(lm.APIToken{ID: 9999, AdminID: 140, Note: "written during load", AccessKey: "secret"})
	x.fill(context.Background(), key, set)
	tok, ok := set.byID[9999]
	if !ok || tok.Note != "written during load" {
		t.Fatalf("pending write lost: %+v %v", tok, ok)
	}
	if tok.AccessKey != "" {
		t.Error("the index kept a secret")
	}
}

// TestTokenIndexUserGone: a deleted user means its tokens are gone, not an error.
func TestTokenIndexUserGone(t *testing.T) {
	_, c := startSim(t)
	x := newTokenIndex(c)
	_, found, err := x.lookup(context.Background(), 99999, "", 1)
	if err != nil || found {
		t.Fatalf("found=%v err=%v, want not found and no error", found, err)
	}
}

// TestTokenIndexStrangeAnswerIsNoProof: a snapshot or confirmation that
// is not LogicMonitor's answer is an error, never "the token is gone",
// and is not kept: once the real API answers again, the token is there.
func TestTokenIndexStrangeAnswerIsNoProof(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	tok, err := c.CreateAPIToken(ctx, 140, lm.CreateAPITokenRequest{Note: "live", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, shape := range lmsim.StrangeShapes {
		x := newTokenIndex(c)
		if err := sim.Server.SetStrange(lmsim.Strange{Shape: shape, Path: "/setting/admins/*/apitokens"},
			lmsim.Strange{Shape: shape, Path: "/setting/admins/apitokens"}); err != nil {
			t.Fatal(err)
		}
		_, found, err := x.lookup(ctx, 140, "", tok.ID)
		if err == nil || found || !lm.IsMalformed(err) || provesGone(err) {
			t.Errorf("%s: found=%v err=%v, want a malformed-answer error", shape, found, err)
		}
		if err := sim.Server.SetStrange(); err != nil {
			t.Fatal(err)
		}
		if got, found, err := x.lookup(ctx, 140, "", tok.ID); err != nil || !found || got.Note != "live" {
			t.Errorf("%s, then the real API: found=%v err=%v", shape, found, err)
		}
	}

	// Only a complete listing proves absence: a token deleted for real is
	// reported gone.
	if err := c.DeleteAPIToken(ctx, 140, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, found, err := newTokenIndex(c).lookup(ctx, 140, "", tok.ID); err != nil || found {
		t.Errorf("deleted token: found=%v err=%v", found, err)
	}
}
