package provider_test

import (
	"encoding/json"
	"fmt"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
)

// identityIsID checks that a resource's identity is { id = <its state id> }.
func identityIsID(address string) statecheck.StateCheck {
	return stateFunc(func(s *tfjson.State) error {
		for _, r := range s.Values.RootModule.Resources {
			if r.Address != address {
				continue
			}
			want, _ := r.AttributeValues["id"].(string)
			got, ok := r.IdentityValues["id"].(json.Number)
			if !ok || got.String() != want || want == "" {
				return fmt.Errorf("%s: identity %v, want { id = %s }", address, r.IdentityValues, want)
			}
			return nil
		}
		return fmt.Errorf("%s not in state", address)
	})
}

// TestAccUserAndRole_identity: lm_role and lm_user carry { id } as their
// identity through create and update, and import by identity as by id.
func TestAccUserAndRole_identity(t *testing.T) {
	e := acctest.New(t)
	role, username := acctest.Name("identified-role"), acctest.Name("identified")
	cfg := func(note string) string {
		return userConfig(e, role, fmt.Sprintf(`
  username = %q
  email    = "i@example.com"
  note     = %q
  roles    = [lm_role.ci.id]`, username, note))
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:            cfg("first"),
				ConfigStateChecks: []statecheck.StateCheck{identityIsID(userName), identityIsID("lm_role.ci")},
			},
			{
				Config:            cfg("updated in place"),
				ConfigStateChecks: []statecheck.StateCheck{identityIsID(userName), identityIsID("lm_role.ci")},
			},
			{ResourceName: userName, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: "lm_role.ci", ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: userName, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
		},
	})
}
