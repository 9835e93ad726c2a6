package acctest

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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

// TokenExists is a TestCheckFunc asserting the token behind a resource
// exists in LogicMonitor with the wanted enabled flag.
func (e *Env) TokenExists(name string, enabled bool) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		id, err := strconv.ParseInt(rs.Primary.ID, 10, 32)
		if err != nil {
			return err
		}
		tok, err := e.FindToken(context.Background(), int32(id))
		if err != nil {
			return err
		}
		if tok == nil {
			return fmt.Errorf("token %d of %s does not exist in LogicMonitor", id, name)
		}
		if tok.Enabled() != enabled {
			return fmt.Errorf("token %d enabled = %v, want %v", id, tok.Enabled(), enabled)
		}
		if tok.AccessID != rs.Primary.Attributes["access_id"] {
			return fmt.Errorf("token %d access id %q, state says %q", id, tok.AccessID, rs.Primary.Attributes["access_id"])
		}
		return nil
	}
}
