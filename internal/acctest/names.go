package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// NotePrefix starts the note of every token an acceptance test creates, so
// that the sweeper (make sweep) can recognise leftovers of an interrupted
// run in a real account, and touch nothing else.
const NotePrefix = "tf-acc-test "

// runID tells this test process's tokens from those of a run going on in
// parallel against the same portal.
var runID = func() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}()

// Note is the note a test gives a token it creates: NotePrefix, this run's
// id, then what. Within one run, what must be unique to the test, so that a
// filter on the note finds only that test's tokens.
func Note(what string) string { return NotePrefix + runID + " " + what }

// RunNotePrefix is the start of every note Note makes in this process.
func RunNotePrefix() string { return NotePrefix + runID + " " }

// UserPrefix starts the name of every user and role an acceptance test
// creates (CreateUser, Name), followed by the run id and the creation time,
// which LogicMonitor does not otherwise show for users and roles: the
// sweeper reads the age from the name.
const UserPrefix = "tf-acc-test-"

// Name is the name of a user or role a test creates through Terraform:
// UserPrefix, the run id, the time and what, which must be unique within
// the suite (roles and usernames are unique in a portal, and other tests
// run in parallel). The sweeper and the leftover check recognise it.
func Name(what string) string { return objectName(time.Now(), what) }

// objectName is UserPrefix, the run id, the time in epoch seconds and what.
func objectName(now time.Time, what string) string {
	return fmt.Sprintf("%s%s-%d-%s", UserPrefix, runID, now.Unix(), what)
}

// testUserCreated reads the creation time from a name objectName made
// (a user's or a role's); false for any other name.
func testUserCreated(username string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(username, UserPrefix)
	if !ok {
		return time.Time{}, false
	}
	parts := strings.SplitN(rest, "-", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// namedObjects describes a type whose test objects are named by
// objectName (Name, CreateUser) and which LogicMonitor gets and deletes by
// numeric id, users and roles; its Type follows from that.
type namedObjects[T any] struct {
	name, plural, noun string // "lm_user", "users", "user"
	sweepAfter         []string
	// list returns at least every object whose name starts with prefix.
	list  func(ctx context.Context, c *lm.Client, prefix string) ([]T, error)
	id    func(T) int32
	label func(T) string // the name objectName made
	get   func(ctx context.Context, c *lm.Client, id int32) error
	del   func(ctx context.Context, c *lm.Client, id int32) error
}

// listTest lists the objects objectName named, of any run and age.
func (n namedObjects[T]) listTest(ctx context.Context, c *lm.Client) ([]T, error) {
	all, err := n.list(ctx, c, UserPrefix)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, o := range all {
		if _, ok := testUserCreated(n.label(o)); ok {
			out = append(out, o)
		}
	}
	return out, nil
}

func (n namedObjects[T]) exists(ctx context.Context, e *Env, rs *terraform.ResourceState) (bool, error) {
	id, err := strconv.ParseInt(rs.Primary.ID, 10, 32)
	if err != nil {
		return false, fmt.Errorf("%s: id %q: %w", rs.Type, rs.Primary.ID, err)
	}
	switch err := n.get(ctx, e.Client, int32(id)); {
	case lm.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// sweep deletes the test objects created more than SweepAge before now.
func (n namedObjects[T]) sweep(ctx context.Context, c *lm.Client, _ *Portal, now time.Time) ([]string, error) {
	objs, err := n.listTest(ctx, c)
	if err != nil {
		return nil, err
	}
	deleted, err := sweepOld(objs, now, n.label, func(o T) error {
		if err := ignoreNotFound(n.del(ctx, c, n.id(o))); err != nil {
			return fmt.Errorf("deleting test %s %d (%s): %w", n.noun, n.id(o), n.label(o), err)
		}
		return nil
	})
	out := make([]string, 0, len(deleted))
	for _, o := range deleted {
		out = append(out, fmt.Sprintf("%s %d %q", n.noun, n.id(o), n.label(o)))
	}
	return out, err
}

// watch lists the test objects for the leftover check; those of other
// runs are marked so.
func (n namedObjects[T]) watch(ctx context.Context, c *lm.Client, _ *Portal) ([]Watched, error) {
	objs, err := n.listTest(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make([]Watched, 0, len(objs))
	for _, o := range objs {
		id := n.id(o)
		out = append(out, Watched{
			Key:      strconv.Itoa(int(id)),
			What:     fmt.Sprintf("test %s %d (%s)", n.noun, id, n.label(o)),
			Test:     true,
			OtherRun: !thisRun(n.label(o)),
			Delete:   func(ctx context.Context) error { return ignoreNotFound(n.del(ctx, c, id)) },
		})
	}
	return out, nil
}

// register adds the type to the harness (RegisterType).
func (n namedObjects[T]) register() {
	RegisterType(Type{
		Name: n.name, Plural: n.plural, SweepAfter: n.sweepAfter,
		Exists: n.exists, Sweep: n.sweep, Watch: n.watch,
	})
}
