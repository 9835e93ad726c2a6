package acctest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// Type is what the harness knows of one kind of object the provider
// manages: how to tell that a destroy removed it, how to sweep the tests'
// leftovers of it, and what the leftover check watches. Each type
// registers its own with RegisterType from its file here (api_token.go,
// user.go, role.go); CheckDestroy, ObjectExists, the sweepers and
// LeftoverCheck work from the registry, so a new type adds a file and
// edits no shared code.
type Type struct {
	// Name is the resource type, such as "lm_role".
	Name string
	// Plural names the type's objects in the sweeper's and the leftover
	// check's lines, such as "roles".
	Plural string
	// Exists reports whether the object behind rs, a resource of a
	// state, exists in LogicMonitor.
	Exists func(ctx context.Context, e *Env, rs *terraform.ResourceState) (bool, error)
	// Destroyed returns an error when the object behind rs, a resource of
	// the state before a destroy, is not as the destroy should leave it.
	// Nil means that it must be gone (Exists false).
	Destroyed func(ctx context.Context, e *Env, rs *terraform.ResourceState) error
	// SweepAfter names the types whose sweepers run before this one's
	// (the framework sweeper's Dependencies): a user goes after its
	// tokens, a role after the users that hold it.
	SweepAfter []string
	// Sweep deletes the tests' leftovers of the type created more than
	// SweepAge before now, and describes each deletion for the sweeper's
	// output ("role 7 \"tf-acc-test-...\""; never a secret).
	Sweep func(ctx context.Context, c *lm.Client, p *Portal, now time.Time) (deleted []string, err error)
	// Watch lists the objects of the type that the leftover check
	// compares before and after the tests.
	Watch func(ctx context.Context, c *lm.Client, p *Portal) ([]Watched, error)
}

// Watched is one object the leftover check watches.
type Watched struct {
	// Key tells the object from the others of its type.
	Key string
	// What names it in messages, such as `test role 7 (tf-acc-test-...)`.
	What string
	// Test: made by a test. One that appears during the tests and stays
	// is deleted; one that disappears is no loss. Any other object that
	// disappears fails the check: the tests deleted what was not theirs.
	Test bool
	// OtherRun: a test object of another run going on at the same time,
	// which this run's check leaves alone.
	OtherRun bool
	// Delete deletes the object (a 404 is success).
	Delete func(ctx context.Context) error
}

var registry = struct {
	sync.Mutex
	types map[string]Type
	// swept counts each type's deletions by its sweeper in this process,
	// for the closing line; sweptFrom is the portal's URL.
	swept     map[string]int
	sweptFrom string
}{types: map[string]Type{}, swept: map[string]int{}}

// RegisterType adds a type to the harness and its sweeper to the test
// framework's (resource.AddTestSweepers), which runs it after those of
// t.SweepAfter. Call it from an init function.
func RegisterType(t Type) {
	if t.Name == "" || t.Plural == "" || t.Exists == nil || t.Sweep == nil || t.Watch == nil {
		panic(fmt.Sprintf("acctest.RegisterType(%q): Name, Plural, Exists, Sweep and Watch are required", t.Name))
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.types[t.Name]; dup {
		panic("acctest.RegisterType: " + t.Name + " registered twice")
	}
	registry.types[t.Name] = t
	resource.AddTestSweepers(t.Name, &resource.Sweeper{Name: t.Name, Dependencies: t.SweepAfter, F: sweeper(t)})
}

// lookupType returns the registered type of that name.
func lookupType(name string) (Type, bool) {
	registry.Lock()
	defer registry.Unlock()
	t, ok := registry.types[name]
	return t, ok
}

// registeredTypes returns the registered types in sweep order: each after
// the types it names in SweepAfter, otherwise by name. It panics when
// SweepAfter names a type that is not registered, or the order has a
// cycle: mistakes in this package that its own tests catch.
func registeredTypes() []Type {
	registry.Lock()
	all := make([]Type, 0, len(registry.types))
	for _, t := range registry.types {
		all = append(all, t)
	}
	registry.Unlock()
	out, err := sweepOrder(all)
	if err != nil {
		panic("acctest: " + err.Error())
	}
	return out
}

// sweepOrder sorts types so that each comes after those it names in
// SweepAfter, and otherwise by name.
func sweepOrder(types []Type) ([]Type, error) {
	all := slices.SortedFunc(slices.Values(types), func(a, b Type) int { return cmp.Compare(a.Name, b.Name) })
	byName := map[string]Type{}
	for _, t := range all {
		byName[t.Name] = t
	}
	out := make([]Type, 0, len(all))
	state := map[string]int{} // 1: being placed, 2: placed
	var place func(t Type, path []string) error
	place = func(t Type, path []string) error {
		path = append(path, t.Name)
		switch state[t.Name] {
		case 1:
			return fmt.Errorf("SweepAfter has a cycle: %s", strings.Join(path, " → "))
		case 2:
			return nil
		}
		state[t.Name] = 1
		for _, dep := range t.SweepAfter {
			d, ok := byName[dep]
			if !ok {
				return fmt.Errorf("%s sweeps after %s, which is not registered", t.Name, dep)
			}
			if err := place(d, path); err != nil {
				return err
			}
		}
		state[t.Name] = 2
		out = append(out, t)
		return nil
	}
	for _, t := range all {
		if err := place(t, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sweeper is the framework sweeper of t: the portal named by the
// environment (PortalFromEnv), t.Sweep, one line per deletion on stderr.
// The region argument of -sweep means nothing to LogicMonitor.
func sweeper(t Type) resource.SweeperFunc {
	return func(string) error {
		p, err := PortalFromEnv(false)
		if err != nil {
			return err
		}
		c, err := p.client()
		if err != nil {
			return err
		}
		deleted, err := t.Sweep(context.Background(), c, p, time.Now())
		for _, d := range deleted {
			fmt.Fprintf(os.Stderr, "sweeper: deleted %s\n", d)
		}
		registry.Lock()
		registry.swept[t.Name] += len(deleted)
		registry.sweptFrom = p.BaseURL
		registry.Unlock()
		return err
	}
}

// TestMain is the TestMain of a package of acceptance tests. With -sweep
// (go test ./internal/provider -sweep=all, as make sweep runs it) it runs
// the registered types' sweepers, each after those it names in
// SweepAfter, and ends with one line of what they deleted:
//
//	sweeper: 3 test tokens, 1 test users and 1 test roles older than 1h0m0s deleted from URL
//
// which internal/cmd/lmtestsum reads. Otherwise it runs the tests under
// LeftoverCheck.
func TestMain(m *testing.M) {
	// With -sweep, resource.TestMain returns only when every sweeper
	// succeeded; it exits 1 otherwise, and without -sweep it exits with
	// the tests' status.
	resource.TestMain(LeftoverCheck(m))
	fmt.Fprintln(os.Stderr, sweepSummary())
}

// sweepSummary is the sweeper's closing line: the deletions of each type
// that swept, in sweep order.
func sweepSummary() string {
	registry.Lock()
	swept, from := maps.Clone(registry.swept), registry.sweptFrom
	registry.Unlock()
	var parts []string
	for _, t := range registeredTypes() {
		if n, ok := swept[t.Name]; ok {
			parts = append(parts, fmt.Sprintf("%d test %s", n, t.Plural))
		}
	}
	if len(parts) == 0 {
		return "sweeper: no sweeper ran"
	}
	list := parts[0]
	if len(parts) > 1 {
		list = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return fmt.Sprintf("sweeper: %s older than %s deleted from %s", list, SweepAge, from)
}
