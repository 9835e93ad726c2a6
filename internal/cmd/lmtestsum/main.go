// Command lmtestsum runs one pass of scripts/test.sh, shows what a person
// needs to see while it runs, keeps the full log, and records the pass's
// summary line; `lmtestsum summary` prints the lines of all passes at the
// end and fails if any pass failed.
//
//	lmtestsum KIND -name NAME -log FILE -state FILE [flags] -- COMMAND [ARG...]
//	lmtestsum summary -state FILE [-logs DIR]
//
// COMMAND is `go test -json ...` for the kinds that count tests, packages
// or sweeps. What each kind counts, shows and calls a failure:
//
//	tests     top-level tests passed, failed and skipped (subtests are not
//	          counted), as the acceptance passes report them; shows failing
//	          tests in full and one line per finished test, with the reason
//	          of a skip. A pass that ran no test fails, unless -require=false.
//	packages  packages ok, failed and without test files, as the unit
//	          passes report them; shows what plain `go test` shows: failing
//	          tests in full and one line per package.
//	sweep     the deletions in the sweeper's closing line, one count per
//	          object type ("sweeper: N test tokens, N test users and N
//	          test roles ..."), checked against -want when given; shows
//	          everything.
//	cmd       any command: ok (the -ok text) when it exits 0; shows
//	          everything.
//
// A package that does not build, a test binary that panics or times out,
// and a test that never ends (the binary stopped under it) all fail the
// pass; such a test counts as failed. A pass fails when its command exits
// non-zero, whatever was counted.
//
// The log (-log) holds everything, as go test -v prints it; beside it,
// with the extension .json, the `go test -json` stream as it came. The
// state file (-state) gets one JSON line per pass. The pass's summary line
// is printed at its end, after "--- ".
//
// Exit status: 0 when the pass (or, for summary, every pass) passed, 1
// when it failed, 2 on a usage error or when the log or state cannot be
// written. An interrupt (SIGINT, SIGTERM) goes to the command; once the
// pass is recorded, lmtestsum dies of the same signal, so that the script
// running it stops too.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: lmtestsum tests|packages|sweep|cmd -name NAME -log FILE -state FILE [flags] -- COMMAND [ARG...]
       lmtestsum summary -state FILE [-logs DIR]`

// pass is one pass's settings.
type pass struct {
	kind    string
	name    string
	log     string
	state   string
	require bool   // tests: a pass that ran no test fails
	want    []int  // sweep: the deletions expected, per type in sweep order (nil: any)
	ok      string // cmd: the status of a command that exits 0
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	kind, args := args[0], args[1:]
	fs := flag.NewFlagSet("lmtestsum "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	state := fs.String("state", "", "the file of the passes' records (one JSON line each)")
	if kind == "summary" {
		logs := fs.String("logs", "", "the directory of the logs, named in the header")
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if *state == "" || fs.NArg() > 0 {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		return summary(*state, *logs, stdout, stderr)
	}
	p := pass{kind: kind}
	fs.StringVar(&p.name, "name", "", "the pass's name, at the start of its summary line")
	fs.StringVar(&p.log, "log", "", "the full log")
	fs.BoolVar(&p.require, "require", true, "tests: fail a pass that ran no test")
	want := fs.String("want", "", `sweep: the deletions expected, one count per type in the sweeper's order, such as "3 1 1" (tokens, users, roles)`)
	fs.StringVar(&p.ok, "ok", "ok", "cmd: the status of a command that exits 0")
	switch kind {
	case "tests", "packages", "sweep", "cmd":
	default:
		fmt.Fprintf(stderr, "lmtestsum: unknown kind %q\n%s\n", kind, usage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	p.state = *state
	if p.name == "" || p.log == "" || p.state == "" || fs.NArg() == 0 {
		fmt.Fprintf(stderr, "lmtestsum %s: -name, -log, -state and a command are required\n%s\n", kind, usage)
		return 2
	}
	if *want != "" {
		for _, f := range strings.Fields(*want) {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 {
				fmt.Fprintf(stderr, "lmtestsum sweep: -want %q: want counts of deletions, one per type, such as \"3 1 1\"\n", *want)
				return 2
			}
			p.want = append(p.want, n)
		}
	}
	return p.run(fs.Args(), stdout, stderr)
}

// run runs the command, reads its output and records the pass.
func (p pass) run(command []string, stdout, stderr io.Writer) int {
	logFile, err := os.Create(p.log)
	if err != nil {
		fmt.Fprintf(stderr, "lmtestsum: %v\n", err)
		return 2
	}
	defer logFile.Close()
	log := bufio.NewWriter(logFile)
	files := []*bufio.Writer{log}
	view := map[string]show{"tests": showResults, "packages": showFailures, "sweep": showAll, "cmd": showAll}[p.kind]
	r := newReader(view, stdout, log, nil)
	if p.kind == "cmd" {
		r.plain = true
	} else {
		rawFile, err := os.Create(strings.TrimSuffix(p.log, ".log") + ".json")
		if err != nil {
			fmt.Fprintf(stderr, "lmtestsum: %v\n", err)
			return 2
		}
		defer rawFile.Close()
		raw := bufio.NewWriter(rawFile)
		r.raw = raw
		files = append(files, raw)
	}

	start := time.Now()
	rc, sig := execute(command, r, stderr)
	secs := int(time.Since(start).Seconds())

	for _, w := range files {
		if err := w.Flush(); err != nil && r.err == nil {
			r.err = err
		}
	}
	if r.err != nil {
		fmt.Fprintf(stderr, "lmtestsum: writing the log: %v\n", r.err)
		return 2
	}
	rec := p.verdict(r.counts, r.sweep, rc, secs)
	fmt.Fprintf(stdout, "--- %s\n", rec.Line)
	if err := appendRecord(p.state, rec); err != nil {
		fmt.Fprintf(stderr, "lmtestsum: %v\n", err)
		return 2
	}
	if sig != nil {
		// Die of the signal, so that a shell running us stops too
		// instead of going on to its next pass.
		signal.Reset(sig)
		if s, ok := sig.(syscall.Signal); ok {
			_ = syscall.Kill(os.Getpid(), s)
			time.Sleep(time.Second)
		}
	}
	if rec.Failed {
		return 1
	}
	return 0
}

// execute runs command with its stdout and stderr, merged, read by r, and
// returns its exit status (-1 when it could not start or was killed) and
// the signal that interrupted us, if one did.
func execute(command []string, r *reader, stderr io.Writer) (int, os.Signal) {
	lw := &lineWriter{r: r}
	// No deadline: go test has its own -timeout, and signals are
	// forwarded below.
	cmd := exec.CommandContext(context.Background(), command[0], command[1:]...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = lw
	cmd.Stderr = lw // the same writer: one pipe, in order, as 2>&1
	// A process the command left behind may hold the pipe open: stop
	// reading shortly after the command itself exits.
	cmd.WaitDelay = 5 * time.Second

	sigs := make(chan os.Signal, 1)
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		// A signal ignored from the start (a job started with & by a
		// shell without job control ignores SIGINT) stays ignored, as
		// for the command.
		if !signal.Ignored(s) {
			signal.Notify(sigs, s)
		}
	}
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		r.text(fmt.Sprintf("lmtestsum: %v\n", err))
		return -1, nil
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var got os.Signal
	for {
		select {
		case s := <-sigs:
			got = s
			_ = cmd.Process.Signal(s)
		case err := <-done:
			lw.flush()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) && !errors.Is(err, exec.ErrWaitDelay) {
				fmt.Fprintf(stderr, "lmtestsum: %v\n", err)
			}
			return cmd.ProcessState.ExitCode(), got
		}
	}
}

// record is one pass in the state file.
type record struct {
	Line   string `json:"line"`
	Failed bool   `json:"failed"`
	// Tests: the top-level tests of a tests pass, for the closing
	// "acceptance:" line.
	Tests *testCounts `json:"tests,omitempty"`
}

type testCounts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// verdict is the pass's summary line and whether it failed. The lines are
// those scripts/test.sh has always printed; CI and people read them.
func (p pass) verdict(c counts, sweep *swept, rc, secs int) record {
	name := p.name + ":"
	switch p.kind {
	case "tests":
		status, failed := "ok", false
		switch {
		case rc != 0 || c.Failed > 0:
			status, failed = "FAILED", true
		case c.Passed == 0 && p.require:
			status, failed = "FAILED: no acceptance test ran", true
		case c.Passed == 0:
			status = "ok, but no acceptance test ran"
		}
		return record{
			Line:   fmt.Sprintf("%-34s %d passed, %d failed, %d skipped in %ds: %s", name, c.Passed, c.Failed, c.Skipped, secs, status),
			Failed: failed,
			Tests:  &testCounts{c.Passed, c.Failed, c.Skipped},
		}
	case "packages":
		status, failed := "ok", false
		switch {
		case rc != 0 || c.PkgFailed > 0:
			status, failed = "FAILED", true
		case c.PkgOK+c.PkgNone == 0:
			status, failed = "FAILED: no package tested", true
		}
		return record{
			Line:   fmt.Sprintf("%-34s %d packages ok, %d failed, %d without tests in %ds: %s", name, c.PkgOK, c.PkgFailed, c.PkgNone, secs, status),
			Failed: failed,
		}
	case "sweep":
		var status string
		failed := true
		switch {
		case rc != 0 || sweep == nil:
			status = "FAILED"
		case p.want != nil && !slices.Equal(sweep.n, p.want):
			want := make([]string, len(p.want))
			for i, n := range p.want {
				want[i] = strconv.Itoa(n)
			}
			status = fmt.Sprintf("FAILED: deleted %s, want %s", sweep, andList(want))
		default:
			status = fmt.Sprintf("ok, deleted %s older than an hour", sweep)
			failed = false
		}
		return record{Line: fmt.Sprintf("%-34s %s in %ds", name, status, secs), Failed: failed}
	default: // cmd
		if rc != 0 {
			return record{Line: fmt.Sprintf("%-34s FAILED in %ds", name, secs), Failed: true}
		}
		return record{Line: fmt.Sprintf("%-34s %s in %ds", name, p.ok, secs)}
	}
}

func appendRecord(path string, rec record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// summary prints every pass's line, then, when a tests pass ran, the
// closing line with their totals, which CI's log reader looks for.
func summary(state, logs string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(state)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "lmtestsum: %v\n", err)
		return 2
	}
	header := "=== summary"
	if logs != "" {
		header += " (logs in " + logs + ")"
	}
	fmt.Fprintf(stdout, "\n%s\n", header)
	var total *testCounts
	failed := false
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l == "" {
			continue
		}
		var rec record
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			fmt.Fprintf(stderr, "lmtestsum: %s, line %d: %v\n", state, i+1, err)
			return 2
		}
		fmt.Fprintln(stdout, rec.Line)
		failed = failed || rec.Failed
		if rec.Tests != nil {
			if total == nil {
				total = &testCounts{}
			}
			total.Passed += rec.Tests.Passed
			total.Failed += rec.Tests.Failed
			total.Skipped += rec.Tests.Skipped
		}
	}
	if total != nil {
		fmt.Fprintf(stdout, "acceptance: %d passed, %d failed, %d skipped\n", total.Passed, total.Failed, total.Skipped)
	}
	if failed {
		return 1
	}
	return 0
}
