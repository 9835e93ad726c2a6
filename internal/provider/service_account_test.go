package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// serviceAccount names the objects of serviceAccountConfig.
type serviceAccount struct{ role, user, note, standbyNote string }

func newServiceAccount() serviceAccount {
	return serviceAccount{acctest.Name("ci-deployer"), acctest.Name("svc-deployer"),
		acctest.Note("deploy pipeline"), acctest.Note("deploy pipeline standby")}
}

// serviceAccountConfig is the whole service identity of the issue: a
// least-privilege role, an API-only user holding it, and two tokens.
func serviceAccountConfig(e *acctest.Env, a serviceAccount) string {
	return e.ProviderBlock("") + fmt.Sprintf(`
resource "lm_role" "ci" {
  name        = %q
  description = "what the deploy pipeline may do"
  privileges = [
    { object_type = "host_group", object_id = "*", operation = "read" },
    { object_type = "dashboard_group", object_id = "*", operation = "write" },
  ]
}

resource "lm_user" "ci" {
  username = %q
  email    = "platform@example.com"
  note     = "deploy pipeline"
  roles    = [lm_role.ci.id]
}

resource "lm_api_token" "primary" {
  admin_id = lm_user.ci.id
  note     = %q
}

resource "lm_api_token" "standby" {
  admin_id = lm_user.ci.id
  note     = %q
  enabled  = false
}
`, a.role, a.user, a.note, a.standbyNote)
}

// TestAccServiceAccount_roleUserTokens applies a role, an API-only user and
// two tokens, plans empty, and destroys them all (CheckDestroy asks
// LogicMonitor for each), on every CLI.
func TestAccServiceAccount_roleUserTokens(t *testing.T) {
	e := acctest.New(t)
	a := newServiceAccount()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: serviceAccountConfig(e, a),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("lm_api_token.primary", tfjsonpath.New("admin_name"), knownvalue.StringExact(a.user)),
					statecheck.ExpectKnownValue("lm_api_token.primary", tfjsonpath.New("roles"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(a.role)})),
					statecheck.ExpectKnownValue("lm_api_token.standby", tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.ObjectExists("lm_role.ci"),
					e.ObjectExists("lm_user.ci"),
					e.TokenExists("lm_api_token.primary", true),
					e.TokenExists("lm_api_token.standby", false),
					resource.TestCheckResourceAttrPair("lm_api_token.primary", "admin_id", "lm_user.ci", "id"),
				),
			},
			{
				Config:           serviceAccountConfig(e, a),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccServiceAccount_module applies and destroys
// examples/modules/service-account twice: once with a role of its own,
// once with existing roles and no long-lived token.
func TestAccServiceAccount_module(t *testing.T) {
	e := acctest.New(t)
	name, note := acctest.Name("svc-module"), acctest.Note("service-account module")
	readonly := e.RoleID(t, "readonly")
	src, err := filepath.Abs("../../examples/modules/service-account")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "main.tf")); err != nil {
		t.Fatal(err)
	}
	// The module requires lmtf/lm, as users will: serve the provider under
	// that address rather than the harness's default hashicorp/lm.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "lmtf")
	cfg := func(module string) config.TestStepConfigFunc {
		return moduleConfigDir(t, `
terraform {
  required_providers {
    lm = { source = "lmtf/lm" }
  }
}
`+e.ProviderBlock("")+fmt.Sprintf(`
module "svc" {
  source = %q
  %s
}

output "user_id" { value = module.svc.user_id }
output "access_id" { value = module.svc.access_id }
output "access_key" {
  value     = module.svc.access_key
  sensitive = true
}
`, src, module))
	}
	own := cfg(fmt.Sprintf(`
  name         = %q
  note         = %q
  email        = "platform@example.com"
  rotate_after = "2160h"
  on_destroy   = "delete"
  privileges = [
    { object_type = "host_group", object_id = "*", operation = "read" },
  ]`, name, note))
	existing := cfg(fmt.Sprintf(`
  name         = %q
  note         = %q
  email        = "platform@example.com"
  role_names   = ["readonly"]
  create_token = false`, name, note))
	// Each step's configuration is a directory, and each step has
	// providers of its own: then the harness runs init on the whole
	// configuration, which installs the module (with a configuration
	// string it initialises the provider requirements alone).
	// The harness cannot shim module state (for TestCheckFuncs,
	// CheckDestroy or its own final destroy), so the steps assert with
	// state checks on the JSON state, the last step destroys, and what the
	// destroy left is asked of LogicMonitor after the test.
	var userID string
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.Factories(),
				ConfigDirectory:          own,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("access_id", knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{20}$`))),
					statecheck.ExpectKnownOutputValue("access_key", knownvalue.NotNull()),
					moduleAttr("module.svc.lm_role.this[0]", "name", name),
					moduleAttr("module.svc.lm_user.this", "api_only", true),
					moduleAttr("module.svc.lm_api_token.this[0]", "rotate_after", "2160h"),
					moduleAttr("module.svc.lm_api_token.this[0]", "admin_name", name),
					moduleAttr("module.svc.lm_api_token.this[0]", "note", note),
					stateFunc(func(s *tfjson.State) error {
						id, ok := s.Values.Outputs["user_id"].Value.(json.Number)
						if !ok {
							return fmt.Errorf("output user_id = %#v", s.Values.Outputs["user_id"].Value)
						}
						userID = id.String()
						return nil
					}),
				},
			},
			{
				ProtoV6ProviderFactories: acctest.Factories(),
				ConfigDirectory:          own,
				ConfigPlanChecks:         resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The account switches to an existing role and no long-lived
				// token: the module's role and token go, the user stays.
				ProtoV6ProviderFactories: acctest.Factories(),
				ConfigDirectory:          existing,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("module.svc.lm_role.this[0]", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction("module.svc.lm_api_token.this[0]", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction("module.svc.lm_user.this", plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateFunc(func(s *tfjson.State) error {
						if o, ok := s.Values.Outputs["access_id"]; ok && o.Value != nil {
							return fmt.Errorf("output access_id = %v, want null without a token", o.Value)
						}
						return nil
					}),
					moduleAttr("module.svc.lm_user.this", "roles", []any{json.Number(strconv.Itoa(int(readonly)))}),
				},
			},
			{
				ProtoV6ProviderFactories: acctest.Factories(),
				ConfigDirectory: cfg(fmt.Sprintf(`
  name       = %q
  note       = %q
  email      = "platform@example.com"
  role_names = ["readonly"]
  privileges = []`, name, note)),
				ExpectError: regexp.MustCompile(`either role_names \(existing roles\) or privileges`),
			},
			{
				ProtoV6ProviderFactories: acctest.Factories(),
				ConfigDirectory:          existing,
				Destroy:                  true,
			},
		},
	})
	if userID == "" {
		t.Fatal("the module's user id was never read")
	}
	n, _ := strconv.ParseInt(userID, 10, 32)
	if _, err := e.Client.GetAdmin(context.Background(), int32(n)); !lm.IsNotFound(err) {
		t.Errorf("user %s after destroy: %v", userID, err)
	}
	for _, username := range []string{name, name + "-ro"} {
		if admins, err := e.Client.FindAdminsByUsername(context.Background(), username); err != nil || len(admins) != 0 {
			t.Errorf("user %s after destroy: %v, %v", username, admins, err)
		}
	}
	if roles, err := e.Client.FindRolesByName(context.Background(), name); err != nil || len(roles) != 0 {
		t.Errorf("role after destroy: %v, %v", roles, err)
	}
}

// moduleConfigDir writes a root module into a directory of its own, for
// a ConfigDirectory step.
func moduleConfigDir(t *testing.T, hcl string) config.TestStepConfigFunc {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.StaticDirectory(dir)
}

// stateFunc is a state check written as a function of the JSON state.
type stateFunc func(*tfjson.State) error

func (f stateFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil {
		resp.Error = fmt.Errorf("no state")
		return
	}
	resp.Error = f(req.State)
}

// moduleAttr checks one attribute of a resource in a child module, which
// statecheck.ExpectKnownValue (root module only) cannot see. want is
// compared with the JSON state's value (numbers as json.Number).
func moduleAttr(address, attr string, want any) statecheck.StateCheck {
	return stateFunc(func(s *tfjson.State) error {
		var find func(m *tfjson.StateModule) *tfjson.StateResource
		find = func(m *tfjson.StateModule) *tfjson.StateResource {
			for _, r := range m.Resources {
				if r.Address == address {
					return r
				}
			}
			for _, c := range m.ChildModules {
				if r := find(c); r != nil {
					return r
				}
			}
			return nil
		}
		r := find(s.Values.RootModule)
		if r == nil {
			return fmt.Errorf("%s not in state", address)
		}
		if got := r.AttributeValues[attr]; !reflect.DeepEqual(got, want) {
			return fmt.Errorf("%s.%s = %#v, want %#v", address, attr, got, want)
		}
		return nil
	})
}
