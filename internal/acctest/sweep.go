package acctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// SweepAge is how old a test object must be before the sweeper deletes it:
// a younger one may belong to a run still going on.
const SweepAge = time.Hour

func (p *Portal) client() (*lm.Client, error) {
	return clientFor(p.BaseURL, p.AccessID, p.AccessKey, p.BearerToken)
}

// LeftoverCheck wraps a test package's m (for resource.TestMain). Against
// a real portal (LM_ACC_REAL_PORTAL=1, TF_ACC set) it lists, with each
// registered type's Watch, the objects it watches before and after the
// tests (the test user's tokens and every test token; the test users; the
// test roles). An object of this run that appeared and is still there
// fails the run and, when it is a test object, is deleted, type by type in
// sweep order (tokens, then users, then roles). Test objects of another
// run going on at the same time are not counted. An object that was there
// before, was not a test object and is gone fails the run too: the tests
// deleted what was not theirs. Elsewhere it just runs m.
func LeftoverCheck(m interface{ Run() int }) interface{ Run() int } {
	return leftoverCheck{m}
}

type leftoverCheck struct{ m interface{ Run() int } }

func (l leftoverCheck) Run() int {
	if !RealPortal() || os.Getenv("TF_ACC") == "" {
		return l.m.Run()
	}
	p, err := PortalFromEnv(true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := p.client()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	types := registeredTypes()
	watch := func(when string) ([][]Watched, bool) {
		out := make([][]Watched, len(types))
		for i, t := range types {
			if out[i], err = t.Watch(ctx, c, p); err != nil {
				fmt.Fprintf(os.Stderr, "leftover check: listing the %s %s the tests: %v\n", t.Plural, when, err)
				return nil, false
			}
		}
		return out, true
	}
	before, ok := watch("before")
	if !ok {
		return 2
	}
	code := l.m.Run()
	after, ok := watch("after")
	if !ok {
		return 2
	}
	failed := false
	for i, t := range types {
		left, gone := compareWatched(before[i], after[i])
		fmt.Fprintf(os.Stderr, "leftover check: %d %s watched before the tests, %d after, %d left behind\n",
			len(before[i]), t.Plural, len(after[i]), len(left))
		for _, w := range gone {
			fmt.Fprintf(os.Stderr, "leftover check: FAIL: %s was not made by the tests and is gone\n", w.What)
		}
		for _, w := range left {
			what := "left in place: not made by a test"
			if w.Test {
				what = "deleted now"
				if err := w.Delete(ctx); err != nil {
					what = fmt.Sprintf("deleting it failed: %v", err)
				}
			}
			fmt.Fprintf(os.Stderr, "leftover check: FAIL: %s was left behind by the tests: %s\n", w.What, what)
		}
		failed = failed || len(left)+len(gone) > 0
	}
	if failed && code == 0 {
		code = 1
	}
	return code
}

// compareWatched returns the objects of after that this run left behind
// (not in before, not another run's) and those of before that are gone
// and were not test objects, each in the order the type listed them.
func compareWatched(before, after []Watched) (left, gone []Watched) {
	keys := func(ws []Watched) map[string]bool {
		m := make(map[string]bool, len(ws))
		for _, w := range ws {
			m[w.Key] = true
		}
		return m
	}
	wasThere, isThere := keys(before), keys(after)
	for _, w := range after {
		if !wasThere[w.Key] && !w.OtherRun {
			left = append(left, w)
		}
	}
	for _, w := range before {
		if !isThere[w.Key] && !w.Test {
			gone = append(gone, w)
		}
	}
	return left, gone
}

// ignoreNotFound is a Delete's result: a 404 means the object is gone.
func ignoreNotFound(err error) error {
	if lm.IsNotFound(err) {
		return nil
	}
	return err
}

// thisRun reports whether name (made by objectName) is of this run.
func thisRun(name string) bool { return strings.HasPrefix(name, UserPrefix+runID+"-") }

// sweepOld deletes with del the objects whose name (made by objectName)
// says they were created more than SweepAge before now, and returns them.
func sweepOld[T any](objects []T, now time.Time, name func(T) string, del func(T) error) ([]T, error) {
	var deleted []T
	var errs []error
	for _, o := range objects {
		if created, _ := testUserCreated(name(o)); now.Sub(created) < SweepAge {
			continue
		}
		if err := del(o); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, o)
	}
	return deleted, errors.Join(errs...)
}
