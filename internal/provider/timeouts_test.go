package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// TestAccRoleUser_timeoutsBoundTheWait: lm_role and lm_user take a
// timeouts block like lm_api_token's, and its read timeout bounds a
// refresh against a portal that keeps failing: the plan fails within it,
// with the last real failure, instead of retrying for 20 minutes.
func TestAccRoleUser_timeoutsBoundTheWait(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortalBecause(t, "it makes the simulator fail every request")
	name := acctest.Name("timeouts")
	cfg := e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_role" "test" {
  name       = %[1]q
  privileges = []

  timeouts {
    create = "1m"
    read   = "10s"
    update = "1m"
    delete = "1m"
  }
}

resource "lm_user" "test" {
  username = %[1]q
  email    = "timeouts@example.com"
  roles    = [lm_role.test.id]

  timeouts {
    read = "10s"
  }
}
`, name)
	var started time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("lm_role.test", tfjsonpath.New("timeouts").AtMapKey("read"), knownvalue.StringExact("10s")),
					statecheck.ExpectKnownValue("lm_user.test", tfjsonpath.New("timeouts").AtMapKey("read"), knownvalue.StringExact("10s")),
					statecheck.ExpectKnownValue("lm_user.test", tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() {
					e.Sim.Server.SetFaults(lmsim.Faults{Err5xx: 1})
					started = time.Now()
					// Should this step fail, the harness destroys at
					// once, and the faults must be gone by then.
					time.AfterFunc(50*time.Second, func() { e.Sim.Server.SetFaults(lmsim.Faults{}) })
				},
				Config:   cfg,
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Cannot read the (role|user).*HTTP 50[023].*gave\s+up\s+after\s+\d+\s+attempts\s+over\s+[0-9.]+\s+m?s:\s+` +
					`the\s+operation's\s+timeout`),
			},
			{
				PreConfig: func() {
					if d := time.Since(started); d > 60*time.Second {
						t.Errorf("the failing refresh took %s with read timeouts of 10s", d)
					}
					e.Sim.Server.SetFaults(lmsim.Faults{})
				},
				Config: cfg,
			},
		},
	})
}
