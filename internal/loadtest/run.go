package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

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
