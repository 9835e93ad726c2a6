package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
)

const userName = "lm_user.test"

// userConfig is a role of the test's own plus a user that holds it.
func userConfig(e *acctest.Env, body string) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_role" "ci" {
  name       = "acc-user-role"
  privileges = [{ object_type = "setting", object_id = "*", operation = "read" }]
}

data "lm_role" "readonly" {
  name = "readonly"
}

resource "lm_user" "test" {
  %s
}
`, body)
}

func TestAccUser_lifecycle(t *testing.T) {
	e := acctest.New(t)
	updated := userConfig(e, `
  username   = "acc-svc-ci"
  email      = "platform+ci@example.com"
  first_name = "CI"
  last_name  = "Pipeline"
  note       = "owned by the platform team"
  status     = "suspended"
  roles      = [lm_role.ci.id, data.lm_role.readonly.id]`)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: userConfig(e, `
  username = "acc-svc-ci"
  email    = "platform@example.com"
  roles    = [lm_role.ci.id]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userName, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userName, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("api_only"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("note"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("roles"), knownvalue.SetSizeExact(1)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.ObjectExists(userName),
					resource.TestCheckResourceAttrPair(userName, "roles.0", "lm_role.ci", "id"),
				),
			},
			{
				// Names, note, status and roles change in place.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userName, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userName, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("status"), knownvalue.StringExact("suspended")),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("roles"), knownvalue.SetSizeExact(2)),
				},
				Check: func(s *terraform.State) error {
					id, _ := stateAttr(s, userName, "id")
					n, _ := strconv.ParseInt(id, 10, 32)
					a, err := e.Client.GetAdmin(context.Background(), int32(n))
					if err != nil {
						return err
					}
					if a.Status != "suspended" || a.FirstName != "CI" || a.Note != "owned by the platform team" || len(a.Roles) != 2 {
						return fmt.Errorf("LogicMonitor has %+v", a)
					}
					return nil
				},
			},
			{
				Config:           updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ResourceName: userName, ImportState: true, ImportStateVerify: true},
			{ResourceName: userName, ImportState: true, ImportStateId: "acc-svc-ci", ImportStateVerify: true},
		},
	})
}

// TestAccUser_disappears deletes the user (and so its tokens) behind
// Terraform's back: the user and its token leave the state with warnings
// and the plan re-creates both.
func TestAccUser_disappears(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	cfg := userConfig(e, `
  username = "acc-vanishing"
  email    = "v@example.com"
  roles    = [lm_role.ci.id]`) + `
resource "lm_api_token" "test" {
  admin_id = lm_user.test.id
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: disappearsSteps(t, cfg, userName, func(id int32) { e.DeleteUser(t, id) },
			plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate)),
	})
}

// TestAccUser_badInput: a taken username, an unknown role id, a password
// for an API-only user and a sign-in user without a password all fail at
// plan time, with the role of the same configuration never created.
func TestAccUser_badInput(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	roles, admins := len(e.Sim.Server.Roles()), len(e.Sim.Server.Admins())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Config: userConfig(e, `
  username = "jdoe"
  email    = "j@example.com"
  roles    = [lm_role.ci.id]`),
				ExpectError: regexp.MustCompile(`(?s)Username already taken.*user named "jdoe" \(id 131\).*terraform\s+import\s+lm_user.<name>\s+jdoe`),
			},
			{
				Config: userConfig(e, `
  username = "acc-new"
  email    = "n@example.com"
  roles    = [2, 999999]`),
				ExpectError: regexp.MustCompile(`(?s)Unknown role.*no role with id 999999.*lm_role`),
			},
			{
				Config: userConfig(e, `
  username = "acc-new"
  email    = "not-an-address"
  roles    = [lm_role.ci.id]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)email.*must be an email address`),
			},
			{
				Config: userConfig(e, `
  username = "acc-new"
  email    = "n@example.com"
  roles    = []`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)roles.*at least 1`),
			},
			{
				Config: userConfig(e, `
  username = "acc-new"
  email    = "n@example.com"
  api_only = false
  roles    = [lm_role.ci.id]`),
				ExpectError: regexp.MustCompile(`(?s)Missing password.*password_wo`),
			},
			{
				Config: userConfig(e, `
  username    = "acc-new"
  email       = "n@example.com"
  roles       = [lm_role.ci.id]
  password_wo = "Not-For-Api-Users-1"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Password for an API-only user.*set api_only = false`),
			},
			{
				Config:        userConfig(e, `username = "x"`+"\n  email = \"x@example.com\"\n  roles = [2]"),
				ResourceName:  userName,
				ImportState:   true,
				ImportStateId: "nobody-here",
				ExpectError:   regexp.MustCompile(`(?s)User not found.*no user matching "nobody-here"`),
			},
		},
	})
	if r, a := len(e.Sim.Server.Roles()), len(e.Sim.Server.Admins()); r != roles || a != admins {
		t.Fatalf("failed runs left objects behind: roles %d -> %d, users %d -> %d", roles, r, admins, a)
	}
}

// signInUserConfig is a user who signs in, with a write-only password.
func signInUserConfig(e *acctest.Env, password string, v int) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_user" "test" {
  username            = "acc-alice"
  email               = "alice@example.com"
  api_only            = false
  roles               = [2]
  password_wo         = %q
  password_wo_version = %d
}
`, password, v)
}

// signInUserVarConfig takes the password from the sensitive variable
// "password" (TF_VAR_password), as a pipeline would: the test harness logs
// the configuration itself, which must not hold the secret.
func signInUserVarConfig(e *acctest.Env, v int) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
variable "password" {
  type      = string
  sensitive = true
}

resource "lm_user" "test" {
  username            = "acc-alice"
  email               = "alice@example.com"
  api_only            = false
  roles               = [2]
  password_wo         = var.password
  password_wo_version = %d
}
`, v)
}

// noSecretInPlan fails when the JSON plan (what `terraform show -json`
// prints) holds the secret in what the plan says about resources: planned
// values, resource changes, prior state and output changes. Its
// configuration and variables sections are left out: they echo the
// configuration as written (here a literal), whatever the provider does.
type noSecretInPlan struct{ secret string }

func (c noSecretInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	plan := *req.Plan
	if cfg, err := json.Marshal(plan.Config); err != nil || !strings.Contains(string(cfg), `"password_wo"`) {
		resp.Error = fmt.Errorf("the plan's configuration does not set password_wo; the check would prove nothing")
		return
	}
	plan.Config, plan.Variables = nil, nil
	b, err := json.Marshal(plan)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(b), "acc-alice") {
		resp.Error = fmt.Errorf("the plan does not show the user; the check would prove nothing")
		return
	}
	if strings.Contains(string(b), c.secret) {
		resp.Error = fmt.Errorf("the plan holds the password")
	}
}

// noSecretInState fails when any attribute of any resource holds secret.
func noSecretInState(secret string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for name, rs := range s.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				if strings.Contains(v, secret) {
					return fmt.Errorf("%s.%s holds the password", name, k)
				}
			}
		}
		return nil
	}
}

// TestAccUser_passwordWriteOnly: the password reaches LogicMonitor on
// create and again when password_wo_version changes, and never the state,
// the plan or the TF_LOG=TRACE output.
func TestAccUser_passwordWriteOnly(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	dir := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", dir+"/%s.log")
	const first, second = "First-Secret-Pw-1", "Second-Secret-Pw-2"
	userID := func(s *terraform.State) int32 {
		id, _ := stateAttr(s, userName, "id")
		n, _ := strconv.ParseInt(id, 10, 32)
		return int32(n)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { t.Setenv("TF_VAR_password", first) },
				Config:    signInUserVarConfig(e, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{noSecretInPlan{first}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(noSecretInState(first), func(s *terraform.State) error {
					if !e.Sim.Server.PasswordIs(userID(s), first) {
						return fmt.Errorf("LogicMonitor did not get the password")
					}
					return nil
				}),
			},
			{
				// A new password alone changes nothing...
				PreConfig:        func() { t.Setenv("TF_VAR_password", second) },
				Config:           signInUserVarConfig(e, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					if !e.Sim.Server.PasswordIs(userID(s), first) {
						return fmt.Errorf("the password changed without a new password_wo_version")
					}
					return nil
				},
			},
			{
				// ...a new version sends it, in place.
				Config: signInUserVarConfig(e, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(userName, plancheck.ResourceActionUpdate),
						noSecretInPlan{second},
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(noSecretInState(second), func(s *terraform.State) error {
					if !e.Sim.Server.PasswordIs(userID(s), second) {
						return fmt.Errorf("LogicMonitor did not get the new password")
					}
					return nil
				}),
			},
		},
	})
	logs := acctest.ReadLogs(t, dir)
	if !strings.Contains(logs, "/setting/admins") {
		t.Fatalf("the trace log holds no provider request lines; the check below would prove nothing (%d bytes)", len(logs))
	}
	for _, secret := range []string{first, second} {
		if i := strings.Index(logs, secret); i >= 0 {
			t.Errorf("TF_LOG=TRACE output contains the password %q: ...%s...", secret, logs[max(0, i-600):min(len(logs), i+200)])
		}
	}
}

// TestAccUser_passwordNeedsWriteOnlyCLI: a CLI without write-only
// attributes (Terraform before 1.11) rejects password_wo with a diagnostic
// naming the version needed, before anything is created.
func TestAccUser_passwordNeedsWriteOnlyCLI(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	admins := len(e.Sim.Server.Admins())
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipAbove(version.Must(version.NewVersion("1.10.99")))},
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{{
			Config:      signInUserConfig(e, "First-Secret-Pw-1", 1),
			ExpectError: regexp.MustCompile(`(?s)password_wo.*Write-only attributes are only supported in Terraform 1.11\s+and later`),
		}},
	})
	if a := len(e.Sim.Server.Admins()); a != admins {
		t.Fatalf("users %d -> %d", admins, a)
	}
}

// TestAccUser_refusesToDeleteItsOwnUser: destroying the user whose token
// the provider authenticates with would delete that token mid-run; it is
// refused unless allow_self_revoke is set.
func TestAccUser_refusesToDeleteItsOwnUser(t *testing.T) {
	e := acctest.New(t)
	acctest.SkipOnRealPortal(t)
	me := func(extra string) string {
		return e.ProviderBlock(extra) + `
resource "lm_user" "me" {
  username = "terraform"
  email    = "terraform@example.com"
  roles    = [1]
}
`
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Config:        me(""),
				ResourceName:  "lm_user.me",
				ImportState:   true,
				ImportStateId: "terraform",
				// The import itself is kept in state for the next steps.
				ImportStatePersist: true,
			},
			{
				Config:      e.ProviderBlock(""),
				ExpectError: regexp.MustCompile(`(?s)Refusing to delete the provider's own user.*allow_self_revoke`),
			},
			{
				// Allowed explicitly, the destroy goes ahead (and the test's
				// own credentials go with it: no CheckDestroy).
				Config: e.ProviderBlock("allow_self_revoke = true"),
				Check: func(*terraform.State) error {
					for _, a := range e.Sim.Server.Admins() {
						if a.Username == "terraform" {
							return fmt.Errorf("user terraform still exists")
						}
					}
					return nil
				},
			},
		},
	})
}
