package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
)

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
	identified := []statecheck.StateCheck{
		acctest.ExpectIdentityMatchesState(userName, "id"),
		acctest.ExpectIdentityMatchesState("lm_role.ci", "id"),
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.Factories(),
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config:            cfg("first"),
				ConfigStateChecks: identified,
			},
			{
				Config:            cfg("updated in place"),
				ConfigStateChecks: identified,
			},
			{ResourceName: userName, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: "lm_role.ci", ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: userName, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
		},
	})
}
