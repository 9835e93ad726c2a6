package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// CheckDestroy asks LogicMonitor that every lm_api_token in the state is
// gone (or, for on_destroy = "disable", disabled; "abandon", untouched),
// and every lm_user and lm_role too, in the root module and in modules.
func (e *Env) CheckDestroy(s *terraform.State) error {
	for _, m := range s.Modules {
		for key, rs := range m.Resources {
			if strings.HasPrefix(key, "data.") {
				continue // a data source reads what others own
			}
			if err := e.checkDestroyed(rs); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Env) checkDestroyed(rs *terraform.ResourceState) error {
	switch rs.Type {
	case "lm_user", "lm_role":
		gone, err := e.objectGone(rs.Type, rs.Primary.ID)
		if err != nil {
			return err
		}
		if !gone {
			return fmt.Errorf("%s %s still exists after destroy", rs.Type, rs.Primary.ID)
		}
		return nil
	case "lm_api_token":
	default:
		return nil
	}
	id, err := strconv.ParseInt(rs.Primary.ID, 10, 32)
	if err != nil {
		return fmt.Errorf("%s: id %q: %w", rs.Type, rs.Primary.ID, err)
	}
	tok, err := e.FindToken(context.Background(), int32(id))
	if err != nil {
		return err
	}
	switch rs.Primary.Attributes["on_destroy"] {
	case "abandon":
		if tok == nil {
			return fmt.Errorf("token %d was deleted although on_destroy = abandon", id)
		}
	case "disable":
		if tok == nil || tok.Enabled() {
			return fmt.Errorf("token %d should exist and be disabled after destroy, got %+v", id, tok)
		}
	default:
		if tok != nil {
			return fmt.Errorf("token %d still exists after destroy", id)
		}
	}
	return nil
}

// objectGone asks LogicMonitor whether the user or role with that id is gone.
func (e *Env) objectGone(typ, id string) (bool, error) {
	n, err := strconv.ParseInt(id, 10, 32)
	if err != nil {
		return false, fmt.Errorf("%s: id %q: %w", typ, id, err)
	}
	if typ == "lm_user" {
		_, err = e.Client.GetAdmin(context.Background(), int32(n))
	} else {
		_, err = e.Client.GetRole(context.Background(), int32(n))
	}
	if lm.IsNotFound(err) {
		return true, nil
	}
	return false, err
}

// ObjectExists is a TestCheckFunc asserting that the user or role behind
// a resource (lm_user.x, lm_role.x) exists in LogicMonitor.
func (e *Env) ObjectExists(name string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		gone, err := e.objectGone(rs.Type, rs.Primary.ID)
		if err != nil {
			return err
		}
		if gone {
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
