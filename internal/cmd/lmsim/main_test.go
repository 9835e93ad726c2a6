package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// The test binary doubles as the command: with LMSIM_RUN_MAIN set it runs
// main, so the tests exercise the real process (stdout, signals, exit
// status) without a separate go build.
func TestMain(m *testing.M) {
	if os.Getenv("LMSIM_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LMSIM_RUN_MAIN=1")
	return cmd
}

var listeningLine = regexp.MustCompile(`^lmsim listening on http://127\.0\.0\.1:\d+/santaba/rest$`)

func TestCommandServesAndStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	logFile := filepath.Join(dir, "requests.log")
	cmd := command(t, "--listen", "127.0.0.1:0", "--state", state, "--log", logFile, "--rate-limit", "GET=100/1s", "--seed", "1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var first string
	select {
	case first = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatalf("no listening line; stderr:\n%s", stderr.String())
	}
	if !listeningLine.MatchString(first) {
		t.Fatalf("first stdout line %q does not match %s", first, listeningLine)
	}
	base := strings.TrimPrefix(first, "lmsim listening on ")

	const path = "/setting/admins/131/apitokens/146"
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodDelete, base+path, nil)
	req.Header.Set("X-Version", "3")
	req.Header.Set("Authorization", lmsim.Sign(lmsim.DefaultAdminAccessID, lmsim.DefaultAdminAccessKey, http.MethodDelete, path, nil, time.Now().UnixMilli()))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("X-Rate-Limit-Limit") != "300" {
		t.Fatalf("DELETE: %d, limit %q", res.StatusCode, res.Header.Get("X-Rate-Limit-Limit"))
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not stop on SIGTERM")
	}
	for extra := range lines {
		t.Errorf("more than one stdout line: %q", extra)
	}

	f, err := lmsim.LoadFixture(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.APITokens {
		if tok.ID == lmsim.SeedTokenID {
			t.Error("the state file still holds the deleted token")
		}
	}
	logged, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logged), `"path":"/santaba/rest/setting/admins/131/apitokens/146"`) {
		t.Errorf("request log: %s", logged)
	}
}

func TestCommandFlagErrors(t *testing.T) {
	cases := map[string][]string{
		"unknown flag":      {"--bogus"},
		"bad rate limit":    {"--rate-limit", "GET=fast"},
		"bad faults":        {"--faults", "5xx=2"},
		"bad strange shape": {"--strange", "xml=/setting/roles/*"},
		"bad strange path":  {"--strange", "html=setting/roles"},
		"missing fixture":   {"--fixture", "/nonexistent/fixture.json"},
		"extra argument":    {"serve"},
		"seed not integer":  {"--seed", "x"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout.Len() != 0 || stderr.Len() == 0 {
				t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
		})
	}
	// The same through the process, for the exit status.
	err := command(t, "--rate-limit", "nonsense").Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("process exit: %v", err)
	}
}

func TestRunStopsOnContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--rate-limit", "off"}, pw, io.Discard) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil || !listeningLine.MatchString(strings.TrimSpace(line)) {
		t.Fatalf("line %q, %v", line, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return")
	}
}
