package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hashicorp/go-version"
)

const testVersion = "1.16.4"

// fakeRelease serves Terraform testVersion laid out as on
// releases.hashicorp.com: index.json, SHA256SUMS, its detached signature by
// signer and the zip of a "terraform" holding binary.
type fakeRelease struct {
	index, sums, sig, zip []byte
	zipName               string
}

func newFakeRelease(t *testing.T, signer *openpgp.Entity, binary []byte) *fakeRelease {
	t.Helper()
	r := &fakeRelease{zipName: fmt.Sprintf("terraform_%s_%s_%s.zip", testVersion, runtime.GOOS, runtime.GOARCH)}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, body := range map[string][]byte{"terraform": binary, "LICENSE.txt": []byte("license\n")} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	r.zip = zb.Bytes()
	r.sums = fmt.Appendf(nil, "%x  %s\n", sha256.Sum256(r.zip), r.zipName)
	var sig bytes.Buffer
	if err := openpgp.DetachSign(&sig, signer, bytes.NewReader(r.sums), nil); err != nil {
		t.Fatal(err)
	}
	r.sig = sig.Bytes()
	index, err := json.Marshal(map[string]any{
		"name":              "terraform",
		"version":           testVersion,
		"shasums":           "terraform_" + testVersion + "_SHA256SUMS",
		"shasums_signature": "terraform_" + testVersion + "_SHA256SUMS.sig",
		"builds": []map[string]string{{
			"name": "terraform", "version": testVersion, "os": runtime.GOOS, "arch": runtime.GOARCH,
			"filename": r.zipName,
			"url":      "https://releases.hashicorp.com/terraform/" + testVersion + "/" + r.zipName,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.index = index
	return r
}

func (r *fakeRelease) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	dir := "/terraform/" + testVersion + "/"
	switch req.URL.Path {
	case dir + "index.json":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(r.index)
	case dir + "terraform_" + testVersion + "_SHA256SUMS":
		_, _ = w.Write(r.sums)
	case dir + "terraform_" + testVersion + "_SHA256SUMS.sig":
		_, _ = w.Write(r.sig)
	case dir + r.zipName:
		w.Header().Set("Content-Type", "application/zip")
		_, _ = w.Write(r.zip)
	default:
		http.NotFound(w, req)
	}
}

func newKey(t *testing.T) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity("lmcli test", "", "lmcli@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return e, b.String()
}

func testOptions(t *testing.T, base, key string) options {
	t.Helper()
	return options{
		Version:          version.Must(version.NewVersion(testVersion)),
		Dir:              filepath.Join(t.TempDir(), "clis", "terraform-"+testVersion+"-release"),
		BaseURL:          base,
		ProbeTimeout:     2 * time.Second,
		Timeout:          10 * time.Second,
		ArmoredPublicKey: key,
	}
}

// An install from a site serving a release signed with the expected key
// leaves exactly the binary in the directory, under its product name.
func TestInstallSignedRelease(t *testing.T) {
	signer, pub := newKey(t)
	srv := httptest.NewServer(newFakeRelease(t, signer, []byte("#!/bin/sh\necho fake terraform\n")))
	defer srv.Close()
	opts := testOptions(t, srv.URL+"/", pub)

	path, err := install(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(opts.Dir, "terraform"); path != want {
		t.Errorf("path = %q, want %q", path, want)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "#!/bin/sh\necho fake terraform\n" {
		t.Errorf("installed binary = %q", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("installed binary is not executable: %v %v", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(opts.Dir); len(entries) != 1 {
		t.Errorf("install dir holds %d entries, want only terraform", len(entries))
	}
	if entries, _ := os.ReadDir(filepath.Dir(opts.Dir)); len(entries) != 1 {
		t.Errorf("the temp dir was left behind: %v", entries)
	}
}

// A release whose SHA256SUMS is signed by another key is refused, and
// nothing is installed.
func TestInstallRefusesAnotherSignature(t *testing.T) {
	_, pub := newKey(t)
	other, _ := newKey(t)
	srv := httptest.NewServer(newFakeRelease(t, other, []byte("evil")))
	defer srv.Close()
	opts := testOptions(t, srv.URL, pub)

	_, err := install(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("err = %v, want a signature error", err)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "terraform")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a binary was installed despite the bad signature (stat: %v)", err)
	}
}

// With HashiCorp's own key (the default), the test release is refused too:
// the key in the options is the only way around the real signature check.
func TestInstallDefaultKeyRefusesTestRelease(t *testing.T) {
	signer, _ := newKey(t)
	srv := httptest.NewServer(newFakeRelease(t, signer, []byte("evil")))
	defer srv.Close()
	opts := testOptions(t, srv.URL, "")

	if _, err := install(context.Background(), opts); err == nil {
		t.Fatal("a release signed by a test key installed with HashiCorp's key")
	}
}

// The release sites that must make lmcli give up at once, or within the
// probe timeout, so that `make demo` can fall back to a build.
func TestInstallUnavailableSite(t *testing.T) {
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		u := "http://" + l.Addr().String()
		l.Close()
		return u
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hanging.Close)
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(unavailable.Close)

	for _, tc := range []struct {
		name, base, want string
	}{
		{"connection refused", refused(), "connection refused"},
		{"no answer", hanging.URL, "no answer from " + hanging.URL + "/terraform/1.16.4/index.json within 500ms"},
		{"not found", notFound.URL, "404 Not Found"},
		{"503", unavailable.URL, "503 Service Unavailable"},
		{"no such host", "http://releases.invalid", "releases.invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(t, tc.base, "")
			opts.ProbeTimeout = 500 * time.Millisecond
			start := time.Now()
			_, err := install(context.Background(), opts)
			took := time.Since(start)
			if !errors.Is(err, errUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %v mentioning %q", err, errUnavailable, tc.want)
			}
			// One attempt, no retries: well within twice the probe timeout.
			if took > time.Second {
				t.Errorf("gave up after %s, want within the 500ms probe timeout", took)
			}
			if _, err := os.Stat(filepath.Dir(opts.Dir)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("an unavailable site left %s behind (stat: %v)", filepath.Dir(opts.Dir), err)
			}
		})
	}
}

// The command: flags, LM_RELEASES_URL, the path on stdout, one error line
// and exit 1 when the site is unavailable, exit 2 on a usage error.
func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "tf")

	t.Setenv("LM_RELEASES_URL", srv.URL)
	var stdout, stderr bytes.Buffer
	if rc := run(context.Background(), []string{"-version", "1.16.4", "-dir", dir}, &stdout, &stderr); rc != 1 {
		t.Errorf("exit %d, want 1", rc)
	}
	want := "lmcli: release site unavailable: GET " + srv.URL + "/terraform/1.16.4/index.json: 404 Not Found\n"
	if stdout.Len() != 0 || stderr.String() != want {
		t.Errorf("stdout %q, stderr %q; want nothing and %q", stdout.String(), stderr.String(), want)
	}

	for _, args := range [][]string{
		{"-dir", dir},
		{"-version", "1.16.4"},
		{"-version", "one", "-dir", dir},
		{"-version", "1.16.4", "-dir", dir, "extra"},
	} {
		stdout.Reset()
		stderr.Reset()
		if rc := run(context.Background(), args, &stdout, &stderr); rc != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", args, rc, stderr.String())
		}
	}

	signer, _ := newKey(t)
	rel := httptest.NewServer(newFakeRelease(t, signer, []byte("x")))
	defer rel.Close()
	stdout.Reset()
	stderr.Reset()
	// The flag wins over the environment: the signature check against
	// HashiCorp's key is what fails, so the fake release was reached.
	rc := run(context.Background(), []string{"-version", "1.16.4", "-dir", dir, "-releases-url", rel.URL}, &stdout, &stderr)
	if rc != 1 || !strings.Contains(stderr.String(), "install of Terraform 1.16.4 from "+rel.URL) {
		t.Errorf("exit %d, stderr %q; want 1 and a failed install from %s", rc, stderr.String(), rel.URL)
	}
}
