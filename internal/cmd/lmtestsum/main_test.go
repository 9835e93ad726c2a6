package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// The streams in testdata are `go test -json` output recorded with Go
// 1.26 from small packages, one per case:
//
//	pass      TestOne (logs a line) and TestTwo pass
//	fail      TestGood passes (logs a line), TestBad logs, then fails
//	skip      TestRuns passes, TestNeedsNewerCLI skips "needs Terraform 1.14+"
//	sub       TestTable fails (parallel subtests: a passes, b fails, c
//	          skips); TestParallelA (a subtest) and TestParallelB pass
//	build     a type error in the package
//	vet       a printf mistake that go vet (run by go test) rejects
//	setup     an import of a package that does not exist
//	nomatch   go test ./nonexist/...
//	panic     TestBefore passes, TestSlowParallel pauses, TestPanics
//	          panics (nil map); TestAfter never starts
//	exit      TestExits calls os.Exit(3)
//	timeout   -timeout 2s: TestQuick passes, TestHangs sleeps
//	timeoutpar
//	          the same with both tests parallel: go test gives the panic
//	          as output of TestQuick, which passed before it
//	notests   a package without test files
//	fuzz      -fuzz FuzzReverse -fuzztime 3s
//	race      -race: TestRacy has a data race
//	mixed     pass, fail, skip, sub, notests and build in one go test
//	sweep     the sweeper of internal/provider against lmsim started with
//	          internal/lmsim/testdata/portal_fixture.json

// read runs a recorded stream through a reader.
func read(t *testing.T, file string, s show) (*reader, string, string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var console, log, raw strings.Builder
	r := newReader(s, &console, &log, &raw)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		r.line(sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r, console.String(), log.String()
}

// TestCounts: top-level tests and packages counted from each recorded
// stream, as the summary lines report them.
func TestCounts(t *testing.T) {
	tests := []struct {
		file string
		want counts
	}{
		{"pass.json", counts{Passed: 2, PkgOK: 1}},
		{"fail.json", counts{Passed: 1, Failed: 1, PkgFailed: 1}},
		{"skip.json", counts{Passed: 1, Skipped: 1, PkgOK: 1}},
		// Subtests are not counted: TestTable fails once, whatever
		// its subtests did.
		{"sub.json", counts{Passed: 2, Failed: 1, PkgFailed: 1}},
		{"build.json", counts{PkgFailed: 1}},
		{"vet.json", counts{PkgFailed: 1}},
		{"setup.json", counts{PkgFailed: 1}},
		{"nomatch.json", counts{PkgFailed: 1}},
		// TestSlowParallel never ended: the panic stopped the binary.
		{"panic.json", counts{Passed: 1, Failed: 2, PkgFailed: 1}},
		{"exit.json", counts{Failed: 1, PkgFailed: 1}},
		{"timeout.json", counts{Passed: 1, Failed: 1, PkgFailed: 1}},
		{"timeoutpar.json", counts{Passed: 1, Failed: 1, PkgFailed: 1}},
		{"notests.json", counts{PkgNone: 1}},
		{"fuzz.json", counts{Passed: 1, PkgOK: 1}},
		{"race.json", counts{Failed: 1, PkgFailed: 1}},
		{"mixed.json", counts{Passed: 6, Failed: 2, Skipped: 1, PkgOK: 2, PkgFailed: 3, PkgNone: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			for _, s := range []show{showFailures, showResults, showAll} {
				if r, _, _ := read(t, tc.file, s); r.counts != tc.want {
					t.Errorf("show %d: counts %+v, want %+v", s, r.counts, tc.want)
				}
			}
		})
	}
}

// TestConsole: what a person sees while a pass runs: failures in full,
// one line per package; a tests pass adds one line per finished test and
// the reasons of skips; passing tests' logs stay in the log.
func TestConsole(t *testing.T) {
	tests := []struct {
		file      string
		show      show
		want, not []string
	}{
		{"pass.json", showFailures, []string{"ok  \texample.com/rec/pass\t"}, []string{"a log line of a passing test", "--- PASS", "=== RUN", "PASS\n"}},
		{"pass.json", showResults, []string{"--- PASS: TestOne (0.00s)\n--- PASS: TestTwo (0.00s)\nok  \texample.com/rec/pass\t"}, []string{"a log line of a passing test", "=== RUN"}},
		{"fail.json", showFailures, []string{
			"=== RUN   TestBad\n    fail_test.go:7: context before the failure\n    fail_test.go:8: got 1, want 2\n--- FAIL: TestBad (0.00s)\n",
			"FAIL\texample.com/rec/fail\t",
		}, []string{"quiet when passing", "TestGood"}},
		{"skip.json", showFailures, []string{"ok  \texample.com/rec/skip\t"}, []string{"SKIP", "needs Terraform"}},
		{"skip.json", showResults, []string{"--- SKIP: TestNeedsNewerCLI (0.00s)\n    skip_test.go:6: needs Terraform 1.14+\n"}, []string{"=== RUN"}},
		// A failing test's block holds its subtests, their result
		// lines indented as go test -v indents them, without the
		// PAUSE and CONT lines.
		{"sub.json", showResults, []string{
			"    sub_test.go:10: b is wrong\n",
			"    --- FAIL: TestTable/b (0.00s)\n",
			"--- FAIL: TestTable (0.00s)\n",
			"--- PASS: TestParallelA (0.00s)\n",
		}, []string{"=== PAUSE", "=== CONT", "--- PASS: TestParallelA/x"}},
		{"build.json", showFailures, []string{
			"build/build.go:3:23: cannot use \"not an int\" (untyped string constant) as int value in return statement\n",
			"FAIL\texample.com/rec/build [build failed]\n",
		}, nil},
		{"vet.json", showResults, []string{"fmt.Sprintf format %d has arg \"x\" of wrong type string", "[build failed]"}, nil},
		{"setup.json", showFailures, []string{"no required module provides package example.com/rec/missing", "[setup failed]"}, nil},
		{"nomatch.json", showFailures, []string{"pattern ./nonexist/...: lstat ./nonexist/: no such file or directory"}, nil},
		{"panic.json", showFailures, []string{
			"--- FAIL: TestPanics (0.00s)\npanic: assignment to entry in nil map",
			"--- FAIL: TestSlowParallel (did not finish: the test binary stopped first)\n",
			"FAIL\texample.com/rec/panic\t",
		}, []string{"TestBefore", "TestAfter"}},
		{"exit.json", showResults, []string{"=== RUN   TestExits\n--- FAIL: TestExits (did not finish: the test binary stopped first)\nFAIL\texample.com/rec/exit\t"}, nil},
		{"timeout.json", showResults, []string{
			"--- PASS: TestQuick",
			"panic: test timed out after 2s\n\trunning tests:\n\t\tTestHangs (2s)\n",
			"--- FAIL: TestHangs (did not finish: the test binary stopped first)\n",
		}, nil},
		{"timeoutpar.json", showResults, []string{
			"--- PASS: TestQuick",
			"panic: test timed out after 2s\n\trunning tests:\n\t\tTestHangs (2s)\n",
			"--- FAIL: TestHangs (did not finish: the test binary stopped first)\n",
		}, []string{"timeoutpar_test.go:9: done"}},
		{"notests.json", showFailures, []string{"?   \texample.com/rec/notests\t[no test files]\n"}, nil},
		{"fuzz.json", showResults, []string{"--- PASS: FuzzReverse (3.51s)\nok  \texample.com/rec/fuzz\t"}, []string{"fuzz: elapsed"}},
		{"fuzz.json", showAll, []string{"fuzz: elapsed: 3s, execs: 66192"}, nil},
		{"race.json", showFailures, []string{"WARNING: DATA RACE", "race detected during execution of test"}, nil},
		{"sub.json", showAll, []string{"=== RUN   TestTable/a\n", "    --- PASS: TestTable/a (0.00s)\n"}, []string{"=== PAUSE", "=== CONT"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, console, _ := read(t, tc.file, tc.show)
			for _, w := range tc.want {
				if !strings.Contains(console, w) {
					t.Errorf("the console lacks %q:\n%s", w, console)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(console, n) {
					t.Errorf("the console shows %q:\n%s", n, console)
				}
			}
		})
	}
}

// TestLog: the log is the output as go test -v prints it, with subtests'
// result lines indented, whatever the console shows.
func TestLog(t *testing.T) {
	_, _, log := read(t, "sub.json", showFailures)
	for _, w := range []string{
		"=== RUN   TestTable\n=== RUN   TestTable/a\n=== PAUSE TestTable/a\n",
		"    --- PASS: TestTable/a (0.00s)\n",
		"    --- SKIP: TestTable/c (0.00s)\n",
		"--- FAIL: TestTable (0.00s)\n",
		"FAIL\texample.com/rec/sub\t",
	} {
		if !strings.Contains(log, w) {
			t.Errorf("the log lacks %q:\n%s", w, log)
		}
	}
	_, _, log = read(t, "build.json", showFailures)
	if !strings.HasPrefix(log, "# example.com/rec/build [example.com/rec/build.test]\nbuild/build.go:3:23:") {
		t.Errorf("the log does not start with the build error:\n%s", log)
	}
}

// threeTypes is the sweeper's counts of tokens, users and roles.
func threeTypes(tokens, users, roles int) *swept {
	return &swept{[]int{tokens, users, roles}, []string{"tokens", "users", "roles"}}
}

// TestVerdict: the summary line of each kind of pass, and when it fails.
func TestVerdict(t *testing.T) {
	acc := pass{kind: "tests", name: "acceptance on Terraform 1.16.4", require: true}
	lax := acc
	lax.require = false
	unit := pass{kind: "packages", name: "unit tests"}
	sweep := pass{kind: "sweep", name: "sweeper (before, lmsim)", want: []int{3, 1, 1}}
	anySweep := pass{kind: "sweep", name: "sweeper (portal)"}
	soak := pass{kind: "cmd", name: "short soak (2 x 20 tokens)", ok: "ok, no orphan or lost token"}
	tests := []struct {
		name   string
		p      pass
		c      counts
		sweep  *swept
		rc     int
		want   string
		failed bool
	}{
		{"acc ok", acc, counts{Passed: 90, Skipped: 3}, nil, 0,
			"acceptance on Terraform 1.16.4:    90 passed, 0 failed, 3 skipped in 61s: ok", false},
		{"acc failed", acc, counts{Passed: 89, Failed: 1}, nil, 1,
			"acceptance on Terraform 1.16.4:    89 passed, 1 failed, 0 skipped in 61s: FAILED", true},
		{"acc exit status alone", acc, counts{Passed: 90}, nil, 2,
			"acceptance on Terraform 1.16.4:    90 passed, 0 failed, 0 skipped in 61s: FAILED", true},
		{"acc nothing ran", acc, counts{Skipped: 4}, nil, 0,
			"acceptance on Terraform 1.16.4:    0 passed, 0 failed, 4 skipped in 61s: FAILED: no acceptance test ran", true},
		{"acc nothing ran, allowed", lax, counts{}, nil, 0,
			"acceptance on Terraform 1.16.4:    0 passed, 0 failed, 0 skipped in 61s: ok, but no acceptance test ran", false},
		{"unit ok", unit, counts{Passed: 400, PkgOK: 9, PkgNone: 2}, nil, 0,
			"unit tests:                        9 packages ok, 0 failed, 2 without tests in 61s: ok", false},
		{"unit failed", unit, counts{PkgOK: 8, PkgFailed: 1}, nil, 1,
			"unit tests:                        8 packages ok, 1 failed, 0 without tests in 61s: FAILED", true},
		{"unit tested nothing", unit, counts{}, nil, 0,
			"unit tests:                        0 packages ok, 0 failed, 0 without tests in 61s: FAILED: no package tested", true},
		{"sweep as wanted", sweep, counts{}, threeTypes(3, 1, 1), 0,
			"sweeper (before, lmsim):           ok, deleted 3 test tokens, 1 test users and 1 test roles older than an hour in 61s", false},
		{"sweep not as wanted", sweep, counts{}, threeTypes(2, 1, 1), 0,
			"sweeper (before, lmsim):           FAILED: deleted 2 test tokens, 1 test users and 1 test roles, want 3, 1 and 1 in 61s", true},
		{"sweep without its line", anySweep, counts{}, nil, 0, "sweeper (portal):                  FAILED in 61s", true},
		{"sweep failed", anySweep, counts{}, threeTypes(0, 0, 0), 1, "sweeper (portal):                  FAILED in 61s", true},
		{"sweep of another type", sweep, counts{}, &swept{[]int{3, 1, 1, 2}, []string{"tokens", "users", "roles", "widgets"}}, 0,
			"sweeper (before, lmsim):           FAILED: deleted 3 test tokens, 1 test users, 1 test roles and 2 test widgets, want 3, 1 and 1 in 61s", true},
		{"sweep of four types as wanted", pass{kind: "sweep", name: "sweeper", want: []int{3, 1, 1, 2}}, counts{},
			&swept{[]int{3, 1, 1, 2}, []string{"tokens", "users", "roles", "widgets"}}, 0,
			"sweeper:                           ok, deleted 3 test tokens, 1 test users, 1 test roles and 2 test widgets older than an hour in 61s", false},
		{"soak ok", soak, counts{}, nil, 0, "short soak (2 x 20 tokens):        ok, no orphan or lost token in 61s", false},
		{"soak failed", soak, counts{}, nil, 1, "short soak (2 x 20 tokens):        FAILED in 61s", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.p.verdict(tc.c, tc.sweep, tc.rc, 61)
			if rec.Line != tc.want || rec.Failed != tc.failed {
				t.Errorf("verdict = %q, failed %v\nwant      %q, failed %v", rec.Line, rec.Failed, tc.want, tc.failed)
			}
			if (rec.Tests != nil) != (tc.p.kind == "tests") {
				t.Errorf("test counts recorded: %v, want them for a tests pass only", rec.Tests != nil)
			}
		})
	}
}

// TestRun: a pass end to end: the command's stdout and stderr, merged,
// on the console and in the log, the JSON stream beside the log, the
// summary line printed and recorded, and the exit status.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "summary.jsonl")
	stream, err := os.ReadFile("testdata/fail.json")
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	code := run([]string{"tests", "-name", "acceptance on Terraform 1.16.4", "-log", filepath.Join(dir, "acc.log"), "-state", state, "--",
		"sh", "-c", `cat testdata/fail.json; echo "go: a message on stderr" >&2; exit 1`}, &out, &errOut)
	if code != 1 {
		t.Errorf("exit status %d, want 1; stderr:\n%s", code, errOut.String())
	}
	for _, w := range []string{
		"--- FAIL: TestBad (0.00s)\n",
		"go: a message on stderr\n",
		"--- acceptance on Terraform 1.16.4:    1 passed, 1 failed, 0 skipped in 0s: FAILED\n",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the output lacks %q:\n%s", w, out.String())
		}
	}
	log, err := os.ReadFile(filepath.Join(dir, "acc.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"    fail_test.go:5: quiet when passing\n", "--- FAIL: TestBad (0.00s)\n", "go: a message on stderr\n"} {
		if !strings.Contains(string(log), w) {
			t.Errorf("the log lacks %q:\n%s", w, log)
		}
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "acc.json")); err != nil || string(raw) != string(stream) {
		t.Errorf("acc.json is not the stream as it came (%v):\n%s", err, raw)
	}

	// A second pass, which passes, then the summary of both.
	out.Reset()
	code = run([]string{"packages", "-name", "unit tests", "-log", filepath.Join(dir, "unit.log"), "-state", state, "--", "cat", "testdata/notests.json", "testdata/pass.json"}, &out, &errOut)
	if code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if want := "?   \texample.com/rec/notests\t[no test files]\nok  \texample.com/rec/pass\t0.029s\n--- unit tests:                        1 packages ok, 0 failed, 1 without tests in 0s: ok\n"; out.String() != want {
		t.Errorf("output\n%q\nwant\n%q", out.String(), want)
	}
	out.Reset()
	if code := run([]string{"summary", "-state", state, "-logs", dir}, &out, &errOut); code != 1 {
		t.Errorf("summary: exit status %d, want 1 (a pass failed)", code)
	}
	want := "\n=== summary (logs in " + dir + ")\n" +
		"acceptance on Terraform 1.16.4:    1 passed, 1 failed, 0 skipped in 0s: FAILED\n" +
		"unit tests:                        1 packages ok, 0 failed, 1 without tests in 0s: ok\n" +
		"acceptance: 1 passed, 1 failed, 0 skipped\n"
	if out.String() != want {
		t.Errorf("summary\n%s\nwant\n%s", out.String(), want)
	}
}

// TestSummary: the closing "acceptance:" line adds up the tests passes
// and appears only when one ran; the summary fails when any pass did.
func TestSummary(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "summary.jsonl")
	var out, errOut strings.Builder
	// No pass recorded (no state file): an empty summary that passes.
	if code := run([]string{"summary", "-state", state}, &out, &errOut); code != 0 || out.String() != "\n=== summary\n" {
		t.Errorf("summary of nothing: exit %d, output %q", code, out.String())
	}
	for _, rec := range []record{
		{Line: "unit tests: ok"},
		{Line: "acceptance on A: ok", Tests: &testCounts{Passed: 10, Skipped: 2}},
		{Line: "sweeper (after): ok"},
		{Line: "acceptance on B: ok", Tests: &testCounts{Passed: 7, Failed: 0, Skipped: 5}},
	} {
		if err := appendRecord(state, rec); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	code := run([]string{"summary", "-state", state, "-logs", "/tmp/lm-test.x"}, &out, &errOut)
	want := "\n=== summary (logs in /tmp/lm-test.x)\nunit tests: ok\nacceptance on A: ok\nsweeper (after): ok\nacceptance on B: ok\nacceptance: 17 passed, 0 failed, 7 skipped\n"
	if code != 0 || out.String() != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s", code, out.String(), want)
	}
	// Without a tests pass there is no closing "acceptance:" line.
	state2 := filepath.Join(dir, "other.jsonl")
	if err := appendRecord(state2, record{Line: "short soak: FAILED", Failed: true}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"summary", "-state", state2}, &out, &errOut); code != 1 || out.String() != "\n=== summary\nshort soak: FAILED\n" {
		t.Errorf("exit %d, output %q", code, out.String())
	}
}

// TestRun_commandMissing: a command that cannot start fails the pass,
// and says why.
func TestRun_commandMissing(t *testing.T) {
	dir := t.TempDir()
	var out, errOut strings.Builder
	code := run([]string{"cmd", "-name", "short soak", "-log", filepath.Join(dir, "soak.log"), "-state", filepath.Join(dir, "s"), "--", filepath.Join(dir, "no-such-command")}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "no-such-command") || !strings.Contains(out.String(), "--- short soak:") {
		t.Errorf("exit %d, output:\n%s", code, out.String())
	}
}

// TestRun_usage: mistakes in the arguments are exit status 2, before
// anything runs.
func TestRun_usage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		nil,
		{"testz", "-name", "x", "-log", "l", "-state", "s", "--", "true"},
		{"tests", "-name", "x", "-log", filepath.Join(dir, "l"), "-state", filepath.Join(dir, "s")},
		{"tests", "-log", filepath.Join(dir, "l"), "-state", filepath.Join(dir, "s"), "--", "true"},
		{"sweep", "-name", "x", "-log", filepath.Join(dir, "l"), "-state", filepath.Join(dir, "s"), "-want", "3 -1 1", "--", "true"},
		{"sweep", "-name", "x", "-log", filepath.Join(dir, "l"), "-state", filepath.Join(dir, "s"), "-want", "a b c", "--", "true"},
		{"summary"},
	} {
		var out, errOut strings.Builder
		if code := run(args, &out, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, errOut.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "s")); err == nil {
		t.Error("a usage error recorded a pass")
	}
}

// TestRun_goTest runs the real go test -json on a small module, so that a
// change in what go test writes shows here and not in a misread summary.
func TestRun_goTest(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/live\n\ngo 1.22\n",
		"a/a_test.go": `package a

import "testing"

func TestPasses(t *testing.T) { t.Run("sub", func(t *testing.T) {}) }
func TestFails(t *testing.T)  { t.Error("this fails") }
func TestSkips(t *testing.T)  { t.Skip("skipped on purpose") }
`,
		"b/b_test.go": `package b

import "testing"

func TestPanics(t *testing.T) { panic("boom") }
`,
		"c/c.go": "package c\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	state := filepath.Join(dir, "summary.jsonl")
	var out, errOut strings.Builder
	code := run([]string{"tests", "-name", "live", "-log", filepath.Join(dir, "live.log"), "-state", state, "--",
		"go", "test", "-C", dir, "-json", "-count=1", "./..."}, &out, &errOut)
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, w := range []string{
		"--- PASS: TestPasses",
		"this fails",
		"--- SKIP: TestSkips",
		"skipped on purpose",
		"panic: boom",
		"--- live:                              1 passed, 2 failed, 1 skipped in ",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the output lacks %q:\n%s\n%s", w, out.String(), errOut.String())
		}
	}
	out.Reset()
	code = run([]string{"packages", "-name", "live", "-log", filepath.Join(dir, "live.log"), "-state", state, "--",
		"go", "test", "-C", dir, "-json", "-count=1", "./..."}, &out, &errOut)
	if want := "--- live:                              0 packages ok, 2 failed, 1 without tests in "; code != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("exit status %d, want 1, and a line with %q:\n%s", code, want, out.String())
	}
}

func TestMain(m *testing.M) {
	// TestRun_interrupted runs the test binary as lmtestsum.
	if os.Getenv("LMTESTSUM_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestRun_interrupted: a SIGTERM goes to the command; the pass is still
// recorded, as failed, and lmtestsum then dies of the signal, so that a
// script running it stops rather than going on to its next pass.
func TestRun_interrupted(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "summary.jsonl")
	cmd := exec.Command(os.Args[0], "cmd", "-name", "short soak", "-log", filepath.Join(dir, "soak.log"), "-state", state, "--",
		"sh", "-c", `trap 'echo the command got SIGTERM; kill $!; exit 143' TERM; sleep 30 & echo started; wait`)
	cmd.Env = append(os.Environ(), "LMTESTSUM_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "started" {
		t.Fatalf("first line %q, want started", sc.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for sc.Scan() {
		rest = append(rest, sc.Text())
	}
	err = cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("lmtestsum ended with %v, want death by SIGTERM", err)
	}
	// The seconds depend on the machine's load; the words do not.
	wantLast := regexp.MustCompile(`^--- short soak: +FAILED in \d+s$`)
	if len(rest) != 2 || rest[0] != "the command got SIGTERM" || !wantLast.MatchString(rest[1]) {
		t.Errorf("output after the signal %q, want the command's line, then %q", rest, wantLast)
	}
	if rec, err := os.ReadFile(state); err != nil || !strings.Contains(string(rec), `"failed":true`) {
		t.Errorf("state %q (%v), want the pass recorded as failed", rec, err)
	}
}

// TestSweep: the sweeper's closing line gives the deletions, and a sweep
// pass shows everything the sweeper says.
func TestSweep(t *testing.T) {
	r, console, _ := read(t, "sweep.json", showAll)
	if r.sweep == nil || r.sweep.String() != "3 test tokens, 1 test users and 1 test roles" {
		t.Errorf("sweep %v, want 3 test tokens, 1 test users and 1 test roles", r.sweep)
	}
	for _, w := range []string{`sweeper: deleted user 504 "tf-acc-test-deadbeef-1700000000-0001"`, "ok  \tgithub.com/lmtf/terraform-provider-lm/internal/provider\t"} {
		if !strings.Contains(console, w) {
			t.Errorf("the console lacks %q:\n%s", w, console)
		}
	}
	p := pass{kind: "sweep", name: "sweeper (before, lmsim)", want: []int{3, 1, 1}}
	if rec := p.verdict(r.counts, r.sweep, 0, 12); rec.Failed {
		t.Errorf("verdict %q, want ok", rec.Line)
	}
	if r, _, _ := read(t, "pass.json", showAll); r.sweep != nil {
		t.Errorf("sweep %v from a stream without the sweeper's line", r.sweep)
	}
}

// TestSweepLine: the closing line is read for any number of object types,
// and nothing else is taken for it.
func TestSweepLine(t *testing.T) {
	for line, want := range map[string]string{
		"sweeper: 3 test tokens, 1 test users and 1 test roles older than 1h0m0s deleted from http://x":          "3 test tokens, 1 test users and 1 test roles",
		"sweeper: 3 test tokens, 1 test users, 0 test roles and 2 test widgets older than 1h0m0s deleted from x": "3 test tokens, 1 test users, 0 test roles and 2 test widgets",
		"sweeper: 4 test tokens older than 1h0m0s deleted from x":                                                "4 test tokens",
		`sweeper: deleted user 504 "tf-acc-test-deadbeef-1700000000-0001"`:                                       "",
		"sweeper: no sweeper ran":                                "",
		"sweeper: 3 test tokens, and 1 test users older than 1h": "",
	} {
		var r reader
		r.noteSweep(line)
		got := ""
		if r.sweep != nil {
			got = r.sweep.String()
		}
		if got != want {
			t.Errorf("%q: read %q, want %q", line, got, want)
		}
	}
}
