package acctest

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// CheckDestroy asks LogicMonitor that every lm_api_token in the state is
// gone (or, for on_destroy = "disable", disabled; "abandon", untouched).
func (e *Env) CheckDestroy(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "lm_api_token" {
			continue
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
	}
	return nil
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
