package lmsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// call is one routed API call. Handlers run with the store locked.
type call struct {
	st    *store
	p     principal
	query url.Values
	body  []byte
	ids   []int32
	now   time.Time
}

type handler func(c *call) (int, any)

type route struct {
	// pattern segments; "#" matches an all-digit id.
	pattern []string
	methods map[string]handler
}

var routes = []route{
	{[]string{"setting", "admins"}, map[string]handler{
		http.MethodGet: listAdmins, http.MethodPost: createAdmin}},
	{[]string{"setting", "admins", "apitokens"}, map[string]handler{
		http.MethodGet: listAllTokens}},
	{[]string{"setting", "admins", "#"}, map[string]handler{
		http.MethodGet: getAdmin, http.MethodPatch: patchAdmin, http.MethodPut: putAdmin, http.MethodDelete: deleteAdmin}},
	{[]string{"setting", "admins", "#", "apitokens"}, map[string]handler{
		http.MethodGet: listAdminTokens, http.MethodPost: createToken}},
	{[]string{"setting", "admins", "#", "apitokens", "#"}, map[string]handler{
		http.MethodPatch: patchToken, http.MethodPut: putToken, http.MethodDelete: deleteToken}},
	{[]string{"setting", "roles"}, map[string]handler{
		http.MethodGet: listRoles, http.MethodPost: createRole}},
	{[]string{"setting", "roles", "#"}, map[string]handler{
		http.MethodGet: getRole, http.MethodPatch: patchRole, http.MethodPut: putRole, http.MethodDelete: deleteRole}},
}

func matchRoute(resourcePath string) (*route, []int32) {
	segs := strings.Split(strings.Trim(resourcePath, "/"), "/")
next:
	for i := range routes {
		rt := &routes[i]
		if len(rt.pattern) != len(segs) {
			continue
		}
		var ids []int32
		for j, want := range rt.pattern {
			if want != "#" {
				if segs[j] != want {
					continue next
				}
				continue
			}
			n, err := strconv.ParseInt(segs[j], 10, 32)
			if err != nil || n < 0 || strings.Trim(segs[j], "0123456789") != "" {
				continue next
			}
			ids = append(ids, int32(n)) //nolint:gosec // G115: ParseInt bounded n to 32 bits
		}
		return rt, ids
	}
	return nil, nil
}

// route finds and runs the handler, then saves the state if it changed.
func (s *Server) route(w http.ResponseWriter, r *http.Request, resourcePath string, body []byte, p principal) (int, any) {
	rt, ids := matchRoute(resourcePath)
	if rt == nil {
		return http.StatusNotFound, errorf(http.StatusNotFound, "No such API: %s %s", r.Method, resourcePath)
	}
	h, ok := rt.methods[r.Method]
	if !ok {
		allowed := make([]string, 0, len(rt.methods))
		for m := range rt.methods {
			allowed = append(allowed, m)
		}
		slices.Sort(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		return http.StatusMethodNotAllowed, errorf(http.StatusMethodNotAllowed, "Method %s is not supported on %s (allowed: %s)", r.Method, endpointTemplate(resourcePath), strings.Join(allowed, ", "))
	}
	if r.Method != http.MethodGet && !p.admin {
		return http.StatusForbidden, errorf(http.StatusForbidden, "Permission denied: user <%s> may only read (the %q role is required to change settings)", p.username, AdministratorRole)
	}

	// r.URL.Query() drops a pair it cannot decode (a bare "%", a ";"), so
	// a malformed filter would list everything. UNCONFIRMED what
	// LogicMonitor answers; a 400 is what a client needs to see.
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return http.StatusBadRequest, errorf(http.StatusBadRequest, "query %q cannot be read (%v): percent-encode %%, ; and & in values", r.URL.RawQuery, err)
	}

	st := s.store
	st.mu.Lock()
	seq := st.seq
	c := &call{st: st, p: p, query: query, body: body, ids: ids, now: s.clock()}
	status, payload := h(c)
	var state []byte
	if st.seq != seq && s.persist != nil {
		state = marshalState(st.snapshot())
		st.dirty = false
	}
	newSeq := st.seq
	st.mu.Unlock()
	if state != nil {
		if err := s.persist.write(newSeq, state); err != nil {
			// The change is made; a simulator that cannot save it should
			// say so loudly rather than pretend.
			return http.StatusInternalServerError, errorf(http.StatusInternalServerError, "saving state: %v", err)
		}
	}
	return status, payload
}

func answer(v any) (int, any) { return http.StatusOK, v }

func fail(e *apiError) (int, any) { return e.status, e }

// decode reads a JSON object body. Unknown and read-only properties are
// ignored, as LogicMonitor ignores what the SDKs send back from a GET.
func decode(body []byte, v any) *apiError {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return errorf(http.StatusBadRequest, "The request body is empty; send a JSON object, at least {}")
	}
	if trimmed[0] != '{' {
		return errorf(http.StatusBadRequest, "Malformed JSON: the request body must be a JSON object")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return errorf(http.StatusBadRequest, "Malformed JSON: %v", err)
	}
	return nil
}

// setIf copies *v to *dst when the body carries v: a property left out of
// a PATCH stays as it was.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
