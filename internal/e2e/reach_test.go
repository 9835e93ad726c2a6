//go:build linux

// The tests of this file send signals to the CLI's process group and find
// the provider's processes in /proc, hence Linux only.

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// setenv replaces (or adds, or with v == "" removes) a variable of the
// CLI's environment.
func (w *workspace) setenv(k, v string) {
	var env []string
	for _, kv := range w.env {
		if !strings.HasPrefix(kv, k+"=") {
			env = append(env, kv)
		}
	}
	if v != "" {
		env = append(env, k+"="+v)
	}
	w.env = env
}

// timed runs the CLI and returns its output, wall time and error.
func (w *workspace) timed(args ...string) (string, time.Duration, error) {
	start := time.Now()
	out, err := w.run(args...)
	return out, time.Since(start), err
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// requireNXDOMAIN skips the test when this machine's resolver cannot say
// at once that a name under .invalid (RFC 2606) does not exist: a machine
// without any DNS makes every lookup time out, which is a resolver
// failure, rightly retried, not a mistyped name.
func requireNXDOMAIN(t *testing.T, host string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := net.DefaultResolver.LookupHost(ctx, host)
	var dns *net.DNSError
	if !errors.As(err, &dns) || !dns.IsNotFound {
		t.Skipf("this machine's resolver does not answer NXDOMAIN for %s (%v): the test needs one that does", host, err)
	}
}

const lmRequired = `
terraform {
  required_providers {
    lm = { source = "lmtf/lm" }
  }
}
`

// TestAccE2E_mistypedCompanyFailsAtOnce: a portal name that does not
// exist fails plan (a data source) and apply (a resource) within 5 s, with
// the host and the settings that made it named, from the block or from
// the environment.
func TestAccE2E_mistypedCompanyFailsAtOnce(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.8.0"))
	company := "tf-acc-no-such-portal-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	host := company + ".invalid"
	requireNXDOMAIN(t, host)

	t.Run("plan, company in the block", func(t *testing.T) {
		w.write(lmRequired + fmt.Sprintf(`
provider "lm" {
  company = %q
  domain  = "invalid"
}

data "lm_user" "u" {
  username = "svc-pipeline"
}
`, company))
		out, d, err := w.timed("plan", "-input=false", "-no-color")
		checkFailure(t, "plan", out, err, d, 5*time.Second,
			"the host "+host+" does not exist", `company "`+company+`" (in the provider "lm" block)`,
			`domain "invalid" (in the provider "lm" block)`, "https://<company>.logicmonitor.com/santaba/rest")
	})
	t.Run("apply, company from the environment", func(t *testing.T) {
		w.setenv("LM_BASE_URL", "")
		w.setenv("LM_COMPANY", company)
		w.setenv("LM_DOMAIN", "invalid")
		w.write(lmRequired + fmt.Sprintf(`
provider "lm" {}

resource "lm_role" "r" {
  name       = %q
  privileges = []
}
`, acctest.Name("never-made")))
		out, d, err := w.timed("apply", "-auto-approve", "-input=false", "-no-color")
		checkFailure(t, "apply", out, err, d, 5*time.Second,
			"the host "+host+" does not exist", `company "`+company+`" (from LM_COMPANY)`, `domain "invalid" (from LM_DOMAIN)`)
	})
}

// checkFailure fails the test unless the CLI run failed within limit with
// every one of wants in its output, and without a bare "context canceled"
// or an unresponsive plugin.
func checkFailure(t *testing.T, what, out string, err error, took, limit time.Duration, wants ...string) {
	t.Helper()
	t.Logf("%s failed after %s", what, took.Round(10*time.Millisecond))
	if err == nil {
		t.Fatalf("%s succeeded:\n%s", what, out)
	}
	if took > limit {
		t.Errorf("%s took %s, want at most %s", what, took, limit)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range wants {
		if !strings.Contains(flat, want) {
			t.Errorf("%s output lacks %q:\n%s", what, want, out)
		}
	}
	if strings.Contains(out, "Plugin did not respond") {
		t.Errorf("%s: the CLI found the plugin unresponsive:\n%s", what, out)
	}
	if bare := regexp.MustCompile(`lm: [A-Z]+ \S+: context\s+canceled`); bare.MatchString(out) {
		t.Errorf("%s: a bare \"context canceled\" instead of the cause:\n%s", what, out)
	}
}

// TestAccE2E_refusedPortFailsWithinTheConnectTimeout: a portal that never
// answers fails plan after the default connect timeout of 30 s, and apply
// after a connect_timeout set in the block, with the last error and the
// attempts.
func TestAccE2E_refusedPortFailsWithinTheConnectTimeout(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.8.0"))
	addr := closedPort(t)

	t.Run("plan, default connect timeout", func(t *testing.T) {
		w.write(lmRequired + fmt.Sprintf(`
provider "lm" {
  base_url = "http://%s/santaba/rest"
}

data "lm_user" "u" {
  username = "svc-pipeline"
}
`, addr))
		out, d, err := w.timed("plan", "-input=false", "-no-color")
		if d < 29*time.Second {
			t.Errorf("plan gave up after %s, before the 30s connect timeout", d)
		}
		checkFailure(t, "plan", out, err, d, 45*time.Second, "connection refused",
			addr+" has not answered once, and the connect timeout is 30s", `base_url in the provider "lm" block`, "connect_timeout")
		if !regexp.MustCompile(`gave up after \d+ attempts over 3\d s`).MatchString(strings.Join(strings.Fields(out), " ")) {
			t.Errorf("plan output does not say how many attempts over how long:\n%s", out)
		}
	})
	t.Run("apply, connect_timeout in the block", func(t *testing.T) {
		w.write(lmRequired + fmt.Sprintf(`
provider "lm" {
  base_url        = "http://%s/santaba/rest"
  connect_timeout = "3s"
}

resource "lm_role" "r" {
  name       = %q
  privileges = []
}
`, addr, acctest.Name("never-made")))
		out, d, err := w.timed("apply", "-auto-approve", "-input=false", "-no-color")
		checkFailure(t, "apply", out, err, d, 15*time.Second, "Cannot create the role", "connection refused",
			"the connect timeout is 3s")
	})
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// background is a CLI run in its own process group, as a shell runs a
// command in the foreground.
type background struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
	end  time.Time
}

func (w *workspace) start(args ...string) *background {
	w.t.Helper()
	b := &background{t: w.t, out: &syncBuffer{}, done: make(chan struct{})}
	b.cmd = exec.Command(w.cli, args...) //nolint:gosec // G204: the CLI under test
	b.cmd.Dir, b.cmd.Env = w.dir, w.env
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() {
		b.err = b.cmd.Wait()
		b.end = time.Now()
		close(b.done)
	}()
	w.t.Cleanup(func() {
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-b.done
	})
	return b
}

// waitFor waits until the output matches re, failing the test after limit.
func (b *background) waitFor(re *regexp.Regexp, limit time.Duration) {
	b.t.Helper()
	for deadline := time.Now().Add(limit); !re.MatchString(b.out.String()); {
		select {
		case <-b.done:
			b.t.Fatalf("the CLI ended before its output matched %s: %v\n%s", re, b.err, b.out)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("no output matching %s within %s:\n%s", re, limit, b.out)
		}
	}
}

// signal sends sig to the CLI's process group (group) or to the CLI alone,
// and returns when.
func (b *background) signal(sig syscall.Signal, group bool) time.Time {
	b.t.Helper()
	pid := b.cmd.Process.Pid
	if group {
		pid = -pid
	}
	if err := syscall.Kill(pid, sig); err != nil {
		b.t.Fatal(err)
	}
	return time.Now()
}

// wait waits for the CLI to end, failing the test after limit.
func (b *background) wait(limit time.Duration) {
	b.t.Helper()
	select {
	case <-b.done:
	case <-time.After(limit):
		b.t.Fatalf("the CLI did not end within %s:\n%s", limit, b.out)
	}
}

// retrying matches the provider's WARN line of its third retry, which the
// CLI shows with TF_LOG=WARN.
var retrying = regexp.MustCompile(`(?m)\[WARN\]\s+provider\.terraform-provider-lm: retrying LogicMonitor request:.*attempt=3\b`)

// hangingConfig is a plan that keeps retrying a closed port.
func hangingConfig(addr string) string {
	return lmRequired + fmt.Sprintf(`
provider "lm" {
  base_url        = "http://%s/santaba/rest"
  connect_timeout = "1h"
}

data "lm_user" "u" {
  username = "svc-pipeline"
}
`, addr)
}

// TestAccE2E_interruptNamesTheCause: Ctrl-C (SIGINT to the foreground
// process group), a CI runner's SIGTERM to the group, and SIGTERM to the
// CLI alone, while the provider retries: the CLI ends within 5 s, and its
// error is the failure that was being retried, with the attempts and the
// time, not "context canceled" or an unresponsive plugin. The retries were
// visible meanwhile at TF_LOG=WARN, with reason, attempt and next wait.
func TestAccE2E_interruptNamesTheCause(t *testing.T) {
	path := cli(t, "1.8.0")
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		group bool
	}{
		{"SIGINT to the process group", syscall.SIGINT, true},
		{"SIGTERM to the process group", syscall.SIGTERM, true},
		{"SIGTERM to the CLI", syscall.SIGTERM, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t, path)
			w.env = append(w.env, "TF_LOG=WARN")
			w.write(hangingConfig(closedPort(t)))
			b := w.start("plan", "-input=false", "-no-color")
			b.waitFor(retrying, 60*time.Second)
			for _, field := range []string{"reason=", "attempt=", "next_in=", "wait_ms="} {
				if !strings.Contains(b.out.String(), field) {
					t.Errorf("the WARN retry line lacks %s:\n%s", field, b.out)
				}
			}
			sent := b.signal(tc.sig, tc.group)
			b.wait(30 * time.Second)
			took := b.end.Sub(sent)
			out := b.out.String()
			// The WARN lines repeat the failure; the diagnostic comes after them.
			diag := out[max(0, strings.LastIndex(out, "Error: ")):]
			checkFailure(t, "the interrupted plan", diag, b.err, took, 5*time.Second, "Cannot look up the user",
				"connection refused", "the operation was cancelled", "Terraform stopped the operation")
			if !regexp.MustCompile(`gave up after \d+ attempts over [0-9.]+ m?s`).MatchString(strings.Join(strings.Fields(diag), " ")) {
				t.Errorf("the error does not say how many attempts over how long:\n%s", diag)
			}
		})
	}
}

// providers lists the provider processes the CLI with pid started.
func providers(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 || fields[1] != strconv.Itoa(pid) {
			continue
		}
		if exe, _ := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); filepath.Base(exe) == "terraform-provider-lm" {
			out = append(out, child)
		}
	}
	return out
}

// alive reports whether process pid still runs (a zombie has ended).
func alive(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// killCLI kills the CLI as a CI runner's timeout does (SIGKILL to the CLI
// alone), and checks that each of its provider processes exits within 15 s.
func killCLI(t *testing.T, b *background, want int) {
	t.Helper()
	pids := providers(t, b.cmd.Process.Pid)
	if len(pids) != want {
		t.Fatalf("found %d provider processes of the CLI, want %d", len(pids), want)
	}
	killed := b.signal(syscall.SIGKILL, false)
	b.wait(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Since(killed) > 30*time.Second {
				t.Fatalf("provider %d still runs 30 s after its CLI was killed", pid)
			}
			time.Sleep(100 * time.Millisecond)
		}
		took := time.Since(killed)
		t.Logf("provider %d exited %s after its CLI was killed", pid, took.Round(10*time.Millisecond))
		if took > 15*time.Second {
			t.Errorf("provider %d exited %s after its CLI was killed, want at most 15 s", pid, took)
		}
	}
}

// TestAccE2E_killedCLIProviderExits: a provider whose CLI was killed in
// the middle of its retries notices and exits within 15 s, instead of
// retrying on alone.
func TestAccE2E_killedCLIProviderExits(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.8.0"))
	w.env = append(w.env, "TF_LOG=WARN")
	w.write(hangingConfig(closedPort(t)))
	b := w.start("plan", "-input=false", "-no-color")
	b.waitFor(retrying, 60*time.Second)
	killCLI(t, b, 1)
}

// TestAccE2E_killedCLIEphemeralTokenDeleted: a one-run token opened before
// the CLI was killed is deleted by the provider on its way out, since the
// CLI will never close it.
func TestAccE2E_killedCLIEphemeralTokenDeleted(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.10.0"))
	note := acctest.Note("e2e one-run token of a killed CLI")
	w.env = append(w.env, "TF_LOG=WARN")
	w.write(lmRequired + fmt.Sprintf(`
provider "lm" {}

ephemeral "lm_api_token" "run" {
  admin_id = %d
  note     = %q
}

# Another configuration of the provider, which keeps retrying a closed
# port while the token is open.
provider "lm" {
  alias           = "stuck"
  base_url        = "http://%s/santaba/rest"
  connect_timeout = "1h"
  access_id       = ephemeral.lm_api_token.run.access_id
  access_key      = ephemeral.lm_api_token.run.access_key
}

data "lm_user" "u" {
  provider = lm.stuck
  username = "svc-pipeline"
}
`, w.lm.AdminID, note, closedPort(t)))
	b := w.start("plan", "-input=false", "-no-color")
	b.waitFor(retrying, 60*time.Second)
	if left := w.ephemeralLeft(note); len(left) != 1 {
		t.Fatalf("while the run hangs, one-run tokens %v; want the one it opened", left)
	}
	killCLI(t, b, 2)
	if left := w.ephemeralLeft(note); len(left) > 0 {
		t.Errorf("one-run tokens outlived their killed CLI: %v", left)
	}
}

// createsSeen are the notes of the token creates a proxy let through.
type createsSeen struct {
	mu    sync.Mutex
	notes []string
}

func (c *createsSeen) add(note string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notes = append(c.notes, note)
}

func (c *createsSeen) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.notes...)
}

// dropCreateAnswers is a proxy in front of LogicMonitor that lets every
// token create through and loses its answer, as a connection reset after
// the server acted would: each create's outcome is unknown. It returns the
// proxy's API URL and the notes of the creates it let through (the
// provider's markers).
func dropCreateAnswers(t *testing.T, target string) (string, *createsSeen) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
	}}
	creates := &createsSeen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/apitokens") {
			proxy.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		var tok struct{ Note string }
		_ = json.Unmarshal(body, &tok)
		creates.add(tok.Note)
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(httptest.NewRecorder(), r) // the token is made
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("cannot hijack the connection")
			return
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + u.Path, creates
}

// TestAccE2E_interruptedCreateLeavesNoToken: Ctrl-C during a token create
// whose attempts all end with an unknown outcome (the token made, the
// answer lost) leaves no token behind, ends within 5 s, and says what
// happened.
func TestAccE2E_interruptedCreateLeavesNoToken(t *testing.T) {
	w := newWorkspace(t, cli(t, "1.8.0"))
	proxied, creates := dropCreateAnswers(t, w.lm.BaseURL)
	w.setenv("LM_BASE_URL", proxied)
	note := acctest.Note("e2e create interrupted")
	w.write(lmRequired + fmt.Sprintf(`
provider "lm" {}

resource "lm_api_token" "t" {
  admin_id = %d
  note     = %q
}
`, w.lm.AdminID, note))
	b := w.start("apply", "-auto-approve", "-input=false", "-no-color")
	for deadline := time.Now().Add(60 * time.Second); len(creates.all()) < 3; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the proxy saw %d creates within 60 s:\n%s", len(creates.all()), b.out)
		}
	}
	sent := b.signal(syscall.SIGINT, true)
	b.wait(30 * time.Second)
	checkFailure(t, "the interrupted apply", b.out.String(), b.err, b.end.Sub(sent), 5*time.Second,
		"Cannot create the API token", "outcome", "unknown", "Terraform stopped the operation")

	toks, err := w.lm.Client.ListAPITokens(context.Background(), w.lm.AdminID, lm.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	made := creates.all()
	for _, m := range made {
		if !strings.HasPrefix(m, lm.PendingNotePrefix) {
			t.Errorf("a create with the note %q, not a marker", m)
		}
	}
	for _, tok := range toks {
		if slices.Contains(made, tok.Note) || tok.Note == note {
			t.Errorf("token %d (%q) outlived the interrupted create", tok.ID, tok.Note)
		}
	}
	t.Logf("%d creates, all their tokens deleted", len(made))
}
