package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

const providerConfig = `
terraform {
  required_providers {
    lm = { source = "lmtf/lm" }
  }
}

provider "lm" {}
`

// traceLog makes the CLI and the provider log at TRACE into a file of the
// workspace, and returns a function that fails the test if that log holds
// one of secrets or the provider's credentials (or no provider request line
// naming request, an API path the run calls, which would prove nothing).
func (w *workspace) traceLog(request string, secrets map[string]string) func() {
	w.t.Helper()
	path := filepath.Join(w.dir, "trace.log")
	w.env = append(w.env, "TF_LOG=TRACE", "TF_LOG_PATH="+path)
	return func() {
		w.t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			w.t.Fatal(err)
		}
		w.lm.CheckTraceLog(w.t, string(data), request, secrets)
	}
}

// generateConfig runs `terraform query -generate-config-out` and returns
// the generated.tf it writes, which must hold imports import blocks.
func (w *workspace) generateConfig(imports int) []byte {
	w.t.Helper()
	out, err := w.run("query", "-no-color", "-generate-config-out=generated.tf")
	if err != nil {
		w.t.Fatalf("query -generate-config-out: %v\n%s", err, out)
	}
	generated, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		w.t.Fatal(err)
	}
	if n := strings.Count(string(generated), "import {"); n != imports {
		w.t.Fatalf("generated.tf has %d import blocks, want %d:\n%s", n, imports, generated)
	}
	return generated
}

// handMade makes a user for the test and creates its tokens outside
// Terraform, as a portal's users did; they are deleted when the test ends.
// Notes come from acctest.Note, but for an empty one, which a token made by
// hand may well have: the user's deletion (at cleanup, or by the sweeper
// after an interrupted run) takes that token with it.
func (w *workspace) handMade(reqs ...lm.CreateAPITokenRequest) (*lm.Admin, []*lm.APIToken) {
	w.t.Helper()
	ctx := context.Background()
	user, err := w.lm.Client.GetAdmin(ctx, w.lm.CreateUser(w.t))
	if err != nil {
		w.t.Fatal(err)
	}
	var out []*lm.APIToken
	for _, r := range reqs {
		if r.Note != "" {
			out = append(out, w.lm.CreateToken(w.t, user.ID, r))
			continue
		}
		tok, err := w.lm.Client.CreateAPIToken(ctx, user.ID, r)
		if err != nil {
			w.t.Fatal(err)
		}
		w.t.Cleanup(func() {
			if err := w.lm.Client.DeleteAPIToken(context.Background(), user.ID, tok.ID); err != nil && !lm.IsNotFound(err) {
				w.t.Errorf("deleting token %d of user %d: %v", tok.ID, user.ID, err)
			}
		})
		out = append(out, tok)
	}
	return user, out
}

// TestAccE2E_queryGenerateConfigAdoptsTokens: `terraform query` lists the
// tokens of a user; -generate-config-out writes resource and import blocks
// that apply as imports, after which the plan is empty.
func TestAccE2E_queryGenerateConfigAdoptsTokens(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.14.0"))
	exporter, webhook := acctest.Note("exporter, made by hand"), acctest.Note("old webhook")
	user, toks := w.handMade(
		lm.CreateAPITokenRequest{Note: exporter, Enabled: true},
		lm.CreateAPITokenRequest{Note: "", Enabled: true},
		lm.CreateAPITokenRequest{Note: webhook, Enabled: false, Type: lm.TokenTypeBearer},
	)
	checkTrace := w.traceLog("/apitokens", map[string]string{
		"a listed token's key": toks[0].AccessKey, "a listed bearer token": toks[2].AccessKey,
	})
	defer checkTrace()
	w.write(providerConfig)
	w.writeFile("adopt.tfquery.hcl", fmt.Sprintf(`
list "lm_api_token" "pipeline" {
  provider         = lm
  include_resource = true
  config {
    admin_id = %d
  }
}
`, user.ID))
	out, err := w.run("query", "-no-color")
	if err != nil {
		t.Fatalf("query: %v\n%s", err, out)
	}
	for _, tok := range toks {
		if !strings.Contains(out, tok.AccessID) {
			t.Errorf("query output lacks token %d (access id %s):\n%s", tok.ID, tok.AccessID, out)
		}
	}
	if !strings.Contains(out, fmt.Sprintf("%s: %s %q", user.Username, toks[0].AccessID, exporter)) ||
		!strings.Contains(out, fmt.Sprintf("%q (bearer, disabled)", webhook)) {
		t.Errorf("query output lacks the display names:\n%s", out)
	}

	generated := w.generateConfig(len(toks))
	if !strings.Contains(string(generated), "identity = {") || strings.Contains(string(generated), "access_key") {
		t.Errorf("generated.tf should import by identity and never mention access_key:\n%s", generated)
	}

	out, err = w.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("apply of the generated configuration: %v\n%s\ngenerated.tf:\n%s", err, out, generated)
	}
	if !strings.Contains(out, "3 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("apply should import the three tokens and change nothing:\n%s", out)
	}
	out, err = w.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("the plan after the import is not empty (exit %v):\n%s\ngenerated.tf:\n%s", err, out, generated)
	}
	state, err := w.run("state", "list")
	if err != nil || strings.Count(state, "lm_api_token.") != len(toks) {
		t.Errorf("state list: %v\n%s", err, state)
	}
}

// TestAccE2E_invokeRevokesUnmanagedToken: `terraform apply -invoke`
// disables a token that no state manages, says so again without error when
// it is already disabled, deletes with mode = "delete", and fails on an
// unknown access id. Nothing secret reaches the output.
func TestAccE2E_invokeRevokesUnmanagedToken(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.14.0"))
	_, toks := w.handMade(
		lm.CreateAPITokenRequest{Note: acctest.Note("e2e leaked in a chat"), Enabled: true},
		lm.CreateAPITokenRequest{Note: acctest.Note("e2e leaked bearer"), Enabled: true, Type: lm.TokenTypeBearer},
	)
	leaked, bearer := toks[0], toks[1]
	defer w.traceLog("/apitokens", map[string]string{"the leaked key": leaked.AccessKey, "the bearer token": bearer.AccessKey})()
	w.write(providerConfig + `
action "lm_revoke_api_token" "leaked" {
  config {
    access_id = "` + leaked.AccessID + `"
  }
}

action "lm_revoke_api_token" "bearer" {
  config {
    access_id = "` + bearer.AccessID + `"
    mode      = "delete"
  }
}

action "lm_revoke_api_token" "typo" {
  config {
    access_id = "NoSuchAccessId000000"
  }
}
`)
	status := func(tok *lm.APIToken) string {
		s, err := w.lm.TokenStatus(context.Background(), tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	var outputs []string
	invoke := func(name string) (string, error) {
		out, err := w.run("apply", "-auto-approve", "-input=false", "-no-color", "-invoke=action.lm_revoke_api_token."+name)
		outputs = append(outputs, out)
		return out, err
	}

	out, err := invoke("leaked")
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	if status(leaked) != "disabled" || status(bearer) != "enabled" {
		t.Fatalf("after the invoke: leaked %s, bearer %s; want disabled, enabled\n%s", status(leaked), status(bearer), out)
	}
	if !strings.Contains(out, "Disabled token") {
		t.Errorf("the invoke did not report its progress:\n%s", out)
	}

	out, err = invoke("leaked")
	if err != nil || !strings.Contains(out, "already disabled") {
		t.Errorf("a second invoke should succeed saying the token is already disabled: %v\n%s", err, out)
	}

	out, err = invoke("bearer")
	if err != nil || status(bearer) != "gone" || !strings.Contains(out, "Deleted token") {
		t.Errorf("mode = delete: %v, token %s\n%s", err, status(bearer), out)
	}

	out, err = invoke("typo")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(out, "No API token has this access id") {
		t.Errorf("an unknown access id should fail clearly: %v\n%s", err, out)
	}

	if _, err := os.Stat(filepath.Join(w.dir, "terraform.tfstate")); err == nil {
		data, _ := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
		if strings.Contains(string(data), "lm_api_token") {
			t.Errorf("invoking the action put a token in the state:\n%s", data)
		}
	}
	for _, out := range outputs {
		for what, secret := range map[string]string{
			"the leaked key":         leaked.AccessKey,
			"the bearer token":       bearer.AccessKey,
			"the provider's own key": w.lm.Secret(),
		} {
			if secret == "" {
				t.Fatalf("%s is empty", what)
			}
			if strings.Contains(out, secret) {
				t.Errorf("the output of an invoke contains %s", what)
			}
		}
	}
}

// TestAccE2E_adoptUsersAndRoles: `terraform query` lists users and roles
// made in the portal; -generate-config-out writes resource and import
// blocks that apply as imports, after which the plan is empty: every
// attribute (roles as ids, privileges as a set, api_only, status, names,
// role group) reads back as the generated configuration says. The role and
// users are made for the test through the API, named by acctest.Name, and
// deleted when it ends; the queries filter on their common name.
func TestAccE2E_adoptUsersAndRoles(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.14.0"))
	ctx := context.Background()
	c := w.lm.Client
	base := acctest.Name("e2e-adopt")
	roleName, opsName, svcName := base+"-ops-role", base+"-ops", base+"-svc"
	// The public API cannot make a role group: role group 4 exists only in
	// the simulator's eyes, so against a portal the role has none.
	var roleGroup int32 = 4
	if acctest.RealPortal() {
		roleGroup = 0
	}
	role, err := c.CreateRole(ctx, lm.RoleWrite{
		Name: roleName, Description: "made in the portal", TwoFARequired: true, RoleGroupID: roleGroup,
		Privileges: []lm.Privilege{
			{ObjectType: "host_group", ObjectID: "*", Operation: lm.OperationAck},
			{ObjectType: "dashboard_group", ObjectID: "private", Operation: lm.OperationWrite},
			{ObjectType: "help", ObjectID: "", Operation: lm.OperationRead},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the users go before the role they hold.
	t.Cleanup(func() {
		if err := c.DeleteRole(context.Background(), role.ID); err != nil && !lm.IsNotFound(err) {
			t.Errorf("deleting role %d (%s): %v", role.ID, roleName, err)
		}
	})
	const password = "e2e-Adopt-Secret-9f3k"
	users := []lm.AdminWrite{
		{Username: opsName, Email: "ops@example.com", FirstName: "Olga", LastName: "Ops", Note: "signs in",
			Roles: []lm.RoleRef{{ID: role.ID}, {ID: w.lm.RoleID(t, "readonly")}}, APIOnly: false, Status: lm.AdminActive, Password: password},
		{Username: svcName, Email: "svc@example.com", Roles: []lm.RoleRef{{ID: role.ID}}, APIOnly: true, Status: lm.AdminSuspended},
	}
	for _, u := range users {
		made, err := c.CreateAdmin(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.DeleteAdmin(context.Background(), made.ID); err != nil && !lm.IsNotFound(err) {
				t.Errorf("deleting user %d (%s): %v", made.ID, made.Username, err)
			}
		})
	}
	w.write(providerConfig)
	w.writeFile("adopt.tfquery.hcl", fmt.Sprintf(`
list "lm_role" "hand_made" {
  provider         = lm
  include_resource = true
  config {
    name_contains = %[1]q
  }
}

list "lm_user" "hand_made" {
  provider         = lm
  include_resource = true
  config {
    username_contains = %[1]q
  }
}
`, base))
	out, err := w.run("query", "-no-color")
	if err != nil {
		t.Fatalf("query: %v\n%s", err, out)
	}
	for _, name := range []string{
		roleName + ` (2 users, 3 privileges)`,
		opsName + ` <ops@example.com>`,
		svcName + ` <svc@example.com> (API-only, suspended)`,
	} {
		if !strings.Contains(out, name) {
			t.Errorf("query output lacks %q:\n%s", name, out)
		}
	}

	generated := w.generateConfig(3)
	// Terraform writes the write-only password as `password_wo = null`.
	if !strings.Contains(string(generated), "identity = {") || regexp.MustCompile(`password_wo\s*=\s*"`).Match(generated) {
		t.Errorf("generated.tf should import by identity and set no password:\n%s", generated)
	}

	out, err = w.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("apply of the generated configuration: %v\n%s\ngenerated.tf:\n%s", err, out, generated)
	}
	if !strings.Contains(out, "3 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("apply should import the role and the two users and change nothing:\n%s\ngenerated.tf:\n%s", out, generated)
	}
	out, err = w.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("the plan after the import is not empty (exit %v):\n%s\ngenerated.tf:\n%s", err, out, generated)
	}
	state, err := w.run("state", "list")
	if err != nil || strings.Count(state, "lm_user.") != 2 || strings.Count(state, "lm_role.") != 1 {
		t.Errorf("state list: %v\n%s", err, state)
	}
	data, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"generated.tf": string(generated), "the state": string(data), "the output": out} {
		if strings.Contains(text, password) {
			t.Errorf("%s holds the sign-in user's password", what)
		}
	}
}
