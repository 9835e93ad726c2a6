// Package loadtest runs Terraform (or OpenTofu) with the real provider
// binary against the in-process LogicMonitor simulator, for `make bench`
// (internal/cmd/lmbench) and `make soak` (internal/cmd/lmsoak).
//
// The provider is built from the repository and installed through a
// dev_overrides CLI configuration the harness owns, so every run measures
// the real provider process as Terraform starts it. The simulator runs in
// the driver's process (lmsim.Start): its request log is parsed as it is
// written, and its account is read directly for invariant checks, without
// going through its fault injection.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// Fixture credentials of the simulator's administrator API user.
const (
	FixtureAccessID  = "lmsimTerraformAdmin1"
	FixtureAccessKey = "lmsim+terraform+admin+key+0123456789abcd"
	// PipelineAdminID is the fixture's svc-pipeline user, which owns no
	// token at the start: every token it has was made by the run.
	PipelineAdminID = 140
)

// Options configure a Harness.
type Options struct {
	RepoDir    string // the provider's module root (where main.go is)
	CLI        string // terraform or tofu binary
	Keep       bool   // keep the temp dir
	MeasureRSS bool   // run the provider under the usage wrapper
	// PluginFloor also installs internal/cmd/lmfloor, the do-nothing
	// provider with lm_api_token's schema, as lmtf/lmfloor (resource type
	// lmfloor_api_token; see PluginFloorConfig).
	PluginFloor bool
	Progress    io.Writer
}

// Harness owns a temp dir with the built provider, a CLI configuration and
// work dirs, and at most one running simulator.
type Harness struct {
	opts         Options
	Dir          string
	CLIVersion   string
	providerExec string // the real provider binary
	pluginDir    string // dev_overrides target
	cliConfig    string

	Sim    *lmsim.Running
	Log    *SimLog
	simRaw *os.File

	runs int
}

// New builds the provider and prepares the CLI configuration.
func New(ctx context.Context, opts Options) (*Harness, error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	cli, err := exec.LookPath(opts.CLI)
	if err != nil {
		return nil, fmt.Errorf("CLI %q: %w", opts.CLI, err)
	}
	opts.CLI = cli
	dir, err := os.MkdirTemp("", "lm-loadtest-")
	if err != nil {
		return nil, err
	}
	h := &Harness{opts: opts, Dir: dir}
	h.providerExec = filepath.Join(dir, "bin", "terraform-provider-lm")
	h.pluginDir = filepath.Join(dir, "plugins")
	h.cliConfig = filepath.Join(dir, "cli.tfrc")
	if err := os.MkdirAll(h.pluginDir, 0o755); err != nil {
		return nil, h.closeWith(err)
	}
	fmt.Fprintf(opts.Progress, "building the provider into %s\n", h.providerExec)
	build := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X main.version=loadtest", "-o", h.providerExec, ".")
	build.Dir = opts.RepoDir
	if out, err := build.CombinedOutput(); err != nil {
		return nil, h.closeWith(fmt.Errorf("go build of the provider: %w\n%s", err, out))
	}
	plugin := filepath.Join(h.pluginDir, "terraform-provider-lm")
	if opts.MeasureRSS {
		self, err := os.Executable()
		if err != nil {
			return nil, h.closeWith(err)
		}
		if err := copyFile(self, plugin); err != nil {
			return nil, h.closeWith(fmt.Errorf("installing the usage wrapper: %w", err))
		}
	} else if err := os.Symlink(h.providerExec, plugin); err != nil {
		return nil, h.closeWith(err)
	}
	overrides := fmt.Sprintf("    \"lmtf/lm\" = %q\n", h.pluginDir)
	if opts.PluginFloor {
		fmt.Fprintf(opts.Progress, "building the plugin floor (internal/cmd/lmfloor)\n")
		build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(h.pluginDir, "terraform-provider-lmfloor"), "./internal/cmd/lmfloor")
		build.Dir = opts.RepoDir
		if out, err := build.CombinedOutput(); err != nil {
			return nil, h.closeWith(fmt.Errorf("go build of the plugin floor: %w\n%s", err, out))
		}
		overrides += fmt.Sprintf("    \"lmtf/lmfloor\" = %q\n", h.pluginDir)
	}
	cfg := "provider_installation {\n  dev_overrides {\n" + overrides + "  }\n  direct {}\n}\n"
	if err := os.WriteFile(h.cliConfig, []byte(cfg), 0o600); err != nil {
		return nil, h.closeWith(err)
	}
	ver := exec.CommandContext(ctx, cli, "version") //nolint:gosec // G204: the operator's CLI
	ver.Env = h.baseEnv()
	out, err := ver.CombinedOutput()
	if err != nil {
		return nil, h.closeWith(fmt.Errorf("%s version: %w\n%s", cli, err, out))
	}
	h.CLIVersion = strings.Replace(strings.SplitN(string(out), "\n", 2)[0], " v", " ", 1)
	return h, nil
}

func (h *Harness) closeWith(err error) error {
	return errors.Join(err, h.Close())
}

// Close stops the simulator and removes the temp dir unless Keep.
func (h *Harness) Close() error {
	err := h.StopSim()
	if h.opts.Keep {
		fmt.Fprintf(h.opts.Progress, "files kept in %s\n", h.Dir)
		return err
	}
	return errors.Join(err, os.RemoveAll(h.Dir))
}

// StartSim starts a fresh simulator (stopping any previous one). Its log
// goes to h.Log and to sim-N.log in the temp dir.
func (h *Harness) StartSim(o lmsim.Options) error {
	if err := h.StopSim(); err != nil {
		return err
	}
	f, err := os.CreateTemp(h.Dir, "sim-*.log")
	if err != nil {
		return err
	}
	h.simRaw = f
	h.Log = NewSimLog(f)
	o.Log = h.Log
	h.Sim, err = lmsim.Start(o)
	return err
}

// StopSim stops the simulator, if one runs.
func (h *Harness) StopSim() error {
	var err error
	if h.Sim != nil {
		err = h.Sim.Close()
		h.Sim = nil
	}
	if h.simRaw != nil {
		err = errors.Join(err, h.simRaw.Close())
		h.simRaw = nil
	}
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src) //nolint:gosec // G304: our own executable
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755) //nolint:gosec // G302: an executable
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
