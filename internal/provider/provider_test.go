package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

const roleLookup = `data "lm_role" "admin" { name = "administrator" }`

// The provider configuration is tested with environment variables, so these
// tests do not run in parallel. It authenticates with an LMv1 and a bearer
// token of the test user, made for it through the API.
func TestAccProvider_configuration(t *testing.T) {
	e := acctest.New(t)
	lmv1 := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: acctest.Note("provider configuration"), Enabled: true})
	bearer := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: acctest.Note("provider configuration bearer"), Enabled: true, Type: lm.TokenTypeBearer})
	adminRoleID := e.RoleID(t, "administrator")
	for _, v := range acctest.ProviderEnv {
		t.Setenv(v, "")
	}
	roleOK := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.lm_role.admin", tfjsonpath.New("id"), knownvalue.Int64Exact(int64(adminRoleID))),
	}
	steps := []resource.TestStep{
		{
			// Everything from the environment, with the LM_API_* names of
			// LogicMonitor's own provider.
			PreConfig: func() {
				t.Setenv("LM_BASE_URL", e.BaseURL)
				t.Setenv("LM_API_ID", lmv1.AccessID)
				t.Setenv("LM_API_KEY", lmv1.AccessKey)
			},
			Config:            `provider "lm" {}` + "\n" + roleLookup,
			ConfigStateChecks: roleOK,
		},
		{
			// Explicit configuration wins over a wrong environment.
			PreConfig: func() {
				t.Setenv("LM_ACCESS_ID", "WrongWrongWrongWrong")
				t.Setenv("LM_ACCESS_KEY", "wrong")
			},
			Config: fmt.Sprintf(`provider "lm" {
  base_url   = %q
  access_id  = %q
  access_key = %q
}
`, e.BaseURL, lmv1.AccessID, lmv1.AccessKey) + roleLookup,
			ConfigStateChecks: roleOK,
		},
		{
			// Bearer authentication.
			PreConfig: func() { t.Setenv("LM_ACCESS_ID", ""); t.Setenv("LM_ACCESS_KEY", "") },
			Config: fmt.Sprintf(`provider "lm" {
  base_url     = %q
  bearer_token = %q
}
`, e.BaseURL, bearer.AccessKey) + roleLookup,
			ConfigStateChecks: roleOK,
		},
		{
			PreConfig: func() {
				t.Setenv("LM_API_ID", "")
				t.Setenv("LM_API_KEY", "")
			},
			Config:      `provider "lm" {}` + "\n" + roleLookup,
			ExpectError: regexp.MustCompile(`(?s)Missing LogicMonitor credentials.*LM_ACCESS_ID.*LM_BEARER_TOKEN`),
		},
		{
			Config:      fmt.Sprintf(`provider "lm" { access_id = %q }`, lmv1.AccessID) + "\n" + roleLookup,
			ExpectError: regexp.MustCompile(`(?s)Incomplete LMv1 credentials.*access_key\s+\(LM_ACCESS_KEY\s+or\s+LM_API_KEY\)`),
		},
		{
			Config: fmt.Sprintf(`provider "lm" {
  access_id    = %q
  bearer_token = "x"
}`, lmv1.AccessID) + "\n" + roleLookup,
			ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
		},
		{
			Config: `provider "lm" {
  base_url   = "http://lm.example.com/santaba/rest"
  access_id  = "a"
  access_key = "b"
}` + "\n" + roleLookup,
			ExpectError: regexp.MustCompile(`(?s)Insecure LogicMonitor API URL.*plain http`),
		},
		{
			PreConfig: func() { t.Setenv("LM_BASE_URL", "") },
			Config: `provider "lm" {
  access_id  = "a"
  access_key = "b"
}` + "\n" + roleLookup,
			ExpectError: regexp.MustCompile(`(?s)Missing LogicMonitor portal.*LM_COMPANY`),
		},
		{
			Config: fmt.Sprintf(`provider "lm" {
  base_url        = %q
  access_id       = "a"
  access_key      = "b"
  connect_timeout = "0s"
}`, e.BaseURL) + "\n" + roleLookup,
			ExpectError: regexp.MustCompile(`(?s)Invalid connect_timeout.*connect_timeout must be a positive duration`),
		},
		{
			// A valid configuration last, so the harness's closing destroy runs.
			Config: e.ProviderBlock(""),
		},
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.Factories(), Steps: steps})
}

// TestAccProvider_unknownAtPlan configures the provider from a value known
// only after apply: planning must not fail, and apply must work.
func TestAccProvider_unknownAtPlan(t *testing.T) {
	e := acctest.New(t)
	credentials := fmt.Sprintf(`access_id  = %q
  access_key = terraform_data.key.output`, e.AccessID)
	if e.BearerToken != "" {
		credentials = `bearer_token = terraform_data.key.output`
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "key" {
  input = %q
}

provider "lm" {
  base_url   = %q
  %s
}

resource "lm_api_token" "test" {
  admin_id = %d
  note     = %q
}
`, e.Secret(), e.BaseURL, credentials, e.AdminID, acctest.Note("provider configured late")),
			Check: e.TokenExists("lm_api_token.test", true),
		}},
	})
}
