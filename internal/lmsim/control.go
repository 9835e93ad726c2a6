package lmsim

import "crypto/sha256"

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
