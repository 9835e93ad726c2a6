package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The tests below run scripts/democli.sh, which picks the CLI for `make
// demo`, with a PATH that holds only the tools it needs and fake terraform
// and tofu scripts, an empty cache and a release site that cannot be used,
// and check which CLI it picks and the line that says why. --dry-run stops
// it before it would build a CLI.

const democli = "../../../scripts/democli.sh"

// toolsDir holds symlinks to the commands democli.sh and lib.sh run, so
// that PATH can leave out every real terraform and tofu; and a go that runs
// with the test's own PATH, so that it finds the same C compiler (or none),
// builds with the same settings and so from the build cache.
func toolsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"bash", "env", "mktemp", "rm", "grep", "sed", "tail", "cat", "dirname"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.Symlink(p, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go: %v", err)
	}
	path := os.Getenv("PATH")
	if strings.Contains(path+goBin, "'") {
		t.Fatalf("PATH or the go path holds a quote: %s %s", path, goBin)
	}
	wrapper := fmt.Sprintf("#!/bin/sh\nPATH='%s' exec '%s' \"$@\"\n", path, goBin)
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fakeCLI writes an executable NAME into dir that answers `NAME version`
// with first line FIRST (exit 0), or fails when FIRST is empty.
func fakeCLI(t *testing.T, dir, name, first string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "#!/bin/sh\necho 'broken: cannot run' >&2\nexit 1\n"
	if first != "" {
		body = fmt.Sprintf("#!/bin/sh\n[ \"$1\" = version ] || exit 3\necho '%s'\necho 'on %s_%s'\n", first, runtime.GOOS, runtime.GOARCH)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// unusedURL is a loopback URL on which nothing listens.
func unusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

type demoCLIRun struct {
	stdout, stderr string
	err            error
	took           time.Duration
}

// runDemoCLI runs democli.sh --dry-run with PATH = pathDir, then the tools;
// env adds or, with an empty value, removes variables.
func runDemoCLI(t *testing.T, tools, pathDir string, env map[string]string) demoCLIRun {
	t.Helper()
	cmd := exec.Command(filepath.Join(tools, "bash"), democli, "--dry-run")
	skip := map[string]bool{"PATH": true, "LM_DEMO_CLI": true, "LM_CLI_DIR": true, "LM_RELEASES_URL": true,
		"LM_DEMO_LOG": true, "LM_DEMO_RELEASE_PROBE_TIMEOUT": true, "TERRAFORM_VERSION": true,
		"TERRAFORM_CURRENT_VERSION": true, "TOFU_VERSION": true}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !skip[k] {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PATH="+pathDir+string(os.PathListSeparator)+tools)
	for k, v := range env {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	return demoCLIRun{stdout.String(), stderr.String(), err, time.Since(start)}
}

// TestDemoCLIOrder: LM_DEMO_CLI, then terraform and tofu on PATH, then the
// cache, each when its version is supported.
func TestDemoCLIOrder(t *testing.T) {
	tools := toolsDir(t)
	root := t.TempDir()
	bin := func(name string) string { return filepath.Join(root, name) }
	tf111 := fakeCLI(t, bin("tf111"), "terraform", "Terraform v1.11.4")
	fakeCLI(t, bin("tf111"), "tofu", "OpenTofu v1.12.6")
	tofu112 := fakeCLI(t, bin("tofu112"), "tofu", "OpenTofu v1.12.6")
	fakeCLI(t, bin("old"), "terraform", "Terraform v1.5.7")
	fakeCLI(t, bin("old"), "tofu", "OpenTofu v1.6.2")
	oldTofuOK := fakeCLI(t, bin("oldtf-tofu"), "tofu", "OpenTofu v1.13.0")
	fakeCLI(t, bin("oldtf-tofu"), "terraform", "Terraform v1.7.5")
	fakeCLI(t, bin("broken"), "terraform", "")
	brokenTofu := fakeCLI(t, bin("broken"), "tofu", "OpenTofu v1.12.6")
	fakeCLI(t, bin("tf2"), "terraform", "Terraform v2.0.0")
	tfDev := fakeCLI(t, bin("dev"), "terraform", "Terraform v1.16.4-dev")
	empty := bin("empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	// A cache holding a built Terraform 1.8.5 and an older build of 1.16.4
	// that does not run; and one that also holds the release of 1.16.4.
	cache := bin("cache")
	cached := fakeCLI(t, filepath.Join(cache, "terraform-1.8.5"), "terraform", "Terraform v1.8.5")
	fakeCLI(t, filepath.Join(cache, "terraform-1.16.4"), "terraform", "")
	fullCache := bin("fullcache")
	fakeCLI(t, filepath.Join(fullCache, "terraform-1.8.5"), "terraform", "Terraform v1.8.5")
	fakeCLI(t, filepath.Join(fullCache, "terraform-1.16.4"), "terraform", "Terraform v1.16.4")
	fakeCLI(t, filepath.Join(fullCache, "tofu-1.12.6"), "tofu", "OpenTofu v1.12.6")
	release := fakeCLI(t, filepath.Join(fullCache, "terraform-1.16.4-release"), "terraform", "Terraform v1.16.4")
	emptyCache := bin("nocache")

	for _, tc := range []struct {
		name     string
		path     string
		env      map[string]string
		want     string // stdout
		wantLine string // the first line on stderr
	}{
		{
			name: "supported terraform on PATH", path: bin("tf111"),
			want: tf111, wantLine: "using Terraform 1.11.4 from PATH (" + tf111 + ")",
		},
		{
			name: "LM_DEMO_CLI wins over PATH", path: bin("tf111"), env: map[string]string{"LM_DEMO_CLI": tofu112},
			want: tofu112, wantLine: "using OpenTofu 1.12.6 from LM_DEMO_CLI (" + tofu112 + ")",
		},
		{
			name: "LM_DEMO_CLI names a command on PATH", path: bin("tf111"), env: map[string]string{"LM_DEMO_CLI": "tofu"},
			want: filepath.Join(bin("tf111"), "tofu"), wantLine: "using OpenTofu 1.12.6 from LM_DEMO_CLI (" + filepath.Join(bin("tf111"), "tofu") + ")",
		},
		{
			name: "tofu on PATH when terraform there is too old", path: bin("oldtf-tofu"),
			want:     oldTofuOK,
			wantLine: "using OpenTofu 1.13.0 from PATH (" + oldTofuOK + "); terraform on PATH is Terraform 1.7.5, older than the provider supports (Terraform 1.8 and later)",
		},
		{
			name: "tofu on PATH when terraform there does not run", path: bin("broken"),
			want:     brokenTofu,
			wantLine: "using OpenTofu 1.12.6 from PATH (" + brokenTofu + "); terraform on PATH (" + filepath.Join(bin("broken"), "terraform") + ") does not run",
		},
		{
			name: "a development build counts as its release", path: bin("dev"),
			want: tfDev, wantLine: "using Terraform 1.16.4-dev from PATH (" + tfDev + ")",
		},
		{
			name: "the cache when PATH has only unsupported CLIs", path: bin("old"), env: map[string]string{"LM_CLI_DIR": cache},
			want:     cached,
			wantLine: "using Terraform 1.8.5 from the project's cache (" + cached + "); terraform on PATH is Terraform 1.5.7, older than the provider supports (Terraform 1.8 and later); tofu on PATH is OpenTofu 1.6.2, older than the provider supports (OpenTofu 1.12 and later)",
		},
		{
			name: "the cache when PATH has none", path: empty, env: map[string]string{"LM_CLI_DIR": cache},
			want: cached, wantLine: "using Terraform 1.8.5 from the project's cache (" + cached + "); no terraform or tofu on PATH",
		},
		{
			name: "the release an earlier run installed comes first in the cache", path: empty, env: map[string]string{"LM_CLI_DIR": fullCache},
			want: release, wantLine: "using Terraform 1.16.4 from the project's cache (" + release + "); no terraform or tofu on PATH",
		},
		{
			name: "PATH comes before the cache", path: bin("tf111"), env: map[string]string{"LM_CLI_DIR": fullCache},
			want: tf111, wantLine: "using Terraform 1.11.4 from PATH (" + tf111 + ")",
		},
		{
			name: "Terraform 2 is not assumed to work", path: bin("tf2"), env: map[string]string{"LM_CLI_DIR": cache},
			want:     cached,
			wantLine: "using Terraform 1.8.5 from the project's cache (" + cached + "); terraform on PATH is Terraform 2.0.0, not a version the provider is tested on (it supports Terraform 1.8 and later 1.x)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"LM_CLI_DIR": emptyCache, "LM_RELEASES_URL": unusedURL(t)}
			for k, v := range tc.env {
				env[k] = v
			}
			r := runDemoCLI(t, tools, tc.path, env)
			if r.err != nil {
				t.Fatalf("%v; stderr:\n%s", r.err, r.stderr)
			}
			if r.stdout != tc.want+"\n" {
				t.Errorf("stdout %q, want %q", r.stdout, tc.want+"\n")
			}
			if r.stderr != tc.wantLine+"\n" {
				t.Errorf("stderr:\n%s\nwant the one line:\n%s", r.stderr, tc.wantLine)
			}
		})
	}
	if _, err := os.Stat(emptyCache); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("choosing an existing CLI wrote to the cache %s (stat: %v)", emptyCache, err)
	}
}

// TestDemoCLIExplicitChoiceErrors: a LM_DEMO_CLI that cannot be used is an
// error naming it, not a reason to pick something else.
func TestDemoCLIExplicitChoiceErrors(t *testing.T) {
	tools := toolsDir(t)
	dir := t.TempDir()
	old := fakeCLI(t, dir, "terraform-old", "Terraform v1.5.7")
	broken := fakeCLI(t, dir, "terraform-broken", "")
	good := fakeCLI(t, filepath.Join(dir, "path"), "terraform", "Terraform v1.11.4")
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cli, want string }{
		{old, "error: LM_DEMO_CLI=" + old + " is Terraform 1.5.7, older than the provider supports (Terraform 1.8 and later); point it at a supported CLI, or unset it to let the demo pick one"},
		{broken, "error: LM_DEMO_CLI=" + broken + " (" + broken + ") does not run: error: " + broken + " version failed:"},
		{notExec, "error: LM_DEMO_CLI=" + notExec + " is neither an executable file nor a command on PATH"},
		{"no-such-cli", "error: LM_DEMO_CLI=no-such-cli is neither an executable file nor a command on PATH"},
	} {
		t.Run(filepath.Base(tc.cli), func(t *testing.T) {
			r := runDemoCLI(t, tools, filepath.Dir(good), map[string]string{"LM_DEMO_CLI": tc.cli, "LM_CLI_DIR": t.TempDir()})
			var exit *exec.ExitError
			if !errors.As(r.err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("err %v, want exit status 1", r.err)
			}
			if r.stdout != "" || !strings.HasPrefix(r.stderr, tc.want) {
				t.Errorf("stdout %q, stderr:\n%s\nwant nothing and a line starting:\n%s", r.stdout, r.stderr, tc.want)
			}
		})
	}
}

// TestDemoCLIFallsThroughToOneBuild: with no usable CLI on PATH or in the
// cache, and a release site that refuses connections, hangs, or has no such
// release, democli.sh says first that it will install or else build,
// gives up on the site within its probe timeout, and says it builds exactly
// one CLI, Terraform 1.16.4, with how long that takes.
func TestDemoCLIFallsThroughToOneBuild(t *testing.T) {
	tools := toolsDir(t)
	path := t.TempDir()
	fakeCLI(t, path, "terraform", "Terraform v1.5.7")
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	defer close(hang)
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()

	for _, tc := range []struct {
		name, url, reason string
	}{
		{"connection refused", unusedURL(t), "connection refused"},
		{"no answer", hanging.URL, "no answer from " + hanging.URL + "/terraform/1.16.4/index.json within 2s"},
		{"no such release", notFound.URL, "404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := filepath.Join(t.TempDir(), "clis")
			log := filepath.Join(t.TempDir(), "build.log")
			r := runDemoCLI(t, tools, path, map[string]string{
				"LM_CLI_DIR": cache, "LM_RELEASES_URL": tc.url, "LM_DEMO_LOG": log,
				"LM_DEMO_RELEASE_PROBE_TIMEOUT": "2s",
			})
			if r.err != nil {
				t.Fatalf("%v; stderr:\n%s", r.err, r.stderr)
			}
			if r.stdout != "dry-run: scripts/clis.sh --only terraform-current\n" {
				t.Errorf("stdout %q, want the dry run of one build", r.stdout)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("stderr has %d lines, want 2:\n%s", len(lines), r.stderr)
			}
			want0 := "terraform on PATH is Terraform 1.5.7, older than the provider supports (Terraform 1.8 and later), none in " + cache +
				": installing Terraform 1.16.4 from " + tc.url + " (hashicorp/hc-install, signature checked;"
			if !strings.HasPrefix(lines[0], want0) || !strings.Contains(lines[0], "else building it from source (4 to 5 minutes)") {
				t.Errorf("first line:\n%s\nwant it to start with:\n%s\nand end with the build it falls back to", lines[0], want0)
			}
			if !strings.HasPrefix(lines[1], "Terraform 1.16.4 could not be installed (release site unavailable: ") ||
				!strings.Contains(lines[1], tc.reason) ||
				!strings.HasSuffix(lines[1], "): building it from the Go module proxy instead, once, into "+cache+" (4 to 5 minutes on 2 cores)...") {
				t.Errorf("second line:\n%s\nwant the reason (%s) and the one build", lines[1], tc.reason)
			}
			// Building the installer is cached by now; the probe gives up
			// within 2 s instead of waiting out hc-install's retries.
			if r.took > 30*time.Second {
				t.Errorf("took %s", r.took)
			}
			if _, err := os.Stat(filepath.Join(cache, "terraform-1.16.4-release", "terraform")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a release was installed from an unusable site (stat: %v)", err)
			}
			got, err := os.ReadFile(log)
			if err != nil || !strings.Contains(string(got), "lmcli: release site unavailable") {
				t.Errorf("the log %s lacks lmcli's error (%v):\n%s", log, err, got)
			}
		})
	}
}
