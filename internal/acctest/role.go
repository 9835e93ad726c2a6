package acctest

import (
	"context"
	"testing"

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

func init() {
	namedObjects[lm.Role]{
		name: "lm_role", plural: "roles", noun: "role",
		// LogicMonitor refuses to delete a role that a user holds.
		sweepAfter: []string{"lm_user"},
		list: func(ctx context.Context, c *lm.Client, prefix string) ([]lm.Role, error) {
			return c.ListRoles(ctx, lm.ListOptions{Filter: "name~" + lm.QuoteFilter(prefix)})
		},
		id:    func(r lm.Role) int32 { return r.ID },
		label: func(r lm.Role) string { return r.Name },
		get: func(ctx context.Context, c *lm.Client, id int32) error {
			_, err := c.GetRole(ctx, id)
			return err
		},
		del: func(ctx context.Context, c *lm.Client, id int32) error { return c.DeleteRole(ctx, id) },
	}.register()
}
