package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Workdir creates (or empties) a work dir with one main.tf.
func (h *Harness) Workdir(name, mainTF string) (string, error) {
	d := filepath.Join(h.Dir, "work", name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", err
	}
	return d, WriteConfig(d, mainTF)
}

// WriteConfig replaces the main.tf of a work dir.
func WriteConfig(dir, mainTF string) error {
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o600)
}

// TokensConfig is a configuration of n lm_api_token resources of the
// pipeline user, with notes notePrefix + index + noteSuffix; changing the
// suffix updates every note in place. Each of extra is one more line of
// the resource block, such as `rotation_overlap = "1h"`.
func TokensConfig(n int, notePrefix, noteSuffix string, extra ...string) string {
	var more strings.Builder
	for _, line := range extra {
		more.WriteString("  " + line + "\n")
	}
	return fmt.Sprintf(`terraform {
  required_providers {
    lm = { source = "lmtf/lm" }
  }
}

provider "lm" {}

resource "lm_api_token" "t" {
  count    = %d
  admin_id = %d
  note     = "%s${count.index}%s"
%s}
`, n, PipelineAdminID, notePrefix, noteSuffix, more.String())
}

// PluginFloorConfig is TokensConfig for the plugin floor: n
// lmfloor_api_token with the same arguments, which the do-nothing provider
// of internal/cmd/lmfloor plans without any work.
func PluginFloorConfig(n int, notePrefix string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    lmfloor = { source = "lmtf/lmfloor" }
  }
}

resource "lmfloor_api_token" "t" {
  count    = %d
  admin_id = %d
  note     = "%s${count.index}"
}
`, n, PipelineAdminID, notePrefix)
}
