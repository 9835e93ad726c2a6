package lmsim

import (
	"crypto/sha256"
	"fmt"
)

// SetFaults replaces the faults injected from now on. Probabilities whose
// sum exceeds 1 starve the later kinds (order: reset, 5xx, 429, drop).
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// SetRateLimits replaces the limits and forgets the requests counted so far.
func (s *Server) SetRateLimits(r RateLimits) { s.limiter.set(r) }

// Tokens returns a snapshot of every token, secrets and type included.
func (s *Server) Tokens() []Token {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot().APITokens
}

// Admins returns a snapshot of every user.
func (s *Server) Admins() []Admin {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot().Admins
}

// Roles returns a snapshot of every role.
func (s *Server) Roles() []Role {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot().Roles
}

// PasswordIs reports whether pw is the last password set for the user.
// Only tests ask: the simulator keeps no password but this hash.
func (s *Server) PasswordIs(adminID int32, pw string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	h, ok := s.store.passwords[adminID]
	return ok && h == sha256.Sum256([]byte(pw))
}

// Snapshot returns the whole account in the fixture format, next ids
// included.
func (s *Server) Snapshot() *Fixture {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.snapshot()
}

// AddToken stores a token as if it had been made earlier, outside the
// caller's view (another run's token, or thousands of them for a paging
// test, without their requests): t's id and credentials are replaced by
// fresh ones; its status defaults to enabled, its type to LMv1 and its
// creation time to now. The token's user must exist. It returns the token
// stored, secret included.
func (s *Server) AddToken(t Token) (Token, error) {
	typ, ok := storedTokenType(t.Type)
	if !ok {
		return Token{}, fmt.Errorf("token type %q is neither %q nor %q", t.Type, TokenTypeLMv1, TokenTypeBearer)
	}
	t.Type = typ
	if t.Status == 0 {
		t.Status = StatusEnabled
	}
	if t.Status != StatusEnabled && t.Status != StatusDisabled {
		return Token{}, fmt.Errorf("token status %d is neither 1 nor 2", t.Status)
	}
	if t.CreatedOn == 0 {
		t.CreatedOn = s.clock().Unix()
	}
	st := s.store
	st.mu.Lock()
	if _, ok := st.admins[t.AdminID]; !ok {
		st.mu.Unlock()
		return Token{}, fmt.Errorf("user %d does not exist", t.AdminID)
	}
	st.mintToken(&t)
	var state []byte
	if s.persist != nil {
		state = marshalState(st.snapshot())
		st.dirty = false
	}
	seq := st.seq
	st.mu.Unlock()
	if state != nil {
		if err := s.persist.write(seq, state); err != nil {
			return t, err
		}
	}
	return t, nil
}
