package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

var (
	buildOnce sync.Once
	pluginDir string
	buildErr  error
)

// cli returns the CLI under test, skipping unless acceptance tests are on
// and the CLI is at least minVersion.
func cli(t *testing.T, minVersion string) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 (and TF_ACC_TERRAFORM_PATH) to run end-to-end tests")
	}
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH names no CLI")
	}
	out, err := exec.Command(path, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", path, err)
	}
	var v struct {
		TerraformVersion string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", path, err)
	}
	if version.Must(version.NewVersion(v.TerraformVersion)).LessThan(version.Must(version.NewVersion(minVersion))) {
		t.Skipf("%s is %s; this needs %s or later", path, v.TerraformVersion, minVersion)
	}
	return path
}

// provider builds the provider binary once per test process.
func provider(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		pluginDir, buildErr = os.MkdirTemp("", "lm-e2e-plugin")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(pluginDir, "terraform-provider-lm"), "../..")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("go build: %w: %s", err, stderr.String())
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return pluginDir
}

// TestMain checks, against a real portal, that the tests leave no token.
func TestMain(m *testing.M) { os.Exit(acctest.LeftoverCheck(m).Run()) }

type workspace struct {
	t   *testing.T
	cli string
	dir string
	env []string
	lm  *acctest.Env
}

// newWorkspace gives the test a directory, the built provider and a
// LogicMonitor (acctest.New: its own simulator, or the real portal) named
// to the CLI through the environment.
func newWorkspace(t *testing.T, cliPath string) *workspace {
	t.Helper()
	e := acctest.New(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, "cli.tfrc")
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"lmtf/lm\" = %q\n  }\n  direct {}\n}\n", provider(t))
	if err := os.WriteFile(rc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(acctest.ProviderEnv, name) {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "LM_BASE_URL="+e.BaseURL)
	if e.BearerToken != "" {
		env = append(env, "LM_BEARER_TOKEN="+e.BearerToken)
	} else {
		env = append(env, "LM_ACCESS_ID="+e.AccessID, "LM_ACCESS_KEY="+e.AccessKey)
	}
	return &workspace{t: t, cli: cliPath, dir: dir, env: env, lm: e}
}

// write writes the configuration, main.tf.
func (w *workspace) write(config string) {
	w.t.Helper()
	w.writeFile("main.tf", config)
}

// writeFile writes a file of the workspace.
func (w *workspace) writeFile(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs the CLI and returns its combined output and error.
func (w *workspace) run(args ...string) (string, error) {
	cmd := exec.CommandContext(context.Background(), w.cli, args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ephemeralLeft lists, through the API, the test user's tokens with note.
func (w *workspace) ephemeralLeft(note string) []string {
	w.t.Helper()
	toks, err := w.lm.Client.ListAPITokens(context.Background(), w.lm.AdminID, lm.ListOptions{Filter: "note:" + lm.QuoteFilter(note)})
	if err != nil {
		w.t.Fatal(err)
	}
	var left []string
	for _, tok := range toks {
		left = append(left, fmt.Sprintf("%d %q", tok.ID, tok.Note))
	}
	return left
}

// ephemeralConfig opens a one-run token for the test user (admin_id and
// note come from the test) and configures a second provider with it.
const ephemeralConfig = `
terraform {
  required_providers {
    lm = { source = "lmtf/lm" }
  }
}

provider "lm" {}

ephemeral "lm_api_token" "run" {
  admin_id = %[1]d
  note     = %[2]q
}

# A second lm provider that authenticates with the one-run key.
provider "lm" {
  alias      = "run"
  access_id  = ephemeral.lm_api_token.run.access_id
  access_key = ephemeral.lm_api_token.run.access_key
}

data "lm_api_tokens" "seen_with_run_key" {
  provider      = lm.run
  admin_id      = %[1]d
  note_contains = %[2]q
}

output "seen" {
  value = [for t in data.lm_api_tokens.seen_with_run_key.tokens : t.note]
}
`

// TestAccE2E_ephemeralTokenConfiguresAnotherProvider: the one-run key really
// authenticates a second provider, and is deleted when the run ends.
func TestAccE2E_ephemeralTokenConfiguresAnotherProvider(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.10.0"))
	note := acctest.Note("e2e one-run token")
	w.write(fmt.Sprintf(ephemeralConfig, w.lm.AdminID, note))
	if out, err := w.run("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err := w.run("output", "-json", "seen")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var seen []string
	if err := json.Unmarshal([]byte(out), &seen); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if len(seen) != 1 || seen[0] != note {
		t.Errorf("the provider configured with the one-run key saw %q, want exactly its own token", seen)
	}
	if left := w.ephemeralLeft(note); len(left) > 0 {
		t.Errorf("one-run tokens outlived the run: %v", left)
	}
	for _, f := range []string{"terraform.tfstate"} {
		data, err := os.ReadFile(filepath.Join(w.dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "access_key") {
			t.Errorf("%s mentions access_key: the ephemeral token reached the state", f)
		}
	}
}

// TestAccE2E_ephemeralTokenDeletedWhenRunFails: a run that fails after the token
// was opened must not leave the token behind, even where the CLI skips
// Close (OpenTofu skips it when a dependent fails).
func TestAccE2E_ephemeralTokenDeletedWhenRunFails(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.10.0"))
	note := acctest.Note("e2e one-run token of a failing run")
	w.write(fmt.Sprintf(ephemeralConfig, w.lm.AdminID, note) + `
data "lm_user" "missing" {
  provider   = lm.run
  username   = "no-such-user"
  depends_on = [data.lm_api_tokens.seen_with_run_key]
}
`)
	for _, cmd := range [][]string{{"plan", "-input=false", "-no-color"}, {"apply", "-auto-approve", "-input=false", "-no-color"}} {
		out, err := w.run(cmd...)
		if err == nil || !strings.Contains(out, `no user named "no-such-user"`) {
			t.Fatalf("%s should fail on the missing user: %v\n%s", cmd[0], err, out)
		}
		if left := w.ephemeralLeft(note); len(left) > 0 {
			t.Errorf("after a failed %s, one-run tokens remain: %v", cmd[0], left)
		}
	}
}

// TestAccE2E_passwordWriteOnlyNeverShown: a sign-in user's write-only
// password, given as a pipeline gives it (TF_VAR_password), reaches
// LogicMonitor but not the plan or apply output, `show`, the state file or
// the TF_LOG=TRACE output of the CLI and the provider.
func TestAccE2E_passwordWriteOnlyNeverShown(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.11.0"))
	const password = "E2e-Write-Only-Pw-7"
	username := acctest.Name("e2e-alice")
	w.env = append(w.env, "TF_VAR_password="+password)
	checkTrace := w.traceLog("/setting/admins", map[string]string{"the password": password})
	w.write(fmt.Sprintf(`
terraform {
  required_providers {
    lm = { source = "lmtf/lm" }
  }
}

provider "lm" {}

variable "password" {
  type      = string
  sensitive = true
}

resource "lm_user" "alice" {
  username            = %q
  email               = "alice@example.com"
  api_only            = false
  roles               = [%d]
  password_wo         = var.password
  password_wo_version = 1
}
`, username, w.lm.RoleID(t, "readonly")))
	var shown strings.Builder
	for _, args := range [][]string{
		{"plan", "-input=false", "-no-color"},
		{"apply", "-auto-approve", "-input=false", "-no-color"},
		{"show", "-no-color"},
		{"show", "-json"},
	} {
		out, err := w.run(args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
		shown.WriteString(out)
	}
	if !strings.Contains(shown.String(), username) || !strings.Contains(shown.String(), "password_wo") {
		t.Fatalf("the outputs do not show the user; the check would prove nothing:\n%s", shown.String())
	}
	// The user exists; which password it holds only the simulator shows.
	admins, err := w.lm.Client.FindAdminsByUsername(context.Background(), username)
	if err != nil || len(admins) != 1 {
		t.Fatalf("LogicMonitor did not get the user %s: %v %v", username, admins, err)
	}
	if id := admins[0].ID; w.lm.Sim != nil && !w.lm.Sim.Server.PasswordIs(id, password) {
		t.Fatalf("LogicMonitor did not get the password (user %d)", id)
	}
	state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := w.run("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	checkTrace()
	for what, text := range map[string]string{
		"plan, apply and show output": shown.String(),
		"the state file":              string(state),
	} {
		if strings.Contains(text, password) {
			t.Errorf("%s holds the password", what)
		}
	}
}
