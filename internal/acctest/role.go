package acctest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

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

func newRoles(before, after []lm.Role) []lm.Role {
	return newObjects(before, after, func(r lm.Role) int32 { return r.ID }, func(r lm.Role) string { return r.Name })
}
