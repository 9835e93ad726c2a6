package loadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// StateTokenIDs returns the ids of the tokens the lm_api_token instances
// in a work dir's local state record: each instance's own, and its
// previous_token's while a rotation's overlap lasts (none when there is no
// state yet).
func StateTokenIDs(dir string) (map[int32]bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate")) //nolint:gosec // G304: the harness's own work dir
	if errors.Is(err, os.ErrNotExist) {
		return map[int32]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	var st struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Instances []struct {
				Attributes struct {
					ID            string `json:"id"`
					PreviousToken *struct {
						ID string `json:"id"`
					} `json:"previous_token"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%s/terraform.tfstate: %w", dir, err)
	}
	ids := map[int32]bool{}
	for _, r := range st.Resources {
		if r.Mode != "managed" || r.Type != "lm_api_token" {
			continue
		}
		for _, in := range r.Instances {
			recorded := []string{in.Attributes.ID}
			if p := in.Attributes.PreviousToken; p != nil {
				recorded = append(recorded, p.ID)
			}
			for _, s := range recorded {
				var id int32
				if _, err := fmt.Sscan(s, &id); err != nil {
					return nil, fmt.Errorf("state: lm_api_token id %q: %w", s, err)
				}
				ids[id] = true
			}
		}
	}
	return ids, nil
}

// UserTokens returns the simulator's tokens of one user, by id.
func (h *Harness) UserTokens(adminID int32) map[int32]lmsim.Token {
	out := map[int32]lmsim.Token{}
	for _, t := range h.Sim.Server.Tokens() {
		if t.AdminID == adminID {
			out[t.ID] = t
		}
	}
	return out
}
