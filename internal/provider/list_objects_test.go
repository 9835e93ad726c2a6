package provider_test

import (
	"fmt"
	"testing"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
)

// listObjects names what listConfig makes for a list test: every name
// starts with base (from acctest.Name), so that a filter on base finds the
// test's objects alone, in the simulator as in a portal.
type listObjects struct {
	base, role, svc, bot, ops string
	// readonly is the id of the existing readonly role, asked of the API.
	readonly int32
}

func newListObjects(t *testing.T, e *acctest.Env, what string) listObjects {
	t.Helper()
	base := acctest.Name(what)
	return listObjects{base: base, role: base + "-ci", svc: base + "-svc", bot: base + "-bot", ops: base + "-ops",
		readonly: e.RoleID(t, "readonly")}
}

// listConfig is a role and three users, made before the query steps: svc,
// a suspended API-only user holding the role and the readonly role; bot,
// an active API-only user with the readonly role; ops, an active user who
// signs in, holding the role.
func listConfig(e *acctest.Env, o listObjects) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_role" "list" {
  name = %[1]q
  privileges = [
    { object_type = "setting", object_id = "*", operation = "read" },
    { object_type = "help", object_id = "", operation = "read" },
  ]
}

resource "lm_user" "list" {
  username   = %[2]q
  email      = "ci-team@example.com"
  first_name = "CI"
  note       = "made for the list test"
  roles      = [lm_role.list.id, %[5]d]
  status     = "suspended"
}

resource "lm_user" "bot" {
  username = %[3]q
  email    = "bot@example.com"
  roles    = [%[5]d]
}

resource "lm_user" "ops" {
  username            = %[4]q
  email               = "ops@example.com"
  api_only            = false
  roles               = [lm_role.list.id]
  password_wo         = "List-Ops-Pw-7x"
  password_wo_version = 1
}
`, o.role, o.svc, o.bot, o.ops, o.readonly)
}
