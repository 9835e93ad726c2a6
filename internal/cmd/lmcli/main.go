// Command lmcli installs a release of Terraform from releases.hashicorp.com
// the way terraform-plugin-testing does, through hashicorp/hc-install, which
// checks the SHA256SUMS file against HashiCorp's signature and the archive
// against SHA256SUMS. `make demo` (scripts/democli.sh) runs it when no
// supported CLI is on PATH.
//
//	lmcli -version 1.16.4 -dir DIR
//
// installs DIR/terraform and prints its path. Before the download it asks the
// release site for the version's index.json, once, within -probe-timeout
// (default 5s): a machine that cannot reach the site (no DNS, a firewall that
// drops packets) fails within seconds instead of waiting out hc-install's
// retries, so that the caller can fall back to something else. The download
// itself may take up to -timeout (default 3m).
//
// LM_RELEASES_URL (or -releases-url) replaces https://releases.hashicorp.com,
// for a mirror with the same layout, or for tests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hc-install/product"
	"github.com/hashicorp/hc-install/releases"
)

// DefaultReleasesURL is HashiCorp's release site.
const DefaultReleasesURL = "https://releases.hashicorp.com"

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lmcli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: lmcli -version X.Y.Z -dir DIR [-releases-url URL] [-probe-timeout 5s] [-timeout 3m]")
		fs.PrintDefaults()
	}
	var opts options
	var ver string
	base := os.Getenv("LM_RELEASES_URL")
	if base == "" {
		base = DefaultReleasesURL
	}
	fs.StringVar(&ver, "version", "", "the Terraform version to install (required)")
	fs.StringVar(&opts.Dir, "dir", "", "the directory to install terraform into (required)")
	fs.StringVar(&opts.BaseURL, "releases-url", base, "the release site (env LM_RELEASES_URL)")
	fs.DurationVar(&opts.ProbeTimeout, "probe-timeout", 5*time.Second, "how long to wait for the release site's first answer")
	fs.DurationVar(&opts.Timeout, "timeout", 3*time.Minute, "how long the download and checks may take")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if ver == "" || opts.Dir == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	v, err := version.NewVersion(ver)
	if err != nil {
		fmt.Fprintf(stderr, "lmcli: -version %q: %v\n", ver, err)
		return 2
	}
	opts.Version = v
	opts.Logger = log.New(stderr, "hc-install: ", 0)

	path, err := install(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "lmcli: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, path)
	return 0
}

type options struct {
	Version      *version.Version
	Dir          string
	BaseURL      string
	ProbeTimeout time.Duration
	Timeout      time.Duration
	Logger       *log.Logger

	// ArmoredPublicKey replaces HashiCorp's key, which hc-install carries;
	// only tests set it, to serve a release signed with their own key.
	ArmoredPublicKey string
}

// errUnavailable marks a release site that did not answer the probe, or
// answered it with an error (no such version, or down).
var errUnavailable = errors.New("release site unavailable")

// install probes the release site, then installs Terraform into a temp
// directory beside opts.Dir and moves the checked binary into opts.Dir, so
// that an interrupted or failed install leaves nothing a later run could
// take for a good binary.
func install(ctx context.Context, opts options) (string, error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	if err := probe(ctx, base, opts.Version, opts.ProbeTimeout); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(opts.Dir), 0o750); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(opts.Dir), "."+filepath.Base(opts.Dir)+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	ev := &releases.ExactVersion{
		Product:          product.Terraform,
		Version:          opts.Version,
		InstallDir:       tmp,
		Timeout:          opts.Timeout,
		ArmoredPublicKey: opts.ArmoredPublicKey,
	}
	if base != DefaultReleasesURL {
		ev.ApiBaseURL = base
	}
	if opts.Logger != nil {
		ev.SetLogger(opts.Logger)
	}
	got, err := ev.Install(ctx)
	if err != nil {
		return "", fmt.Errorf("install of Terraform %s from %s: %w", opts.Version, base, err)
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return "", err
	}
	dst := filepath.Join(opts.Dir, product.Terraform.BinaryName())
	if err := os.Rename(got, dst); err != nil {
		return "", err
	}
	return dst, nil
}

// probe asks for the version's index.json once, without retries, within
// timeout: hc-install's own client retries connection errors with backoff
// for up to its whole timeout, far too long for a site that is not there.
func probe(ctx context.Context, base string, v *version.Version, timeout time.Duration) error {
	u := fmt.Sprintf("%s/terraform/%s/index.json", base, url.PathEscape(v.String()))
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: no answer from %s within %s", errUnavailable, u, timeout)
		}
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: GET %s: %s", errUnavailable, u, resp.Status)
	}
	return nil
}
