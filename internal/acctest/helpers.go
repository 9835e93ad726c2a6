package acctest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DeleteUser removes a user (and with it its tokens) out of band.
func (e *Env) DeleteUser(t *testing.T, id int32) {
	t.Helper()
	if err := e.Client.DeleteAdmin(context.Background(), id); err != nil {
		t.Fatalf("deleting user %d: %v", id, err)
	}
}

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
