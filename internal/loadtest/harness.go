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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

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

// Result is one CLI run.
type Result struct {
	Args     []string
	Wall     time.Duration
	Exit     int
	Output   string // stdout and stderr
	OutFile  string
	LogFile  string // TF_LOG_PATH, when provider logging was asked for
	Provider []ProcUsage
	Entries  []Entry // simulator requests during the run
	Started  time.Time
}

// PeakRSSKiB is the largest peak RSS of the run's provider processes.
func (r *Result) PeakRSSKiB() int64 {
	var m int64
	for _, u := range r.Provider {
		m = max(m, u.MaxRSSKiB)
	}
	return m
}

// ProviderCPU is the CPU time of the run's provider processes.
func (r *Result) ProviderCPU() time.Duration {
	var s float64
	for _, u := range r.Provider {
		s += u.UserSec + u.SysSec
	}
	return time.Duration(s * float64(time.Second))
}

// RunOptions tune one CLI run.
type RunOptions struct {
	// ProviderLog, if set, is the TF_LOG_PROVIDER level; the log goes to a
	// file named in Result.LogFile.
	ProviderLog string
	Timeout     time.Duration
}

// Run runs the CLI in dir. A non-zero exit is not an error: it is in
// Result.Exit. The simulator must be running.
func (h *Harness) Run(ctx context.Context, dir string, ro RunOptions, args ...string) (*Result, error) {
	if h.Sim == nil {
		return nil, errors.New("loadtest: no simulator running")
	}
	h.runs++
	base := filepath.Join(h.Dir, "runs", fmt.Sprintf("%04d-%s", h.runs, args[0]))
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return nil, err
	}
	r := &Result{Args: args, OutFile: base + ".out"}
	env := h.env()
	usage := base + ".usage"
	if h.opts.MeasureRSS {
		env = append(env, envWrapExec+"="+h.providerExec, envRusageFile+"="+usage)
	}
	if ro.ProviderLog != "" {
		r.LogFile = base + ".provider.log"
		env = append(env, "TF_LOG_PROVIDER="+ro.ProviderLog, "TF_LOG_PATH="+r.LogFile)
	}
	if ro.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ro.Timeout)
		defer cancel()
	}
	full := []string{"-chdir=" + dir, args[0]}
	switch args[0] {
	case "plan", "apply", "destroy", "refresh", "show":
		full = append(full, "-no-color") // plain text for the logs and for error parsing
	}
	full = append(full, args[1:]...)
	cmd := exec.CommandContext(ctx, h.opts.CLI, full...) //nolint:gosec // G204: the operator's CLI
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	mark := h.Log.Len()
	r.Started = time.Now()
	err := cmd.Run()
	r.Wall = time.Since(r.Started)
	r.Output = out.String()
	_ = os.WriteFile(r.OutFile, out.Bytes(), 0o600)
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.Exit = ee.ExitCode()
	case err != nil:
		return nil, fmt.Errorf("%s %s: %w", filepath.Base(h.opts.CLI), strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s %s: %w (output: %s)", filepath.Base(h.opts.CLI), strings.Join(args, " "), ctx.Err(), r.OutFile)
	}
	// The simulator logs a request when it has answered; give the last
	// answers a moment to be written.
	time.Sleep(50 * time.Millisecond)
	r.Entries = h.Log.Since(mark)
	if r.Provider, err = readUsage(usage); err != nil {
		return nil, err
	}
	return r, nil
}

// env is the CLI's environment: the caller's, without anything that would
// point the CLI or the provider elsewhere, plus the harness's own.
func (h *Harness) env() []string {
	return append(h.baseEnv(),
		"LM_BASE_URL="+h.Sim.URL,
		"LM_ACCESS_ID="+FixtureAccessID,
		"LM_ACCESS_KEY="+FixtureAccessKey,
	)
}

func (h *Harness) baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "TF_"), strings.HasPrefix(k, "LM_"), strings.HasPrefix(k, "LMLOAD_"):
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"TF_CLI_CONFIG_FILE="+h.cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
	)
}

// StateTokenIDs returns the ids of the lm_api_token instances in a work
// dir's local state (none when there is no state yet).
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
					ID string `json:"id"`
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
			var id int32
			if _, err := fmt.Sscan(in.Attributes.ID, &id); err != nil {
				return nil, fmt.Errorf("state: lm_api_token id %q: %w", in.Attributes.ID, err)
			}
			ids[id] = true
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

// TokensConfig is a configuration of n lm_api_token resources of the
// pipeline user, with notes notePrefix + index + noteSuffix; changing the
// suffix updates every note in place.
func TokensConfig(n int, notePrefix, noteSuffix string) string {
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
}
`, n, PipelineAdminID, notePrefix, noteSuffix)
}
