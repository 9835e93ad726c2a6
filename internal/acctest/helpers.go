package acctest

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadLogs concatenates every log file the CLI and the provider wrote into dir.
func ReadLogs(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		b.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// CheckTraceLog fails the test when log, what TF_LOG=TRACE wrote during a
// run, names no request (an API path the run calls: without one the check
// would prove nothing), or holds one of secrets (what it is: the secret) or
// the Env's own credentials: its access key or bearer token, and an LMv1
// Authorization value of its access id.
func (e *Env) CheckTraceLog(t *testing.T, log, request string, secrets map[string]string) {
	t.Helper()
	if !strings.Contains(log, request) {
		t.Fatalf("the trace log holds no provider request line naming %s; the check would prove nothing (%d bytes)", request, len(log))
	}
	all := map[string]string{"the provider's own secret": e.Secret()}
	if e.AccessID != "" {
		all["an LMv1 Authorization value"] = "LMv1 " + e.AccessID + ":"
	}
	maps.Copy(all, secrets)
	for what, secret := range all {
		if secret == "" {
			t.Fatalf("%s is empty", what)
		}
		if strings.Contains(log, secret) {
			t.Errorf("TF_LOG=TRACE output contains %s", what)
		}
	}
}
