package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// state is a Terraform state file, kept as generic JSON so that what the
// templating does not touch is written back exactly as the CLI wrote it.
type state map[string]any

func parseState(b []byte) (state, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var s state
	if err := d.Decode(&s); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	return s, nil
}

func (s state) resources() []any {
	r, _ := s["resources"].([]any)
	return r
}

func (s state) resource(typ, name string) (map[string]any, error) {
	for _, r := range s.resources() {
		m, _ := r.(map[string]any)
		if m["mode"] == "managed" && m["type"] == typ && m["name"] == name && m["module"] == nil {
			return m, nil
		}
	}
	return nil, fmt.Errorf("state has no %s.%s", typ, name)
}

func instances(r map[string]any) []any {
	in, _ := r["instances"].([]any)
	return in
}

// clone deep-copies a JSON value.
func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = clone(e)
		}
		return l
	}
	return v
}

// cloneMap deep-copies a JSON object.
func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = clone(e)
	}
	return out
}

// like writes n as the template wrote the value it replaces: ids are
// strings in attributes and numbers in identities.
func like(old any, n int32) any {
	if _, ok := old.(string); ok {
		return strconv.Itoa(int(n))
	}
	return json.Number(strconv.Itoa(int(n)))
}

// instanceFrom copies a template instance with a new index key and sets
// attributes (JSON values; ints are written like the template's) and
// identity attributes.
func instanceFrom(tmpl any, index int, attrs, ident map[string]any) (map[string]any, error) {
	in, ok := clone(tmpl).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template instance is not an object")
	}
	in["index_key"] = json.Number(strconv.Itoa(index))
	set := func(field string, vals map[string]any) error {
		if len(vals) == 0 {
			return nil
		}
		m, ok := in[field].(map[string]any)
		if !ok {
			return fmt.Errorf("template instance has no %s", field)
		}
		for k, v := range vals {
			old, ok := m[k]
			if !ok {
				return fmt.Errorf("template instance has no %s.%s", field, k)
			}
			if n, isInt := v.(int32); isInt {
				v = like(old, n)
			}
			m[k] = v
		}
		return nil
	}
	if err := set("attributes", attrs); err != nil {
		return nil, err
	}
	if _, has := in["identity"]; has {
		if err := set("identity", ident); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func renameDeps(in map[string]any, from, to string) {
	deps, _ := in["dependencies"].([]any)
	for i, d := range deps {
		if d == from {
			deps[i] = to
		}
	}
}

// PortalState is the state of the whole portal p, written as the provider
// writes it: the state of the CLI-created part (its first teams, kept as
// is) with, for every seeded team, the instances of team 0's blocks copied
// and given the seeded objects' ids, names, credentials and references.
// The access keys are the ones the simulator minted for the seeded tokens,
// as a create would have returned them. An honest result plans with no
// change against the simulator.
func PortalState(created []byte, p PortalShape, seeded []PortalTeam, from int) ([]byte, error) {
	s, err := parseState(created)
	if err != nil {
		return nil, err
	}
	roles, err := s.resource("lm_role", "r")
	if err != nil {
		return nil, err
	}
	u0, err := s.resource("lm_user", "u0")
	if err != nil {
		return nil, err
	}
	t0, err := s.resource("lm_api_token", "t0")
	if err != nil {
		return nil, err
	}
	rin, uin, tin := instances(roles), instances(u0), instances(t0)
	if len(rin) != from || len(uin) != p.UsersPerTeam() || len(tin) != p.TokensPerTeam() {
		return nil, fmt.Errorf("created state: %d roles, %d users and %d tokens in team 0, want %d, %d and %d",
			len(rin), len(uin), len(tin), from, p.UsersPerTeam(), p.TokensPerTeam())
	}
	byIndex := func(in []any, i int) any {
		for _, x := range in {
			if m, _ := x.(map[string]any); m != nil && fmt.Sprint(m["index_key"]) == strconv.Itoa(i) {
				return x
			}
		}
		return nil
	}
	rt, ut := byIndex(rin, 0), byIndex(uin, 0)
	tt := [2]any{byIndex(tin, 0), byIndex(tin, 1%len(tin))}
	if rt == nil || ut == nil || tt[0] == nil || tt[1] == nil {
		return nil, fmt.Errorf("created state: team 0's instances lack index keys 0 or 1")
	}
	res := s.resources()
	for j, t := range seeded {
		k := from + j
		in, err := instanceFrom(rt, k, map[string]any{"id": t.Role.ID, "name": t.Role.Name, "description": t.Role.Description},
			map[string]any{"id": t.Role.ID})
		if err != nil {
			return nil, fmt.Errorf("lm_role.r[%d]: %w", k, err)
		}
		rin = append(rin, in)
		users, usersName := cloneMap(u0), fmt.Sprintf("u%d", k)
		users["name"] = usersName
		var ul []any
		for i, u := range t.Users {
			in, err := instanceFrom(ut, i, map[string]any{"id": u.ID, "username": u.Username, "email": u.Email,
				"roles": []any{json.Number(strconv.Itoa(int(t.Role.ID)))}}, map[string]any{"id": u.ID})
			if err != nil {
				return nil, fmt.Errorf("lm_user.u%d[%d]: %w", k, i, err)
			}
			ul = append(ul, in)
		}
		users["instances"] = ul
		toks := cloneMap(t0)
		toks["name"] = fmt.Sprintf("t%d", k)
		var tl []any
		for i, tok := range t.Tokens {
			in, err := instanceFrom(tt[i%2], i, map[string]any{"id": tok.ID, "admin_id": json.Number(strconv.Itoa(int(tok.AdminID))),
				"note": tok.Note, "type": tok.Type, "access_id": tok.AccessID, "access_key": tok.AccessKey,
				"admin_name": t.Users[0].Username, "roles": []any{t.Role.Name},
				"created_on": time.Unix(tok.CreatedOn, 0).UTC().Format(time.RFC3339)},
				map[string]any{"admin_id": tok.AdminID, "id": tok.ID})
			if err != nil {
				return nil, fmt.Errorf("lm_api_token.t%d[%d]: %w", k, i, err)
			}
			renameDeps(in, "lm_user.u0", "lm_user."+usersName)
			tl = append(tl, in)
		}
		toks["instances"] = tl
		res = append(res, users, toks)
	}
	roles["instances"] = rin
	s["resources"] = res
	s["serial"] = bumpSerial(s["serial"])
	return json.MarshalIndent(s, "", "  ")
}

func bumpSerial(v any) json.Number {
	n, _ := strconv.Atoi(fmt.Sprint(v))
	return json.Number(strconv.Itoa(n + 1))
}

// PortalFloorState is the state of PortalFloorConfig(p), templated from
// the state of PortalFloorConfig(p.Teams(1)) as the floor applied it: the
// do-nothing plugin keeps whatever it is given, so only the ids, notes and
// references change.
func PortalFloorState(tiny []byte, p PortalShape) ([]byte, error) {
	s, err := parseState(tiny)
	if err != nil {
		return nil, err
	}
	var tmpl [3]map[string]any
	for i, name := range []string{"r", "u0", "t0"} {
		if tmpl[i], err = s.resource("lmfloor_api_token", name); err != nil {
			return nil, err
		}
		if len(instances(tmpl[i])) == 0 {
			return nil, fmt.Errorf("floor state: lmfloor_api_token.%s has no instance", name)
		}
	}
	id := int32(0)
	next := func() int32 { id++; return id }
	block := func(t map[string]any, name string, n int, attrs func(i int) map[string]any) (map[string]any, error) {
		r := cloneMap(t)
		r["name"] = name
		first := instances(t)[0]
		var l []any
		for i := 0; i < n; i++ {
			in, err := instanceFrom(first, i, attrs(i), nil)
			if err != nil {
				return nil, fmt.Errorf("lmfloor_api_token.%s[%d]: %w", name, i, err)
			}
			if strings.HasPrefix(name, "t") {
				renameDeps(in, "lmfloor_api_token.u0", "lmfloor_api_token.u"+name[1:])
			}
			l = append(l, in)
		}
		r["instances"] = l
		return r, nil
	}
	roleIDs := make([]int32, p.Roles)
	rb, err := block(tmpl[0], "r", p.Roles, func(i int) map[string]any {
		roleIDs[i] = next()
		return map[string]any{"id": roleIDs[i], "note": PortalRoleName(i)}
	})
	if err != nil {
		return nil, err
	}
	res := []any{rb}
	for k := 0; k < p.Roles; k++ {
		var holder int32
		ub, err := block(tmpl[1], fmt.Sprintf("u%d", k), p.UsersPerTeam(), func(i int) map[string]any {
			uid := next()
			if i == 0 {
				holder = uid
			}
			return map[string]any{"id": uid, "admin_id": json.Number(strconv.Itoa(int(roleIDs[k]))), "note": PortalUsername(k, i)}
		})
		if err != nil {
			return nil, err
		}
		tb, err := block(tmpl[2], fmt.Sprintf("t%d", k), p.TokensPerTeam(), func(i int) map[string]any {
			return map[string]any{"id": next(), "admin_id": json.Number(strconv.Itoa(int(holder))), "note": PortalTokenNote(k, i)}
		})
		if err != nil {
			return nil, err
		}
		res = append(res, ub, tb)
	}
	s["resources"] = res
	s["serial"] = bumpSerial(s["serial"])
	return json.MarshalIndent(s, "", "  ")
}
