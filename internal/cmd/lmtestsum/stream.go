package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// event is one line of `go test -json`: cmd/test2json's TestEvent, plus
// the build-output and build-fail events that go test adds for packages
// that do not build.
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// show says what the console gets while a pass runs. The log always gets
// everything.
type show int

const (
	// showFailures is plain `go test`: failing tests in full, one line
	// per package.
	showFailures show = iota
	// showResults adds one line per finished top-level test (with the
	// reason of a skip), so a long acceptance pass is seen to move.
	showResults
	// showAll is `go test -v`, less the === PAUSE, === CONT and === NAME
	// lines.
	showAll
)

// counts is what the summary lines report.
type counts struct {
	Passed, Failed, Skipped   int // top-level tests; subtests are not counted
	PkgOK, PkgFailed, PkgNone int // packages: ok, failed, [no test files]
}

// sweepLine is the sweeper's closing line (internal/acctest.TestMain): a
// count of each object type's deletions, in sweep order, such as
// "sweeper: 3 test tokens, 1 test users and 1 test roles older than ...";
// sweepCount is one of them.
var (
	sweepLine  = regexp.MustCompile(`^sweeper: ((?:[0-9]+ test [a-z]+(?:, | and ))*[0-9]+ test [a-z]+) older than `)
	sweepCount = regexp.MustCompile(`([0-9]+) test ([a-z]+)`)
)

// swept is what the sweeper's closing line says it deleted: n[i] test
// objects of the kind of[i] ("tokens"), one entry per object type.
type swept struct {
	n  []int
	of []string
}

// String is the line's list again: "3 test tokens, 1 test users and 1 test roles".
func (s swept) String() string {
	parts := make([]string, len(s.n))
	for i, n := range s.n {
		parts[i] = fmt.Sprintf("%d test %s", n, s.of[i])
	}
	return andList(parts)
}

// andList joins "a", "b" and "c" as "a, b and c".
func andList(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// reader reads a pass's output line by line: `go test -json` events, and
// plain text (the go command's own messages, or a command that is not go
// test) passed through as it is.
type reader struct {
	show    show
	plain   bool      // no JSON expected: every line is text
	console io.Writer // what a person watches
	log     io.Writer // the full output, as go test -v prints it
	raw     io.Writer // the JSON lines as they came (nil: none kept)

	counts counts
	sweep  *swept // the last sweeper line's counts (nil: none seen)
	pkgs   map[string]*pkgState
	err    error // the first write error to the log or raw file
}

type pkgState struct {
	tests  map[string]*testState // by top-level test name
	order  []string              // top-level tests in the order they started
	output []string              // output not attributed to a test
}

type testState struct {
	output   []string // the test's and its subtests' output until it ends
	reported bool     // its own --- PASS, FAIL or SKIP line came
	done     bool     // its pass, fail or skip event came
}

func newReader(s show, console, log, raw io.Writer) *reader {
	return &reader{show: s, console: console, log: log, raw: raw, pkgs: map[string]*pkgState{}}
}

// line handles one line of output, with or without its newline.
func (r *reader) line(s string) {
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	var e event
	if r.plain || !strings.HasPrefix(s, "{") || json.Unmarshal([]byte(s), &e) != nil || e.Action == "" {
		r.text(s)
		return
	}
	if r.raw != nil {
		r.write(r.raw, s)
	}
	switch e.Action {
	case "build-output":
		// A compiler or vet error, or a package that cannot be
		// loaded: always shown. Its package then fails.
		r.write(r.log, e.Output)
		r.print(e.Output)
	case "run":
		if e.Test != "" {
			r.test(r.pkg(e.Package), e.Test)
		}
	case "output":
		r.output(e)
	case "pass", "fail", "skip":
		p := r.pkg(e.Package)
		switch {
		case e.Test == "":
			r.endPackage(e, p)
		case !strings.Contains(e.Test, "/"):
			r.endTest(e, p)
		}
	}
}

// text is a line that is not a go test event: shown and logged as it is.
func (r *reader) text(s string) {
	r.write(r.log, s)
	r.noteSweep(s)
	r.print(s)
}

func (r *reader) output(e event) {
	out := render(e)
	r.write(r.log, out)
	r.noteSweep(out)
	if r.show == showAll {
		if !marker(out) {
			r.print(out)
		}
		return
	}
	p := r.pkg(e.Package)
	if e.Test != "" {
		if t := r.test(p, e.Test); !t.done && !t.reported {
			t.output = append(t.output, out)
			if !strings.Contains(e.Test, "/") && resultLine(out, e.Test) {
				t.reported = true
			}
			return
		}
	}
	// Output of no test, or after a test's result line: go test gives
	// what comes next to the last test it named, so a panic, or a
	// timeout's, may come as the output of a test that passed, before its
	// pass event. It goes with the package's output, shown if the package
	// fails.
	p.output = append(p.output, out)
}

// resultLine tells the line with which the testing package reports the
// end of test.
func resultLine(l, test string) bool {
	for _, r := range []string{"--- PASS: ", "--- FAIL: ", "--- SKIP: "} {
		if strings.HasPrefix(l, r+test+" ") {
			return true
		}
	}
	return false
}

func (r *reader) endTest(e event, p *pkgState) {
	t := r.test(p, e.Test)
	if t.done {
		return
	}
	t.done = true
	switch e.Action {
	case "pass":
		r.counts.Passed++
	case "fail":
		r.counts.Failed++
	case "skip":
		r.counts.Skipped++
	}
	if r.show != showAll {
		switch {
		case e.Action == "fail":
			r.printLines(t.output, marker)
		case r.show == showResults && e.Action == "pass":
			r.print(fmt.Sprintf("--- PASS: %s (%.2fs)\n", e.Test, e.Elapsed))
		case r.show == showResults && e.Action == "skip":
			// The header, then the reason, as plain go test shows a
			// skip.
			r.print(fmt.Sprintf("--- SKIP: %s (%.2fs)\n", e.Test, e.Elapsed))
			r.printLines(t.output, func(l string) bool {
				return strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- ")
			})
		}
	}
	t.output = nil
}

// endPackage counts the package, and as failed every top-level test that
// started and never ended: the test binary panicked, timed out or exited
// under it (a paused parallel test included), and go test reports no end
// for such a test.
func (r *reader) endPackage(e event, p *pkgState) {
	// The package's last line ("ok", "FAIL" or "?" with the package and
	// its time) comes last; what came before it (a panic) first, if the
	// package failed.
	var last string
	if n := len(p.output); n > 0 {
		last = p.output[n-1]
		p.output = p.output[:n-1]
	}
	if r.show != showAll && e.Action == "fail" {
		r.printLines(p.output, marker)
	}
	for _, name := range p.order {
		t := p.tests[name]
		if t.done {
			continue
		}
		t.done = true
		r.counts.Failed++
		if r.show != showAll {
			r.printLines(t.output, marker)
		}
		r.print(fmt.Sprintf("--- FAIL: %s (did not finish: the test binary stopped first)\n", name))
		t.output = nil
	}
	switch e.Action {
	case "pass":
		r.counts.PkgOK++
	case "fail":
		r.counts.PkgFailed++
	case "skip":
		r.counts.PkgNone++
	}
	if r.show != showAll {
		r.print(last)
	}
	delete(r.pkgs, e.Package)
}

func (r *reader) pkg(name string) *pkgState {
	p := r.pkgs[name]
	if p == nil {
		p = &pkgState{tests: map[string]*testState{}}
		r.pkgs[name] = p
	}
	return p
}

// test is the state of the top-level test that test (a test or a subtest)
// belongs to.
func (r *reader) test(p *pkgState, test string) *testState {
	name, _, _ := strings.Cut(test, "/")
	t := p.tests[name]
	if t == nil {
		t = &testState{}
		p.tests[name] = t
		p.order = append(p.order, name)
	}
	return t
}

func (r *reader) noteSweep(s string) {
	m := sweepLine.FindStringSubmatch(s)
	if m == nil {
		return
	}
	var sw swept
	for _, c := range sweepCount.FindAllStringSubmatch(m[1], -1) {
		n, _ := strconv.Atoi(c[1]) // the pattern allows digits only
		sw.n, sw.of = append(sw.n, n), append(sw.of, c[2])
	}
	r.sweep = &sw
}

// render is the event's output as go test -v prints it: go test -json
// leaves out the indentation of a subtest's result line.
func render(e event) string {
	if strings.HasPrefix(e.Output, "--- ") {
		if depth := strings.Count(e.Test, "/"); depth > 0 {
			return strings.Repeat("    ", depth) + e.Output
		}
	}
	return e.Output
}

// marker tells the lines that only say which test runs when tests run in
// parallel; they are noise once a test's output is printed as one block.
func marker(l string) bool {
	return strings.HasPrefix(l, "=== PAUSE ") || strings.HasPrefix(l, "=== CONT ") || strings.HasPrefix(l, "=== NAME ")
}

func (r *reader) printLines(lines []string, skip func(string) bool) {
	for _, l := range lines {
		if !skip(l) {
			r.print(l)
		}
	}
}

// print writes to the console; a console that went away (a closed pipe)
// does not stop the pass or its log.
func (r *reader) print(s string) { _, _ = io.WriteString(r.console, s) }

func (r *reader) write(w io.Writer, s string) {
	if _, err := io.WriteString(w, s); err != nil && r.err == nil {
		r.err = err
	}
}

// lineWriter splits what is written to it into lines for a reader.
type lineWriter struct {
	r    *reader
	part []byte
}

func (w *lineWriter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			w.part = append(w.part, b...)
			break
		}
		w.r.line(string(w.part) + string(b[:i+1]))
		w.part = w.part[:0]
		b = b[i+1:]
	}
	return n, nil
}

// flush hands over a last line without a newline.
func (w *lineWriter) flush() {
	if len(w.part) > 0 {
		w.r.line(string(w.part))
		w.part = nil
	}
}
