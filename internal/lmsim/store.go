package lmsim

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// store is the account. Every method expects the caller to hold mu; the
// server takes it once per request so that a request sees one consistent
// account.
type store struct {
	mu     sync.Mutex
	roles  map[int32]*Role
	admins map[int32]*Admin
	tokens map[int32]*Token
	// byAccessID holds every token (accessIds are unique account-wide);
	// byBearer finds bearer tokens by the SHA-256 of their secret, so that
	// the secret itself is compared with hmac.Equal, not by map lookup.
	byAccessID map[string]int32
	byBearer   map[[32]byte]int32
	next       NextIDs
	// passwords holds the SHA-256 of each user's last password, in memory
	// only: never answered, never written to the state file.
	passwords map[int32][32]byte

	// seq counts changes; persisted is the last seq written to disk. They
	// let concurrent writers skip a snapshot older than one already saved.
	seq   uint64
	dirty bool
}

func newStore(f *Fixture) *store {
	s := &store{
		roles:      map[int32]*Role{},
		admins:     map[int32]*Admin{},
		tokens:     map[int32]*Token{},
		byAccessID: map[string]int32{},
		byBearer:   map[[32]byte]int32{},
		passwords:  map[int32][32]byte{},
	}
	for i := range f.Roles {
		r := f.Roles[i]
		s.roles[r.ID] = &r
		s.next.Roles = max(s.next.Roles, r.ID+1)
	}
	for i := range f.Admins {
		a := f.Admins[i]
		s.admins[a.ID] = &a
		s.next.Admins = max(s.next.Admins, a.ID+1)
	}
	for i := range f.APITokens {
		t := f.APITokens[i]
		s.addToken(&t)
		s.next.APITokens = max(s.next.APITokens, t.ID+1)
	}
	if n := f.NextIDs; n != nil {
		s.next.Roles = max(s.next.Roles, n.Roles)
		s.next.Admins = max(s.next.Admins, n.Admins)
		s.next.APITokens = max(s.next.APITokens, n.APITokens)
	}
	s.next.Roles = max(s.next.Roles, 1)
	s.next.Admins = max(s.next.Admins, 1)
	s.next.APITokens = max(s.next.APITokens, 1)
	return s
}

func (s *store) addToken(t *Token) {
	s.tokens[t.ID] = t
	s.byAccessID[t.AccessID] = t.ID
	if t.Bearer() {
		s.byBearer[sha256.Sum256([]byte(t.AccessKey))] = t.ID
	}
}

func (s *store) deleteToken(id int32) {
	t, ok := s.tokens[id]
	if !ok {
		return
	}
	delete(s.tokens, id)
	delete(s.byAccessID, t.AccessID)
	if t.Bearer() {
		delete(s.byBearer, sha256.Sum256([]byte(t.AccessKey)))
	}
}

// setPassword remembers a user's new password; "" keeps the old one.
func (s *store) setPassword(adminID int32, pw string) {
	if pw != "" {
		s.passwords[adminID] = sha256.Sum256([]byte(pw))
	}
}

func (s *store) accessIDTaken(id string) bool {
	_, ok := s.byAccessID[id]
	return ok
}

func (s *store) isAdministrator(a *Admin) bool {
	for _, ref := range a.Roles {
		if r, ok := s.roles[ref.ID]; ok && r.Name == AdministratorRole {
			return true
		}
	}
	return false
}

// roleRefs renders an admin's roles with the current role names, so that a
// renamed role shows its new name everywhere.
func (s *store) roleRefs(a *Admin) []RoleRef {
	refs := make([]RoleRef, 0, len(a.Roles))
	for _, ref := range a.Roles {
		name := ref.Name
		if r, ok := s.roles[ref.ID]; ok {
			name = r.Name
		}
		refs = append(refs, RoleRef{ID: ref.ID, Name: name})
	}
	return refs
}

func (s *store) changed() {
	s.seq++
	s.dirty = true
}

func sortedIDs[T any](m map[int32]T) []int32 {
	ids := make([]int32, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// snapshot returns the account as a fixture, with the next ids.
func (s *store) snapshot() *Fixture {
	f := &Fixture{Roles: []Role{}, Admins: []Admin{}, APITokens: []Token{}}
	for _, id := range sortedIDs(s.roles) {
		f.Roles = append(f.Roles, *s.roles[id])
	}
	for _, id := range sortedIDs(s.admins) {
		a := *s.admins[id]
		a.Roles = s.roleRefs(&a)
		f.Admins = append(f.Admins, a)
	}
	for _, id := range sortedIDs(s.tokens) {
		f.APITokens = append(f.APITokens, *s.tokens[id])
	}
	next := s.next
	f.NextIDs = &next
	return f
}

// persister writes the state file. Snapshots are marshaled under the store
// lock (cheap) and written outside it, one writer at a time, skipping any
// snapshot older than the last one written.
type persister struct {
	path    string
	mu      sync.Mutex
	written uint64
}

func (p *persister) write(seq uint64, b []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq != 0 && seq <= p.written {
		return nil
	}
	// Write-then-rename so that a crash mid-write leaves the previous
	// state, never a truncated file.
	tmp, err := os.CreateTemp(filepath.Dir(p.path), filepath.Base(p.path)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write state %s: %w", p.path, firstErr(werr, cerr))
	}
	if err := os.Rename(tmp.Name(), p.path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	p.written = max(p.written, seq)
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func marshalState(f *Fixture) []byte {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}
