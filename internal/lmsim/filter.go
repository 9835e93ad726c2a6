package lmsim

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// condition is one `field OP value[|value...]` term of a filter; a filter
// is the AND of its conditions.
type condition struct {
	field  string
	op     string
	values []string
}

// filterOps, longest first so that "!:" is not read as "!" then ":".
var filterOps = []string{"!:", ">:", "<:", "!~", ":", "~", ">", "<"}

// parseFilter reads LogicMonitor's filter syntax: conditions joined by ","
// (AND), alternative values separated by "|" (OR), values bare or double
// quoted with \" and \\ escapes; separators inside quotes do not split.
// fields lists the names the endpoint can filter on.
func parseFilter(s string, fields map[string]bool) ([]condition, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var conds []condition
	for _, term := range splitUnquoted(s, ',') {
		term = strings.TrimSpace(term)
		if term == "" {
			return nil, fmt.Errorf("filter %q has an empty condition", s)
		}
		end := strings.IndexFunc(term, func(r rune) bool {
			return !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		})
		if end <= 0 {
			return nil, fmt.Errorf("filter condition %q has no field name or no operator", term)
		}
		c := condition{field: term[:end]}
		rest := term[end:]
		for _, op := range filterOps {
			if strings.HasPrefix(rest, op) {
				c.op, rest = op, rest[len(op):]
				break
			}
		}
		if c.op == "" {
			return nil, fmt.Errorf("filter condition %q has no operator (one of : !: ~ !~ > < >: <:)", term)
		}
		if !fields[c.field] {
			return nil, fmt.Errorf("filter field %q is not supported here (supported: %s)", c.field, strings.Join(sortedKeys(fields), ", "))
		}
		for _, alt := range splitUnquoted(rest, '|') {
			v, err := unquote(strings.TrimSpace(alt))
			if err != nil {
				return nil, fmt.Errorf("filter condition %q: %w", term, err)
			}
			c.values = append(c.values, v)
		}
		conds = append(conds, c)
	}
	return conds, nil
}

// splitUnquoted splits s at sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func unquote(v string) (string, error) {
	if !strings.HasPrefix(v, `"`) {
		if strings.Contains(v, `"`) {
			return "", fmt.Errorf("value %s has a stray double quote", v)
		}
		return v, nil
	}
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 == len(v) {
				return "", fmt.Errorf("value %s ends inside an escape", v)
			}
			i++
			b.WriteByte(v[i])
		case '"':
			if i != len(v)-1 {
				return "", fmt.Errorf("value %s has text after its closing quote", v)
			}
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("value %s lacks its closing quote", v)
}

// matches reports whether an object whose filterable fields are given by
// get satisfies every condition.
func matches(conds []condition, get func(field string) string) bool {
	for _, c := range conds {
		if !c.match(get(c.field)) {
			return false
		}
	}
	return true
}

func (c condition) match(have string) bool {
	// Negative operators hold when no alternative matches; the others when
	// any does.
	switch c.op {
	case "!:":
		return !anyValue(c.values, func(v string) bool { return equalWild(have, v) })
	case "!~":
		return !anyValue(c.values, func(v string) bool { return contains(have, v) })
	case ":":
		return anyValue(c.values, func(v string) bool { return equalWild(have, v) })
	case "~":
		return anyValue(c.values, func(v string) bool { return contains(have, v) })
	default:
		return anyValue(c.values, func(v string) bool { return compare(have, v, c.op) })
	}
}

func anyValue(values []string, f func(string) bool) bool {
	for _, v := range values {
		if f(v) {
			return true
		}
	}
	return false
}

// equalWild is exact equality where "*" in the wanted value matches any run
// of characters. UNCONFIRMED: whether LogicMonitor's equality ignores case.
func equalWild(have, want string) bool {
	parts := strings.Split(want, "*")
	if len(parts) == 1 {
		return have == want
	}
	if !strings.HasPrefix(have, parts[0]) {
		return false
	}
	have = have[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(have, p)
		if i < 0 {
			return false
		}
		have = have[i+len(p):]
	}
	return strings.HasSuffix(have, parts[len(parts)-1])
}

// contains ignores case, as LogicMonitor's "~" does for names and notes.
func contains(have, want string) bool {
	return strings.Contains(strings.ToLower(have), strings.ToLower(want))
}

// compare orders numerically when both sides are numbers, else as strings.
func compare(have, want, op string) bool {
	c := strings.Compare(have, want)
	hn, err1 := strconv.ParseFloat(have, 64)
	wn, err2 := strconv.ParseFloat(want, 64)
	if err1 == nil && err2 == nil {
		c = cmp.Compare(hn, wn)
	}
	switch op {
	case ">":
		return c > 0
	case "<":
		return c < 0
	case ">:":
		return c >= 0
	case "<:":
		return c <= 0
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
