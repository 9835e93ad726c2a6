package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	if err := e.raw().do(context.Background(), http.MethodDelete, fmt.Sprintf("/setting/admins/%d", id), nil, nil, nil); err != nil {
		t.Fatalf("deleting user %d: %v", id, err)
	}
}

// rawAPI signs the calls the client leaves out on purpose: creating,
// listing and deleting users, which only the tests do.
type rawAPI struct{ baseURL, accessID, accessKey, bearer string }

func (e *Env) raw() rawAPI    { return rawAPI{e.BaseURL, e.AccessID, e.AccessKey, e.BearerToken} }
func (p *Portal) raw() rawAPI { return rawAPI{p.BaseURL, p.AccessID, p.AccessKey, p.BearerToken} }

// errNotFound is what rawAPI.do returns for a 404.
var errNotFound = errors.New("not found")

// do sends one API v3 request with body in (JSON, when not nil) and decodes
// the answer into out (when not nil). Any status but 200 is an error.
func (a rawAPI) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	u := a.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Version", "3")
	req.Header.Set("Content-Type", "application/json")
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	} else {
		req.Header.Set("Authorization", lm.SignLMv1(a.accessID, a.accessKey, method, path, body, time.Now().UnixMilli()))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s %s: %w", method, path, errNotFound)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, data)
	case out != nil:
		return json.Unmarshal(data, out)
	}
	return nil
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
