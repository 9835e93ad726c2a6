package acctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// SweepAge is how old a test token must be before the sweeper deletes it:
// a younger one may belong to a run still going on.
const SweepAge = time.Hour

// SweepFromEnv is the body of the sweeper (make sweep): Sweep
// on the portal named by the environment (PortalFromEnv), then the users
// and roles the tests made (named by CreateUser or Name, UserPrefix) that
// are older than SweepAge, reporting each deletion on stderr (never a
// secret).
func SweepFromEnv(ctx context.Context) error {
	p, err := PortalFromEnv(false)
	if err != nil {
		return err
	}
	c, err := p.client()
	if err != nil {
		return err
	}
	now := time.Now()
	deleted, err := Sweep(ctx, c, p.AdminID, now)
	for _, tok := range deleted {
		fmt.Fprintf(os.Stderr, "sweeper: deleted %s token %d of user %d, created %s: %q\n",
			tok.Type, tok.ID, tok.AdminID, time.Unix(tok.CreatedOn, 0).UTC().Format(time.RFC3339), tok.Note)
	}
	users, uerr := sweepUsers(ctx, c, now)
	for _, u := range users {
		fmt.Fprintf(os.Stderr, "sweeper: deleted user %d %q\n", u.ID, u.Username)
	}
	roles, rerr := sweepRoles(ctx, c, now)
	for _, r := range roles {
		fmt.Fprintf(os.Stderr, "sweeper: deleted role %d %q\n", r.ID, r.Name)
	}
	fmt.Fprintf(os.Stderr, "sweeper: %d test tokens, %d test users and %d test roles older than %s deleted from %s\n",
		len(deleted), len(users), len(roles), SweepAge, p.BaseURL)
	return errors.Join(err, uerr, rerr)
}

func (p *Portal) client() (*lm.Client, error) {
	return clientFor(p.BaseURL, p.AccessID, p.AccessKey, p.BearerToken)
}

// LeftoverCheck wraps a test package's m (for resource.TestMain). Against
// a real portal (LM_ACC_REAL_PORTAL=1, TF_ACC set) it lists the test
// user's tokens, and every token with the test note prefix, before and
// after the tests; a token that appeared and is still there fails the run
// and, when it is a test token (Leftover), is deleted. Tokens of another
// run going on at the same time (NotePrefix with another run id) are not
// counted. A token of the test user that was there before, was not a test
// token and is gone fails the run too: the tests deleted what was not
// theirs. So does a user of this run's CreateUser still there, which is
// deleted, and so does a role of this run (Name) still there, deleted after
// the users. Elsewhere it just runs m.
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
	watch := func(when string) (map[tokenKey]lm.APIToken, []lm.Admin, []lm.Role, bool) {
		toks, err := snapshot(ctx, c, p.AdminID)
		if err != nil {
			fmt.Fprintf(os.Stderr, "leftover check: listing the tokens %s the tests: %v\n", when, err)
			return nil, nil, nil, false
		}
		users, err := listTestUsers(ctx, c)
		if err != nil {
			fmt.Fprintf(os.Stderr, "leftover check: listing the test users %s the tests: %v\n", when, err)
			return nil, nil, nil, false
		}
		roles, err := listTestRoles(ctx, c)
		if err != nil {
			fmt.Fprintf(os.Stderr, "leftover check: listing the test roles %s the tests: %v\n", when, err)
			return nil, nil, nil, false
		}
		return toks, users, roles, true
	}
	before, usersBefore, rolesBefore, ok := watch("before")
	if !ok {
		return 2
	}
	code := l.m.Run()
	after, usersAfter, rolesAfter, ok := watch("after")
	if !ok {
		return 2
	}
	leftUsers := newUsers(usersBefore, usersAfter)
	for _, u := range leftUsers {
		what := "deleted now"
		if err := c.DeleteAdmin(ctx, u.ID); err != nil && !lm.IsNotFound(err) {
			what = fmt.Sprintf("deleting it failed: %v", err)
		}
		fmt.Fprintf(os.Stderr, "leftover check: FAIL: test user %d (%s) was left behind by the tests: %s\n", u.ID, u.Username, what)
	}
	leftRoles := newRoles(rolesBefore, rolesAfter)
	for _, r := range leftRoles {
		what := "deleted now"
		if err := c.DeleteRole(ctx, r.ID); err != nil && !lm.IsNotFound(err) {
			what = fmt.Sprintf("deleting it failed: %v", err)
		}
		fmt.Fprintf(os.Stderr, "leftover check: FAIL: test role %d (%s) was left behind by the tests: %s\n", r.ID, r.Name, what)
	}
	left := newTokens(before, after)
	gone := goneTokens(before, after, p.AdminID)
	fmt.Fprintf(os.Stderr, "leftover check: %d tokens watched before the tests, %d after, %d left behind\n", len(before), len(after), len(left))
	for _, tok := range gone {
		fmt.Fprintf(os.Stderr, "leftover check: FAIL: %s token %d of user %d (%q) was not a test token and is gone\n", tok.Type, tok.ID, tok.AdminID, tok.Note)
	}
	for _, tok := range left {
		what := "left in place: not a test token"
		if Leftover(tok, p.AdminID) {
			what = "deleted now"
			if err := c.DeleteAPIToken(ctx, tok.AdminID, tok.ID); err != nil && !lm.IsNotFound(err) {
				what = fmt.Sprintf("deleting it failed: %v", err)
			}
		}
		fmt.Fprintf(os.Stderr, "leftover check: FAIL: %s token %d of user %d (%q) was left behind by the tests: %s\n", tok.Type, tok.ID, tok.AdminID, tok.Note, what)
	}
	if len(left)+len(gone)+len(leftUsers)+len(leftRoles) > 0 && code == 0 {
		code = 1
	}
	return code
}

// newObjects returns this run's test users or roles (named by objectName
// with this run's id) in after but not in before.
func newObjects[T any](before, after []T, id func(T) int32, name func(T) string) []T {
	var left []T
	for _, o := range after {
		if strings.HasPrefix(name(o), UserPrefix+runID+"-") && !slices.ContainsFunc(before, func(b T) bool { return id(b) == id(o) }) {
			left = append(left, o)
		}
	}
	return left
}

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
