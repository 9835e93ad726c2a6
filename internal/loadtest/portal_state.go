package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The portal's Terraform state (portal.go has its shape, configuration and
// seeding): templated from what the CLI and the provider wrote for the
// teams created for real.

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
