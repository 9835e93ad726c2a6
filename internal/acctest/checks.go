package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// CheckDestroy asks LogicMonitor, for every resource of the state in the
// root module and in modules, whether the destroy did what it should: by
// its type's Destroyed (an lm_api_token with on_destroy = "disable" is
// disabled, "abandon" untouched), or else gone. An lm_ resource of a type
// no file of this package registered fails the check, so that a new type
// cannot go unchecked.
func (e *Env) CheckDestroy(s *terraform.State) error {
	ctx := context.Background()
	for _, m := range s.Modules {
		for key, rs := range m.Resources {
			if strings.HasPrefix(key, "data.") || !strings.HasPrefix(rs.Type, "lm_") {
				continue // a data source reads what others own; terraform_data is Terraform's
			}
			t, ok := lookupType(rs.Type)
			if !ok {
				return fmt.Errorf("%s: no destroy check: register the type in internal/acctest (acctest.RegisterType)", rs.Type)
			}
			if t.Destroyed != nil {
				if err := t.Destroyed(ctx, e, rs); err != nil {
					return err
				}
				continue
			}
			exists, err := t.Exists(ctx, e, rs)
			if err != nil {
				return err
			}
			if exists {
				return fmt.Errorf("%s %s still exists after destroy", rs.Type, rs.Primary.ID)
			}
		}
	}
	return nil
}

// ObjectExists is a TestCheckFunc asserting that the object behind a
// resource of the root module (lm_user.x, lm_role.x) exists in
// LogicMonitor.
func (e *Env) ObjectExists(name string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		t, ok := lookupType(rs.Type)
		if !ok {
			return fmt.Errorf("%s: the type is not registered in internal/acctest (acctest.RegisterType)", name)
		}
		exists, err := t.Exists(context.Background(), e, rs)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%s %s does not exist in LogicMonitor", name, rs.Primary.ID)
		}
		return nil
	}
}

// ExpectIdentityMatchesState is a StateCheck asserting that a resource's
// identity holds, for each of attrs, a number equal to the state's
// attribute of that name, which the state may hold as a string (the id of
// lm_api_token, lm_user and lm_role): statecheck.ExpectIdentityValueMatchesState
// compares the two values as they are, so a string id never matches its
// numeric identity. Terraform 1.12 and later record identities in the state.
func ExpectIdentityMatchesState(address string, attrs ...string) statecheck.StateCheck {
	return identityMatchesState{address, attrs}
}

type identityMatchesState struct {
	address string
	attrs   []string
}

func (c identityMatchesState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("%s: no state", c.address)
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != c.address {
			continue
		}
		if len(r.IdentityValues) == 0 {
			resp.Error = fmt.Errorf("%s has no identity in the state", c.address)
			return
		}
		for _, name := range c.attrs {
			var want string
			if v := r.AttributeValues[name]; v != nil {
				want = fmt.Sprint(v)
			}
			got, ok := r.IdentityValues[name].(json.Number)
			if !ok || got.String() != want || want == "" {
				resp.Error = fmt.Errorf("%s: identity %s = %v, state says %q", c.address, name, r.IdentityValues[name], want)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s not in state", c.address)
}
