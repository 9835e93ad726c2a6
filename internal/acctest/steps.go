package acctest

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// StateAttr reads one attribute of a resource from the state.
func StateAttr(s *terraform.State, name, attr string) (string, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return "", fmt.Errorf("%s not in state", name)
	}
	return rs.Primary.Attributes[attr], nil
}

// PositiveID is a knownvalue.Int64Func check of a LogicMonitor id.
func PositiveID(v int64) error {
	if v <= 0 {
		return fmt.Errorf("%d is not a positive id", v)
	}
	return nil
}

// DisappearsSteps applies cfg, deletes the object behind the resource name
// out of band with del, and expects the next plan to create it again (and
// whatever else expect names) under a new id.
func DisappearsSteps(t *testing.T, cfg, name string, del func(id int32), expect ...plancheck.PlanCheck) []resource.TestStep {
	var first string
	return []resource.TestStep{
		{
			Config: cfg,
			Check: func(s *terraform.State) error {
				var err error
				first, err = StateAttr(s, name, "id")
				return err
			},
		},
		{
			PreConfig: func() {
				id, err := strconv.ParseInt(first, 10, 32)
				if err != nil {
					t.Fatalf("id %q: %v", first, err)
				}
				del(int32(id))
			},
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(name, plancheck.ResourceActionCreate)}, expect...),
			},
			Check: func(s *terraform.State) error {
				if id, _ := StateAttr(s, name, "id"); id == first {
					return fmt.Errorf("expected a new %s, still %s", name, id)
				}
				return nil
			},
		},
	}
}

// ObjectCounts is how many roles and users a test's own simulator holds.
type ObjectCounts struct{ roles, users int }

// Counts counts the roles and users of the test's own simulator; against a
// portal, where other tests create and delete them meanwhile, it counts
// nothing (nil).
func (e *Env) Counts() *ObjectCounts {
	if e.Sim == nil {
		return nil
	}
	return &ObjectCounts{len(e.Sim.Server.Roles()), len(e.Sim.Server.Admins())}
}

// NoneLeft fails the test if a failed run left a role or a user behind:
// none with one of names, asked of the API, and in the test's own
// simulator as many roles and users as before (Counts).
func (e *Env) NoneLeft(t *testing.T, before *ObjectCounts, names ...string) {
	t.Helper()
	ctx := context.Background()
	for _, name := range names {
		roles, err := e.Client.FindRolesByName(ctx, name)
		if err != nil || len(roles) > 0 {
			t.Errorf("failed runs left role %q behind: %+v %v", name, roles, err)
		}
		users, err := e.Client.FindAdminsByUsername(ctx, name)
		if err != nil || len(users) > 0 {
			t.Errorf("failed runs left user %q behind: %+v %v", name, users, err)
		}
	}
	if after := e.Counts(); before != nil && *after != *before {
		t.Errorf("failed runs left objects behind: roles %d -> %d, users %d -> %d", before.roles, after.roles, before.users, after.users)
	}
}
