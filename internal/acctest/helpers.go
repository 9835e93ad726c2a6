package acctest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// DeleteUser removes a user (and with it its tokens) out of band. The
// client has no user deletion, on purpose, so the request is signed here.
func (e *Env) DeleteUser(t *testing.T, id int32) {
	t.Helper()
	p := fmt.Sprintf("/setting/admins/%d", id)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodDelete, e.BaseURL+p, bytes.NewReader(nil))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Version", "3")
	if e.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+e.BearerToken)
	} else {
		req.Header.Set("Authorization", lm.SignLMv1(e.AccessID, e.AccessKey, http.MethodDelete, p, nil, time.Now().UnixMilli()))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("deleting user %d: HTTP %d", id, resp.StatusCode)
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
