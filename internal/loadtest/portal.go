package loadtest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// PortalShape is a portal of Roles teams: team k has the role
// lm_role.r[k], Users/Roles API-only users lm_user.u<k> holding it, and
// Tokens/Roles tokens lm_api_token.t<k> of its first user, LMv1 and bearer
// alternately. 100x1000x10000 is 100 roles, 1000 users and 10 000 tokens of
// 100 users.
//
// Each team has its own resource blocks rather than one count over the
// portal: Terraform 1.16.4's plan time grows with the square of one
// block's instance count (measured: 8000 instances in one block took 156 s
// of CPU, 8 blocks of 1000 took 45 s), so a portal written as one count
// would measure that, not the provider.
type PortalShape struct{ Roles, Users, Tokens int }

// ParsePortalShape reads "RxUxT", such as "100x1000x10000".
func ParsePortalShape(s string) (PortalShape, error) {
	parts := strings.Split(strings.TrimSpace(s), "x")
	var n [3]int
	ok := len(parts) == 3
	for i := 0; ok && i < 3; i++ {
		v, err := strconv.Atoi(parts[i])
		n[i], ok = v, err == nil && v > 0
	}
	p := PortalShape{n[0], n[1], n[2]}
	if !ok || p.Users%p.Roles != 0 || p.Tokens%p.Roles != 0 {
		return PortalShape{}, fmt.Errorf("portal shape %q: want ROLESxUSERSxTOKENS, positive, with users and tokens multiples of roles (one team per role), such as 100x1000x10000", s)
	}
	return p, nil
}

func (p PortalShape) String() string {
	return fmt.Sprintf("%dx%dx%d", p.Roles, p.Users, p.Tokens)
}

// UsersPerTeam and TokensPerTeam are the counts of each team's blocks.
func (p PortalShape) UsersPerTeam() int  { return p.Users / p.Roles }
func (p PortalShape) TokensPerTeam() int { return p.Tokens / p.Roles }

// Resources is the number of resource instances of the whole portal.
func (p PortalShape) Resources() int { return p.Roles + p.Users + p.Tokens }

// Teams is the same portal cut to its first n teams.
func (p PortalShape) Teams(n int) PortalShape {
	return PortalShape{n, n * p.UsersPerTeam(), n * p.TokensPerTeam()}
}

// PortalTokenType is the type of token i of a team.
func PortalTokenType(i int) string {
	if i%2 == 0 {
		return lmsim.TokenTypeLMv1
	}
	return lmsim.TokenTypeBearer
}

// Names and notes of the portal's objects, as its configuration sets them.
func PortalRoleName(team int) string        { return fmt.Sprintf("bench-team-%d", team) }
func PortalUsername(team, i int) string     { return fmt.Sprintf("bench-t%d-u%d", team, i) }
func PortalEmail(team int) string           { return fmt.Sprintf("team-%d@example.com", team) }
func PortalTokenNote(team, i int) string    { return fmt.Sprintf("bench t%d %d", team, i) }
func portalRoleDescription(team int) string { return fmt.Sprintf("bench portal team %d", team) }

// PortalConfig is the configuration of the portal p.
func PortalConfig(p PortalShape) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    lm = { source = \"lmtf/lm\" }\n  }\n}\n\nprovider \"lm\" {}\n\n")
	fmt.Fprintf(&b, `resource "lm_role" "r" {
  count       = %d
  name        = "bench-team-${count.index}"
  description = "bench portal team ${count.index}"
  privileges  = [{ object_type = "host_group", object_id = "*", operation = "read" }]
}
`, p.Roles)
	for k := 0; k < p.Roles; k++ {
		fmt.Fprintf(&b, `
resource "lm_user" "u%[1]d" {
  count    = %[2]d
  username = "bench-t%[1]d-u${count.index}"
  email    = "team-%[1]d@example.com"
  roles    = [lm_role.r[%[1]d].id]
}

resource "lm_api_token" "t%[1]d" {
  count    = %[3]d
  admin_id = lm_user.u%[1]d[0].id
  type     = count.index %% 2 == 0 ? "lmv1" : "bearer"
  note     = "bench t%[1]d ${count.index}"
}
`, k, p.UsersPerTeam(), p.TokensPerTeam())
	}
	return b.String()
}

// PortalFloorConfig is PortalConfig with lmfloor_api_token for every
// resource: the same blocks, counts and references, planned by the
// do-nothing plugin.
func PortalFloorConfig(p PortalShape) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    lmfloor = { source = \"lmtf/lmfloor\" }\n  }\n}\n\n")
	fmt.Fprintf(&b, `resource "lmfloor_api_token" "r" {
  count    = %d
  admin_id = 1
  note     = "bench-team-${count.index}"
}
`, p.Roles)
	for k := 0; k < p.Roles; k++ {
		fmt.Fprintf(&b, `
resource "lmfloor_api_token" "u%[1]d" {
  count    = %[2]d
  admin_id = lmfloor_api_token.r[%[1]d].id
  note     = "bench-t%[1]d-u${count.index}"
}

resource "lmfloor_api_token" "t%[1]d" {
  count    = %[3]d
  admin_id = lmfloor_api_token.u%[1]d[0].id
  note     = "bench t%[1]d ${count.index}"
}
`, k, p.UsersPerTeam(), p.TokensPerTeam())
	}
	return b.String()
}

// PortalTeam is one team's objects as the simulator holds them.
type PortalTeam struct {
	Role   lmsim.Role
	Users  []lmsim.Admin // index i is lm_user.u<k>[i]
	Tokens []lmsim.Token // index i is lm_api_token.t<k>[i]
}

// SeedPortal stores teams from..p.Roles-1 of the portal in the simulator
// directly, as copies of team 0 (which the CLI created): the same role
// privileges, user profile and token creator and creation time, with each
// team's names, its role, and fresh ids and credentials minted by the
// simulator.
func SeedPortal(s *lmsim.Server, p PortalShape, team0 PortalTeam, from int) ([]PortalTeam, error) {
	if len(team0.Users) != p.UsersPerTeam() || len(team0.Tokens) != p.TokensPerTeam() {
		return nil, fmt.Errorf("seeding: team 0 has %d users and %d tokens, want %d and %d", len(team0.Users), len(team0.Tokens), p.UsersPerTeam(), p.TokensPerTeam())
	}
	var out []PortalTeam
	for k := from; k < p.Roles; k++ {
		r := team0.Role
		r.Name, r.Description = PortalRoleName(k), portalRoleDescription(k)
		r, err := s.AddRole(r)
		if err != nil {
			return nil, fmt.Errorf("seeding role %d: %w", k, err)
		}
		t := PortalTeam{Role: r}
		for i, u0 := range team0.Users {
			u := u0
			u.Username, u.Email = PortalUsername(k, i), PortalEmail(k)
			u.Roles = []lmsim.RoleRef{{ID: r.ID}}
			if u, err = s.AddAdmin(u); err != nil {
				return nil, fmt.Errorf("seeding user %d of team %d: %w", i, k, err)
			}
			t.Users = append(t.Users, u)
		}
		for i, t0 := range team0.Tokens {
			tok, err := s.AddToken(lmsim.Token{AdminID: t.Users[0].ID, Type: t0.Type, Note: PortalTokenNote(k, i),
				Status: t0.Status, CreatedOn: t0.CreatedOn, CreatedBy: t0.CreatedBy})
			if err != nil {
				return nil, fmt.Errorf("seeding token %d of team %d: %w", i, k, err)
			}
			t.Tokens = append(t.Tokens, tok)
		}
		out = append(out, t)
	}
	return out, nil
}

// PortalTeamFromSim finds team k's objects in the simulator by the names
// and notes the configuration gives them.
func PortalTeamFromSim(s *lmsim.Server, p PortalShape, k int) (PortalTeam, error) {
	t := PortalTeam{Users: make([]lmsim.Admin, p.UsersPerTeam()), Tokens: make([]lmsim.Token, p.TokensPerTeam())}
	found := false
	for _, r := range s.Roles() {
		if r.Name == PortalRoleName(k) {
			t.Role, found = r, true
		}
	}
	if !found {
		return t, fmt.Errorf("team %d: no role %q in the simulator", k, PortalRoleName(k))
	}
	users := map[string]int{}
	for i := range t.Users {
		users[PortalUsername(k, i)] = i
	}
	n := 0
	for _, a := range s.Admins() {
		if i, ok := users[a.Username]; ok {
			t.Users[i] = a
			n++
		}
	}
	if n != len(t.Users) {
		return t, fmt.Errorf("team %d: %d of its %d users in the simulator", k, n, len(t.Users))
	}
	notes := map[string]int{}
	for i := range t.Tokens {
		notes[PortalTokenNote(k, i)] = i
	}
	n = 0
	for _, tok := range s.Tokens() {
		if i, ok := notes[tok.Note]; ok && tok.AdminID == t.Users[0].ID {
			t.Tokens[i] = tok
			n++
		}
	}
	if n != len(t.Tokens) {
		return t, fmt.Errorf("team %d: %d of its %d tokens in the simulator", k, n, len(t.Tokens))
	}
	return t, nil
}
