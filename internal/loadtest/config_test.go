package loadtest

import (
	"strings"
	"testing"
)

// TestTokensConfigExtraLines: extra lines go inside the resource block, and
// without them the configuration the bench measures is unchanged.
func TestTokensConfigExtraLines(t *testing.T) {
	plain := TokensConfig(3, "n ", " v2")
	if !strings.Contains(plain, "  note     = \"n ${count.index} v2\"\n}\n") {
		t.Errorf("plain configuration changed:\n%s", plain)
	}
	more := TokensConfig(3, "n ", "", `rotation_overlap = "1h"`)
	if !strings.Contains(more, "  note     = \"n ${count.index}\"\n  rotation_overlap = \"1h\"\n}\n") {
		t.Errorf("extra line not inside the resource block:\n%s", more)
	}
}
