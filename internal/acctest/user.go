package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

func init() {
	namedObjects[lm.Admin]{
		name: "lm_user", plural: "users", noun: "user",
		// Deleting a user deletes its tokens; the token sweeper's lines say
		// which test tokens went.
		sweepAfter: []string{"lm_api_token"},
		list: func(ctx context.Context, c *lm.Client, prefix string) ([]lm.Admin, error) {
			var out []lm.Admin
			for a, err := range c.Admins(ctx, lm.ListOptions{Filter: "username~" + lm.QuoteFilter(prefix)}) {
				if err != nil {
					return nil, err
				}
				out = append(out, a)
			}
			return out, nil
		},
		id:    func(a lm.Admin) int32 { return a.ID },
		label: func(a lm.Admin) string { return a.Username },
		get: func(ctx context.Context, c *lm.Client, id int32) error {
			_, err := c.GetAdmin(ctx, id)
			return err
		},
		del: func(ctx context.Context, c *lm.Client, id int32) error { return c.DeleteAdmin(ctx, id) },
	}.register()
}
