package lmsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The Swagger subset is the contract for answer shapes. Every answer a test
// gets through sim.do is checked against it by checkConformance.

const (
	sharedSwagger = "../../../shared/lm-api/swagger-admins-apitokens.json"
	copySwagger   = "testdata/swagger-admins-apitokens.json"
)

type swaggerDoc struct {
	Definitions map[string]map[string]any              `json:"definitions"`
	Paths       map[string]map[string]swaggerOperation `json:"paths"`
}

type swaggerOperation struct {
	Responses map[string]struct {
		Schema map[string]any `json:"schema"`
	} `json:"responses"`
}

var (
	swaggerOnce sync.Once
	swagger     *swaggerDoc
	swaggerErr  error
	swaggerPath []struct {
		re   *regexp.Regexp
		path string
	}
)

func loadSwagger(t testing.TB) *swaggerDoc {
	t.Helper()
	swaggerOnce.Do(func() {
		file := sharedSwagger
		if _, err := os.Stat(file); err != nil {
			file = copySwagger
		}
		b, err := os.ReadFile(file)
		if err != nil {
			swaggerErr = err
			return
		}
		var d swaggerDoc
		if swaggerErr = json.Unmarshal(b, &d); swaggerErr != nil {
			return
		}
		// roleGroupId is newer than this Swagger subset; LogicMonitor's
		// own provider and SDKs have it on Role, so the simulator answers
		// it and the contract gains it here, not in the shared file.
		if props, ok := d.Definitions["Role"]["properties"].(map[string]any); ok {
			props["roleGroupId"] = map[string]any{"type": "integer", "format": "int32"}
		}
		swagger = &d
		param := regexp.MustCompile(`\{[^}]+\}`)
		for p := range d.Paths {
			// The paths hold only letters, slashes and {params}.
			re := regexp.MustCompile("^" + param.ReplaceAllString(p, `\d+`) + "$")
			swaggerPath = append(swaggerPath, struct {
				re   *regexp.Regexp
				path string
			}{re, p})
		}
	})
	if swaggerErr != nil {
		t.Fatalf("swagger: %v", swaggerErr)
	}
	return swagger
}

func TestSwaggerCopyMatchesShared(t *testing.T) {
	shared, err := os.ReadFile(sharedSwagger)
	if err != nil {
		t.Skipf("shared swagger not present (%v); the testdata copy is used", err)
	}
	local, err := os.ReadFile(copySwagger)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, local) {
		t.Errorf("%s differs from %s: copy the shared file again", copySwagger, sharedSwagger)
	}
}

// responseSchema returns the schema of the answer to method on
// resourcePath with the given status: the operation's 200 schema or, for
// errors and unknown operations, ErrorResponse.
func responseSchema(d *swaggerDoc, method, resourcePath string, status int) map[string]any {
	errSchema := map[string]any{"$ref": "#/definitions/ErrorResponse"}
	if status != http.StatusOK {
		return errSchema
	}
	for _, p := range swaggerPath {
		if !p.re.MatchString(resourcePath) {
			continue
		}
		if op, ok := d.Paths[p.path][strings.ToLower(method)]; ok {
			return op.Responses["200"].Schema
		}
	}
	return errSchema
}

func checkConformance(t testing.TB, rq req, r resp) {
	t.Helper()
	d := loadSwagger(t)
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Errorf("%s %s: answer is not JSON: %v: %q", method, rq.path, err, r.body)
		return
	}
	v1 := (rq.version == "none" || rq.version == "1") && r.status == http.StatusOK
	if v1 {
		env, ok := v.(map[string]any)
		if !ok {
			t.Errorf("v1 answer is not an object: %s", r.body)
			return
		}
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"data", "errmsg", "status"}) {
			t.Errorf("v1 envelope keys = %v, want data, errmsg, status", keys)
		}
		st, _ := env["status"].(float64)
		if st != http.StatusOK || env["data"] == nil {
			return
		}
		v = env["data"]
	}
	schema := responseSchema(d, method, rq.path, r.status)
	for _, problem := range validate(d, schema, v, "$") {
		t.Errorf("%s %s (%d) does not conform to the Swagger: %s\n%s", method, rq.path, r.status, problem, r.body)
	}
}

// validate checks v against a Swagger 2.0 schema: the type of every present
// property, array items, and that no undeclared property appears. null is
// accepted anywhere (LogicMonitor sends "searchId": null and
// "errorDetail": null). `required` is not checked: it applies to requests
// (Admin requires a password, which is never returned).
func validate(d *swaggerDoc, schema map[string]any, v any, where string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/definitions/")
		def, ok := d.Definitions[name]
		if !ok {
			return []string{fmt.Sprintf("%s: unknown definition %s", where, ref)}
		}
		return validate(d, def, v, where)
	}
	if v == nil {
		return nil
	}
	var problems []string
	bad := func(want string) []string {
		return []string{fmt.Sprintf("%s: %T is not %s", where, v, want)}
	}
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		props, declared := schema["properties"].(map[string]any)
		if !declared {
			return nil
		}
		for k, pv := range obj {
			ps, ok := props[k].(map[string]any)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: undeclared property %q", where, k))
				continue
			}
			problems = append(problems, validate(d, ps, pv, where+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return bad("an array")
		}
		itemSchema, _ := schema["items"].(map[string]any)
		for i, item := range arr {
			problems = append(problems, validate(d, itemSchema, item, fmt.Sprintf("%s[%d]", where, i))...)
		}
	case "integer":
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) {
			return bad("an integer")
		}
		if f, _ := schema["format"].(string); f == "int32" && (n > math.MaxInt32 || n < math.MinInt32) {
			return bad("an int32")
		}
	case "string":
		if _, ok := v.(string); !ok {
			return bad("a string")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return bad("a number")
		}
	}
	return problems
}

// TestValidatorCatchesMistakes keeps the validator honest: it must reject
// what it is there to reject.
func TestValidatorCatchesMistakes(t *testing.T) {
	d := loadSwagger(t)
	token := map[string]any{"$ref": "#/definitions/APIToken"}
	cases := []struct {
		name string
		body string
		ok   bool
	}{
		{"good", `{"id":1,"accessId":"x","roles":["a"],"status":2,"note":""}`, true},
		{"undeclared", `{"id":1,"type":"bearer"}`, false},
		{"wrong type", `{"id":"1"}`, false},
		{"fraction", `{"status":2.5}`, false},
		{"roles not strings", `{"roles":[1]}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
				t.Fatal(err)
			}
			problems := validate(d, token, v, "$")
			if got := len(problems) == 0; got != tc.ok {
				t.Errorf("valid = %v, want %v (%v)", got, tc.ok, problems)
			}
		})
	}
}
