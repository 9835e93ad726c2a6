package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

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

// DeleteUser removes a user (and with it its tokens) out of band.
func (e *Env) DeleteUser(t *testing.T, id int32) {
	t.Helper()
	if err := e.Client.DeleteAdmin(context.Background(), id); err != nil {
		t.Fatalf("deleting user %d: %v", id, err)
	}
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

func newUsers(before, after []lm.Admin) []lm.Admin {
	return newObjects(before, after, func(a lm.Admin) int32 { return a.ID }, func(a lm.Admin) string { return a.Username })
}
