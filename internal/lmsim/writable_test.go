package lmsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Every property the Swagger marks writable on Role and Admin must read
// back as written, through create, get, list, patch and a restart from the
// state file: a client that sets one (LogicMonitor's Terraform provider
// sets customHelpLabel) otherwise sees a change on every plan. The list of
// properties comes from the Swagger, so a property added there is tested
// (or explained below) without anyone remembering to.

// notKept are the writable properties the simulator does not keep, and why.
var notKept = map[string]map[string]string{
	"Admin": {
		"password":  "never stored nor answered (TestAdminAnswersAndPasswords)",
		"apiTokens": "tokens are made through /apitokens; a user body's apiTokens is ignored",
		"createdBy": "the simulator records who created the user",
	},
}

// writeSamples are two values, for create and for patch, of the properties
// whose values the simulator checks. Others get values from their type.
var writeSamples = map[string]map[string][2]string{
	"Admin": {
		"username":       {`"writable-a"`, `"writable-b"`},
		"email":          {`"a@example.com"`, `"b@example.com"`},
		"roles":          {`[{"id":2}]`, `[{"id":1},{"id":2}]`},
		"status":         {`"suspended"`, `"active"`},
		"contactMethod":  {`"smsemail"`, `"email"`},
		"smsEmailFormat": {`"fullText"`, `"sms"`},
		// API-only on create, so that no password is needed.
		"apionly": {`true`, `false`},
	},
	"Role": {
		"name":       {`"writable-a"`, `"writable-b"`},
		"privileges": {`[{"objectType":"help","objectId":"","operation":"read"}]`, `[{"objectType":"dashboard_group","objectId":"*","operation":"write"},{"objectType":"setting","objectId":"*","operation":"read"}]`},
	},
}

func writableProperties(t *testing.T, def string) []string {
	t.Helper()
	props, ok := loadSwagger(t).Definitions[def]["properties"].(map[string]any)
	if !ok {
		t.Fatalf("Swagger definition %s has no properties", def)
	}
	var out []string
	for name, p := range props {
		schema, _ := p.(map[string]any)
		if ro, _ := schema["readOnly"].(bool); ro {
			continue
		}
		if _, skip := notKept[def][name]; skip {
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// samplesFor returns the create and patch values of every property.
func samplesFor(t *testing.T, def string, props []string) [2]map[string]json.RawMessage {
	t.Helper()
	defs, _ := loadSwagger(t).Definitions[def]["properties"].(map[string]any)
	out := [2]map[string]json.RawMessage{{}, {}}
	for _, name := range props {
		v, ok := writeSamples[def][name]
		if !ok {
			schema, _ := defs[name].(map[string]any)
			switch typ, _ := schema["type"].(string); typ {
			case "string":
				v = [2]string{fmt.Sprintf("%q", name+" one"), fmt.Sprintf("%q", name+" two")}
			case "boolean":
				v = [2]string{"true", "false"}
			case "integer":
				v = [2]string{"7", "8"}
			case "object":
				v = [2]string{fmt.Sprintf(`{%q:true}`, name), fmt.Sprintf(`{%q:false,"Alerts":true}`, name)}
			default:
				t.Fatalf("%s.%s is a writable %q: add values to writeSamples, or a reason to notKept", def, name, typ)
			}
		}
		out[0][name], out[1][name] = json.RawMessage(v[0]), json.RawMessage(v[1])
	}
	return out
}

func TestWritablePropertiesReadBack(t *testing.T) {
	for _, def := range []string{"Role", "Admin"} {
		t.Run(def, func(t *testing.T) {
			s := startSim(t, Options{})
			base := map[string]string{"Role": "/setting/roles", "Admin": "/setting/admins"}[def]
			props := writableProperties(t, def)
			samples := samplesFor(t, def, props)
			t.Logf("%s writable properties kept: %s", def, strings.Join(props, ", "))

			create := map[string]json.RawMessage{}
			for k, v := range samples[0] {
				create[k] = v
			}
			if def == "Admin" {
				// Not kept, but they must not break the request either.
				create["createdBy"] = json.RawMessage(`"someone else"`)
				create["apiTokens"] = json.RawMessage(`[{"note":"ignored","status":2}]`)
			}
			r := s.do(t, req{method: "POST", path: base, body: mustJSON(t, create), cred: adminCred})
			wantStatus(t, r, http.StatusOK)
			id, _ := r.json(t)["id"].(float64)
			one := fmt.Sprintf("%s/%d", base, int(id))
			wantProps(t, "create answer", r.json(t), samples[0])
			wantProps(t, "get", s.do(t, req{path: one, cred: adminCred}).json(t), samples[0])
			_, list := items(t, s.do(t, req{path: base, query: fmt.Sprintf("filter=id:%d", int(id)), cred: adminCred}))
			if len(list) != 1 {
				t.Fatalf("list by id: %d items", len(list))
			}
			wantProps(t, "list", list[0], samples[0])
			if def == "Admin" {
				got := s.do(t, req{path: one, cred: adminCred}).json(t)
				if got["createdBy"] != "terraform" || got["apiTokens"] != nil {
					t.Errorf("createdBy = %v, apiTokens = %v: want the creator and no apiTokens", got["createdBy"], got["apiTokens"])
				}
				if total, _ := items(t, s.do(t, req{path: one + "/apitokens", cred: adminCred})); total != 0 {
					t.Errorf("a user body's apiTokens made %d tokens", total)
				}
			}

			// One property at a time: each PATCH changes that one only.
			want := map[string]json.RawMessage{}
			for k, v := range samples[0] {
				want[k] = v
			}
			for _, p := range props {
				body := mustJSON(t, map[string]json.RawMessage{p: samples[1][p]})
				wantStatus(t, s.do(t, req{method: "PATCH", path: one, body: body, cred: adminCred}), http.StatusOK)
				want[p] = samples[1][p]
				wantProps(t, "after PATCH "+p, s.do(t, req{path: one, cred: adminCred}).json(t), want)
			}

			// The state file keeps them.
			state := marshalState(s.Server.Snapshot())
			f, err := parseFixture(state)
			if err != nil {
				t.Fatalf("state file does not load: %v\n%s", err, state)
			}
			again := startSim(t, Options{Fixture: f})
			wantProps(t, "after a restart", again.do(t, req{path: one, cred: adminCred}).json(t), want)
		})
	}
}

// wantProps checks that every property of want reads back in got as sent.
func wantProps(t *testing.T, when string, got map[string]any, want map[string]json.RawMessage) {
	t.Helper()
	for k, raw := range want {
		var sent any
		if err := json.Unmarshal(raw, &sent); err != nil {
			t.Fatal(err)
		}
		for _, p := range echoProblems(sent, got[k], k) {
			t.Errorf("%s: %s", when, p)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAdminProfileDefaultsAndChecks(t *testing.T) {
	s := startSim(t, Options{})
	const user = `{"username":"profile","email":"p@example.com","roles":[{"id":2}],"apionly":true`
	r := s.do(t, req{method: "POST", path: "/setting/admins", body: user + `,"timezone":"Europe/Paris","phone":"555"}`, cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	m := r.json(t)
	// LogicMonitor's documented defaults.
	for k, v := range map[string]any{
		"contactMethod": "email", "smsEmailFormat": "sms", "acceptEULA": false,
		"forcePasswordChange": false, "twoFAEnabled": false, "smsEmail": "", "timezone": "Europe/Paris",
	} {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if vp, _ := m["viewPermission"].(map[string]any); vp["Dashboards"] != true || vp["Settings"] != true {
		t.Errorf("default viewPermission = %v, want every tab visible", m["viewPermission"])
	}
	id, _ := m["id"].(float64)
	path := fmt.Sprintf("/setting/admins/%d", int(id))

	// PUT replaces: what it leaves out returns to its default.
	r = s.do(t, req{method: "PUT", path: path, body: user + `,"contactMethod":"smsemail"}`, cred: adminCred})
	wantStatus(t, r, http.StatusOK)
	if m := r.json(t); m["timezone"] != "" || m["phone"] != "" || m["contactMethod"] != "smsemail" {
		t.Errorf("after PUT: timezone %v, phone %v, contactMethod %v", m["timezone"], m["phone"], m["contactMethod"])
	}

	for _, tc := range []struct{ body, msg string }{
		{`{"contactMethod":"fax"}`, `contactMethod "fax" is invalid: use email or smsemail`},
		{`{"smsEmailFormat":"long"}`, `smsEmailFormat "long" is invalid: use sms or fullText`},
		{`{"viewPermission":["Dashboards"]}`, "viewPermission must be a JSON object"},
		{`{"viewPermission":"all"}`, "viewPermission must be a JSON object"},
		{`{"phone":5551234}`, "Malformed JSON"},
	} {
		wantError(t, s.do(t, req{method: "PATCH", path: path, body: tc.body, cred: adminCred}), http.StatusBadRequest, tc.msg)
	}
	if m := s.do(t, req{path: path, cred: adminCred}).json(t); m["contactMethod"] != "smsemail" {
		t.Errorf("a refused PATCH changed contactMethod to %v", m["contactMethod"])
	}
	// null is "not sent", as the SDKs send unset properties.
	r = s.do(t, req{method: "PATCH", path: path, body: `{"viewPermission":null,"contactMethod":null}`, cred: adminCred})
	if m := r.json(t); m["contactMethod"] != "smsemail" || m["viewPermission"] == nil {
		t.Errorf("PATCH with nulls: %s", r.body)
	}

	// A hand-written fixture is checked the same way.
	fx := `{"roles":[{"id":1,"name":"administrator"}],"admins":[{"id":5,"username":"u","email":"u@example.com","roles":[{"id":1}],"contactMethod":"pigeon","viewPermission":[]}],"apiTokens":[]}`
	_, err := parseFixture([]byte(fx))
	if err == nil || !strings.Contains(err.Error(), `contactMethod "pigeon"`) || !strings.Contains(err.Error(), "viewPermission") {
		t.Errorf("fixture with bad profile: %v", err)
	}
}
