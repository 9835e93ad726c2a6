package provider_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

const userName = "lm_user.test"

// userConfig is a role of the test's own, named role, plus a user that
// holds it.
func userConfig(e *acctest.Env, role, body string) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_role" "ci" {
  name       = %q
  privileges = [{ object_type = "setting", object_id = "*", operation = "read" }]
}

data "lm_role" "readonly" {
  name = "readonly"
}

resource "lm_user" "test" {
  %s
}
`, role, body)
}

func TestAccUser_lifecycle(t *testing.T) {
	e := acctest.New(t)
	role, username := acctest.Name("user-role"), acctest.Name("svc-ci")
	updated := userConfig(e, role, fmt.Sprintf(`
  username   = %q
  email      = "platform+ci@example.com"
  first_name = "CI"
  last_name  = "Pipeline"
  note       = "owned by the platform team"
  status     = "suspended"
  roles      = [lm_role.ci.id, data.lm_role.readonly.id]`, username))
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: userConfig(e, role, fmt.Sprintf(`
  username = %q
  email    = "platform@example.com"
  roles    = [lm_role.ci.id]`, username)),
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
					id, _ := acctest.StateAttr(s, userName, "id")
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
			{ResourceName: userName, ImportState: true, ImportStateId: username, ImportStateVerify: true},
		},
	})
}

// TestAccUser_disappears deletes the user (and so its tokens) behind
// Terraform's back: the user and its token leave the state with warnings
// and the plan re-creates both.
func TestAccUser_disappears(t *testing.T) {
	e := acctest.New(t)
	cfg := userConfig(e, acctest.Name("vanishing-user-role"), fmt.Sprintf(`
  username = %q
  email    = "v@example.com"
  roles    = [lm_role.ci.id]`, acctest.Name("vanishing-user"))) + fmt.Sprintf(`
resource "lm_api_token" "test" {
  admin_id = lm_user.test.id
  note     = %q
}
`, acctest.Note("token of a vanishing user"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: acctest.DisappearsSteps(t, cfg, userName, func(id int32) { e.DeleteUser(t, id) },
			plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate)),
	})
}

// TestAccUser_badInput: a taken username, an unknown role id, a password
// for an API-only user and a sign-in user without a password all fail at
// plan time, with the role of the same configuration never created.
func TestAccUser_badInput(t *testing.T) {
	e := acctest.New(t)
	taken, err := e.Client.GetAdmin(context.Background(), e.CreateUser(t))
	if err != nil {
		t.Fatal(err)
	}
	role, username := acctest.Name("bad-user-role"), acctest.Name("bad-user")
	readonly := e.RoleID(t, "readonly")
	before := e.Counts()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Config: userConfig(e, role, fmt.Sprintf(`
  username = %q
  email    = "j@example.com"
  roles    = [lm_role.ci.id]`, taken.Username)),
				ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)Username already taken.*user named %s\s+\(id %d\).*terraform\s+import\s+lm_user.<name>\s+%s`,
					regexp.QuoteMeta(strconv.Quote(taken.Username)), taken.ID, regexp.QuoteMeta(taken.Username))),
			},
			{
				Config: userConfig(e, role, fmt.Sprintf(`
  username = %q
  email    = "n@example.com"
  roles    = [%d, 999999]`, username, readonly)),
				ExpectError: regexp.MustCompile(`(?s)Unknown role.*no role with id 999999.*lm_role`),
			},
			{
				Config: userConfig(e, role, fmt.Sprintf(`
  username = %q
  email    = "not-an-address"
  roles    = [lm_role.ci.id]`, username)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)email.*must be an email address`),
			},
			{
				Config: userConfig(e, role, fmt.Sprintf(`
  username = %q
  email    = "n@example.com"
  roles    = []`, username)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)roles.*at least 1`),
			},
			{
				Config: userConfig(e, role, fmt.Sprintf(`
  username = %q
  email    = "n@example.com"
  api_only = false
  roles    = [lm_role.ci.id]`, username)),
				ExpectError: regexp.MustCompile(`(?s)Missing password.*password_wo`),
			},
			{
				Config: userConfig(e, role, fmt.Sprintf(`
  username    = %q
  email       = "n@example.com"
  roles       = [lm_role.ci.id]
  password_wo = "Not-For-Api-Users-1"`, username)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Password for an API-only user.*set api_only = false`),
			},
			{
				Config:        userConfig(e, role, fmt.Sprintf("username = %q\n  email = \"x@example.com\"\n  roles = [%d]", username, readonly)),
				ResourceName:  userName,
				ImportState:   true,
				ImportStateId: "nobody-here",
				ExpectError:   regexp.MustCompile(`(?s)User not found.*no user matching "nobody-here"`),
			},
		},
	})
	e.NoneLeft(t, before, role, username)
}

// signInUser is a user who signs in, username, with the role roleID.
type signInUser struct {
	username string
	roleID   int32
}

// newSignInUser names a sign-in user for the test (what is unique to it),
// with the readonly role.
func newSignInUser(t *testing.T, e *acctest.Env, what string) signInUser {
	t.Helper()
	return signInUser{acctest.Name(what), e.RoleID(t, "readonly")}
}

// signInUserConfig is a user who signs in, with a write-only password.
func signInUserConfig(e *acctest.Env, u signInUser, password string, v int) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_user" "test" {
  username            = %q
  email               = "alice@example.com"
  api_only            = false
  roles               = [%d]
  password_wo         = %q
  password_wo_version = %d
}
`, u.username, u.roleID, password, v)
}

// signInUserVarConfig takes the password from the sensitive variable
// "password" (TF_VAR_password), as a pipeline would: the test harness logs
// the configuration itself, which must not hold the secret.
func signInUserVarConfig(e *acctest.Env, u signInUser, v int) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
variable "password" {
  type      = string
  sensitive = true
}

resource "lm_user" "test" {
  username            = %q
  email               = "alice@example.com"
  api_only            = false
  roles               = [%d]
  password_wo         = var.password
  password_wo_version = %d
}
`, u.username, u.roleID, v)
}

// noSecretInPlan fails when the JSON plan (what `terraform show -json`
// prints) holds the secret in what the plan says about resources: planned
// values, resource changes, prior state and output changes. Its
// configuration and variables sections are left out: they echo the
// configuration as written (here a literal), whatever the provider does.
// The plan must show the user named username.
type noSecretInPlan struct{ secret, username string }

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
	if !strings.Contains(string(b), c.username) {
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
// the plan or the TF_LOG=TRACE output. Which password LogicMonitor holds
// is asked of the simulator: the API never shows it, so against a portal
// that part alone is left out.
func TestAccUser_passwordWriteOnly(t *testing.T) {
	e := acctest.New(t)
	u := newSignInUser(t, e, "alice")
	dir := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", dir+"/%s.log")
	const first, second = "First-Secret-Pw-1", "Second-Secret-Pw-2"
	// passwordIs checks the password LogicMonitor holds for the user, in
	// the simulator.
	passwordIs := func(want, problem string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			if e.Sim == nil {
				return nil
			}
			id, _ := acctest.StateAttr(s, userName, "id")
			n, _ := strconv.ParseInt(id, 10, 32)
			if !e.Sim.Server.PasswordIs(int32(n), want) {
				return errors.New(problem)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { t.Setenv("TF_VAR_password", first) },
				Config:    signInUserVarConfig(e, u, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{noSecretInPlan{first, u.username}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(userName, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(noSecretInState(first), passwordIs(first, "LogicMonitor did not get the password")),
			},
			{
				// A new password alone changes nothing...
				PreConfig:        func() { t.Setenv("TF_VAR_password", second) },
				Config:           signInUserVarConfig(e, u, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            passwordIs(first, "the password changed without a new password_wo_version"),
			},
			{
				// ...a new version sends it, in place.
				Config: signInUserVarConfig(e, u, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(userName, plancheck.ResourceActionUpdate),
						noSecretInPlan{second, u.username},
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(noSecretInState(second), passwordIs(second, "LogicMonitor did not get the new password")),
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
	u := newSignInUser(t, e, "alice-old-cli")
	before := e.Counts()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipAbove(version.Must(version.NewVersion("1.10.99")))},
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{{
			Config:      signInUserConfig(e, u, "First-Secret-Pw-1", 1),
			ExpectError: regexp.MustCompile(`(?s)password_wo.*Write-only attributes are only supported in Terraform 1.11\s+and later`),
		}},
	})
	e.NoneLeft(t, before, u.username)
}

// TestAccUser_refusesToDeleteItsOwnUser: destroying the user whose token
// the provider authenticates with would delete that token mid-run; it is
// refused unless allow_self_revoke is set. The provider authenticates with
// an LMv1 token of an administrator made for the test, so that the delete
// takes nothing from the suite, whatever its own credentials.
func TestAccUser_refusesToDeleteItsOwnUser(t *testing.T) {
	e := acctest.New(t)
	id := e.CreateUserWithRole(t, "administrator")
	user, err := e.Client.GetAdmin(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	tok := e.CreateToken(t, id, lm.CreateAPITokenRequest{Note: acctest.Note("own user's token"), Enabled: true})
	self := e.As(t, tok.AccessID, tok.AccessKey)
	me := func(extra string) string {
		return self.ProviderBlock(extra) + fmt.Sprintf(`
resource "lm_user" "me" {
  username = %q
  email    = %q
  roles    = [%d]
}
`, user.Username, user.Email, e.RoleID(t, "administrator"))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{
				Config:        me(""),
				ResourceName:  "lm_user.me",
				ImportState:   true,
				ImportStateId: user.Username,
				// The import itself is kept in state for the next steps.
				ImportStatePersist: true,
			},
			{
				Config:      self.ProviderBlock(""),
				ExpectError: regexp.MustCompile(`(?s)Refusing to delete the provider's own user.*allow_self_revoke`),
			},
			{
				// Allowed explicitly, the destroy goes ahead (and the
				// provider's credentials go with it: no CheckDestroy).
				Config: self.ProviderBlock("allow_self_revoke = true"),
				Check: func(*terraform.State) error {
					if _, err := e.Client.GetAdmin(context.Background(), id); !lm.IsNotFound(err) {
						return fmt.Errorf("user %s after the destroy: %w", user.Username, err)
					}
					return nil
				},
			},
		},
	})
}
