package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

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

// CreateUser creates a disposable API-only user with the readonly role,
// through the API, and deletes it when the test ends (if it still exists):
// for tests that delete a user out of band, or need a user whose tokens
// are theirs alone.
func (e *Env) CreateUser(t *testing.T) int32 {
	t.Helper()
	return e.CreateUserWithRole(t, "readonly")
}

// CreateUserWithRole is CreateUser with the existing role of that name.
func (e *Env) CreateUserWithRole(t *testing.T, role string) int32 {
	t.Helper()
	ctx := context.Background()
	roleID := e.RoleID(t, role)
	name := testUserName(time.Now())
	secret := make([]byte, 12)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	in := lm.AdminWrite{
		Username: name,
		Email:    name + "@example.com",
		// Never used: the user is API-only. Upper, lower, digit and symbol
		// for portals that enforce a password policy.
		Password: "Tf-" + hex.EncodeToString(secret) + "-Acc9",
		Roles:    []lm.RoleRef{{ID: roleID}},
		APIOnly:  true,
		Note:     "made by terraform-provider-lm's acceptance tests; make sweep deletes it",
	}
	user, err := e.Client.CreateAdmin(ctx, in)
	if err != nil {
		t.Fatalf("creating test user %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := e.Client.DeleteAdmin(context.Background(), user.ID); err != nil && !lm.IsNotFound(err) {
			t.Errorf("deleting test user %d (%s): %v", user.ID, name, err)
		}
	})
	return user.ID
}

// RoleID is the id of the existing role of that name, asked of the API
// (such as "readonly" or "administrator", whose ids differ by portal).
func (e *Env) RoleID(t *testing.T, name string) int32 {
	t.Helper()
	roles, err := e.Client.FindRolesByName(context.Background(), name)
	if err != nil || len(roles) != 1 {
		t.Fatalf("looking up the role %q: %v %v", name, roles, err)
	}
	return roles[0].ID
}

// testUserName is UserPrefix, the run id, the creation time in epoch
// seconds and a random suffix.
func testUserName(now time.Time) string {
	b := make([]byte, 2)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return objectName(now, hex.EncodeToString(b))
}

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

// listTestUsers lists the users testUserName named.
func listTestUsers(ctx context.Context, c *lm.Client) ([]lm.Admin, error) {
	var out []lm.Admin
	for a, err := range c.Admins(ctx, lm.ListOptions{Filter: "username~" + lm.QuoteFilter(UserPrefix)}) {
		if err != nil {
			return nil, err
		}
		if _, ok := testUserCreated(a.Username); ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// sweepUsers deletes the test users created more than SweepAge before now.
func sweepUsers(ctx context.Context, c *lm.Client, now time.Time) ([]lm.Admin, error) {
	users, err := listTestUsers(ctx, c)
	if err != nil {
		return nil, err
	}
	return sweepOld(users, now, func(u lm.Admin) string { return u.Username }, func(u lm.Admin) error {
		if err := c.DeleteAdmin(ctx, u.ID); err != nil && !lm.IsNotFound(err) {
			return fmt.Errorf("deleting test user %d (%s): %w", u.ID, u.Username, err)
		}
		return nil
	})
}

// listTestRoles lists the roles objectName named.
func listTestRoles(ctx context.Context, c *lm.Client) ([]lm.Role, error) {
	roles, err := c.ListRoles(ctx, lm.ListOptions{Filter: "name~" + lm.QuoteFilter(UserPrefix)})
	if err != nil {
		return nil, err
	}
	var out []lm.Role
	for _, r := range roles {
		if _, ok := testUserCreated(r.Name); ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// sweepRoles deletes the test roles created more than SweepAge before now.
// It runs after sweepUsers, which deletes the test users that held them.
func sweepRoles(ctx context.Context, c *lm.Client, now time.Time) ([]lm.Role, error) {
	roles, err := listTestRoles(ctx, c)
	if err != nil {
		return nil, err
	}
	return sweepOld(roles, now, func(r lm.Role) string { return r.Name }, func(r lm.Role) error {
		if err := c.DeleteRole(ctx, r.ID); err != nil && !lm.IsNotFound(err) {
			return fmt.Errorf("deleting test role %d (%s): %w", r.ID, r.Name, err)
		}
		return nil
	})
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
