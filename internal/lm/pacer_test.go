package lm

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func limitHeaders(limit, remaining int, window string) http.Header {
	h := http.Header{}
	h.Set(headerLimit, itoa32(int32(limit)))
	h.Set(headerRemaining, itoa32(int32(remaining)))
	h.Set(headerWindow, window)
	return h
}

func answer(limit, remaining int, window string) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Header: limitHeaders(limit, remaining, window)}
}

func TestPacerRollingWindow(t *testing.T) {
	now := time.Unix(1000, 0)
	p := newPacer()
	p.now = func() time.Time { return now }
	const key = "POST /setting/admins/{id}/apitokens"

	// Unknown limit: nothing waits.
	for range 3 {
		if d := p.reserve(key); d != 0 {
			t.Fatalf("unknown limit waited %s", d)
		}
	}
	for i := range 3 {
		p.release(key, now, answer(3, 2-i, "1"))
	}
	span := time.Second + 10*time.Millisecond
	if d := p.reserve(key); d != span+time.Millisecond {
		t.Fatalf("full window waits %s, want %s", d, span+time.Millisecond)
	}
	now = now.Add(span + time.Millisecond)
	for i := range 3 {
		if d := p.reserve(key); d != 0 {
			t.Fatalf("request %d after the window rolled waited %s", i, d)
		}
		now = now.Add(100 * time.Millisecond)
		p.release(key, now.Add(-50*time.Millisecond), answer(3, 2-i, "1"))
	}
	// The first answer of these three arrived 200ms ago (its request left
	// 250ms ago): the window counts from answers, not sends.
	if d, want := p.reserve(key), span-200*time.Millisecond+time.Millisecond; d != want {
		t.Errorf("wait %s, want %s", d, want)
	}
}

// Requests in flight hold their slot: with the whole limit in flight, a
// request polls until answers come.
func TestPacerCountsInflight(t *testing.T) {
	now := time.Unix(1000, 0)
	p := newPacer()
	p.now = func() time.Time { return now }
	const key = "GET /setting/roles"
	if d := p.reserve(key); d != 0 {
		t.Fatal(d)
	}
	p.release(key, now, answer(2, 1, "1"))
	if d := p.reserve(key); d != 0 {
		t.Fatal(d)
	}
	if d := p.reserve(key); d <= 0 {
		t.Fatal("a third request went with two in the window")
	}
	p.mu.Lock()
	p.keys[key].done = nil // pretend the window rolled, one still in flight
	p.mu.Unlock()
	if d := p.reserve(key); d != 0 {
		t.Fatal(d)
	}
	if d := p.reserve(key); d != inflightPoll {
		t.Errorf("with the limit in flight, wait %s, want %s", d, inflightPoll)
	}
}

// Another client on the account used part of the window: Remaining tells.
func TestPacerLearnsForeignUsage(t *testing.T) {
	now := time.Unix(1000, 0)
	p := newPacer()
	p.now = func() time.Time { return now }
	const key = "GET /setting/roles"
	if d := p.reserve(key); d != 0 {
		t.Fatal(d)
	}
	p.release(key, now, answer(10, 2, "60"))
	for i := range 2 {
		if d := p.reserve(key); d != 0 {
			t.Fatalf("request %d waited %s", i, d)
		}
	}
	if d := p.reserve(key); d <= 0 {
		t.Error("the window is full but the pacer let a request through")
	}
}

func TestPacerBlockOn429(t *testing.T) {
	now := time.Unix(1000, 0)
	p := newPacer()
	p.now = func() time.Time { return now }
	const key = "GET /x"
	if d := p.block(key, limitHeaders(5, 0, "2"), time.Millisecond); d != 2*time.Second {
		t.Errorf("block = %s", d)
	}
	if d := p.reserve(key); d != 2*time.Second {
		t.Errorf("reserve during block waits %s", d)
	}
	if d := p.block("GET /y", http.Header{}, 7*time.Millisecond); d != 7*time.Millisecond {
		t.Errorf("block without headers = %s", d)
	}
}

// Ten goroutines create tokens against a server allowing 20 POSTs per
// rolling 2s (LogicMonitor's 200 a minute, scaled). The shared pacer must
// keep every caller free of 429s and keep throughput near the limit. The
// window is 2s rather than 1s because each window costs the pacer one round
// trip, which a loaded test machine stretches.
func TestPacingConcurrentCreates(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 4s")
	}
	const (
		workers = 10
		each    = 6
		limit   = 20
		window  = 2 * time.Second
	)
	f := newSim(t)
	f.limit(http.MethodPost, limit, window)
	f.limit(http.MethodPatch, 25, window)
	f.limit(http.MethodGet, 50, window)
	c := f.client(t, nil)

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := c.CreateAPIToken(context.Background(), int32(1+w), CreateAPITokenRequest{Note: "n" + itoa32(int32(i)), Enabled: true})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Errorf("caller saw: %v", err)
	}
	total := workers * each
	if n := len(f.allTokens()); n != total {
		t.Errorf("%d tokens, want %d", n, total)
	}
	st := c.Stats()
	if st.RateLimited != 0 || f.too429() != 0 {
		t.Errorf("server answered %d 429s (client saw %d)", f.too429(), st.RateLimited)
	}
	// Throughput as the server saw it: a rolling window at full use
	// reuses each of its Limit slots every Window, so the POST that went
	// Limit places later should arrive one Window later. On average it
	// must do so within Window/0.9 (at least 90% of the limit). Measuring
	// at the server keeps the startup spread of a loaded machine out.
	var posts []time.Time
	for _, r := range f.requests() {
		if r.Method == http.MethodPost {
			posts = append(posts, r.At)
		}
	}
	var sum time.Duration
	for i := 0; i+limit < len(posts); i++ {
		sum += posts[i+limit].Sub(posts[i])
	}
	reuse := sum / time.Duration(len(posts)-limit)
	if reuse > window*10/9 {
		t.Errorf("a window slot was reused after %s on average, want at most %s (90%% of the limit)", reuse, window*10/9)
	}
	ideal := time.Duration(float64(total-limit) / limit * float64(window))
	if elapsed > 2*ideal {
		t.Errorf("%d creates took %s, ideal %s", total, elapsed, ideal)
	}
	t.Logf("%d creates in %s (ideal %s), slot reuse %s (%.0f%% of the limit), stats %+v, server 429s %d",
		total, elapsed, ideal, reuse, 100*float64(window)/float64(reuse), st, f.too429())
}

func BenchmarkSignLMv1(b *testing.B) {
	body := []byte(`{"note":"ci pipeline","status":2}`)
	for b.Loop() {
		SignLMv1(testAccessID, testAccessKey, http.MethodPost, "/setting/admins/131/apitokens", body, 1732752000456)
	}
}
