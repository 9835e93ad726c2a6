package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The wrapper measures the provider process exactly. The dev_overrides
// directory holds a copy of the driver binary named terraform-provider-lm;
// Terraform starts it as the provider, and with these variables in its
// environment (Terraform passes its own environment to providers) it runs
// the real provider binary as its child with the same arguments, standard
// streams and environment, waits for it, and appends the child's resource
// usage (ru_maxrss, the peak resident set of that process alone, and its CPU
// time) to a file. Polling /proc could miss the last moments before exit;
// wait4 cannot.
const (
	envWrapExec   = "LMLOAD_PROVIDER_EXEC"
	envRusageFile = "LMLOAD_RUSAGE_FILE"
)

// ProcUsage is what one provider process used.
type ProcUsage struct {
	PID       int     `json:"pid"`
	MaxRSSKiB int64   `json:"maxRssKiB"`
	UserSec   float64 `json:"userSec"`
	SysSec    float64 `json:"sysSec"`
	WallSec   float64 `json:"wallSec"`
	Exit      int     `json:"exit"`
}

// MaybeRunWrapper turns the process into the provider wrapper when it was
// started as one; otherwise it returns at once. Call it first in main.
func MaybeRunWrapper() {
	target := os.Getenv(envWrapExec)
	if target == "" || !strings.HasPrefix(filepath.Base(os.Args[0]), "terraform-provider-") {
		return
	}
	os.Exit(runWrapper(target, os.Getenv(envRusageFile)))
}

func runWrapper(target, usageFile string) int {
	cmd := exec.CommandContext(context.Background(), target, os.Args[1:]...) //nolint:gosec // G204: the harness names its own provider binary; its lifetime is the plugin protocol's, not a context's
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	// Terraform stops providers over gRPC; a Ctrl-C reaches the whole
	// process group anyway, so the wrapper only relays SIGTERM and must
	// itself survive SIGINT until its child is gone.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "loadtest wrapper: starting %s: %v\n", target, err)
		return 1
	}
	go func() {
		for s := range sigs {
			if s == syscall.SIGTERM {
				_ = cmd.Process.Signal(s)
			}
		}
	}()
	err := cmd.Wait()
	exit := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	} else if err != nil {
		exit = 1
	}
	if usageFile != "" && cmd.ProcessState != nil {
		u := ProcUsage{PID: cmd.ProcessState.Pid(), Exit: exit, WallSec: time.Since(start).Seconds(),
			UserSec: cmd.ProcessState.UserTime().Seconds(), SysSec: cmd.ProcessState.SystemTime().Seconds()}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			u.MaxRSSKiB = ru.Maxrss // KiB on Linux
		}
		if b, err := json.Marshal(u); err == nil {
			f, err := os.OpenFile(usageFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600) //nolint:gosec // G304: the harness's own file
			if err == nil {
				_, _ = f.Write(append(b, '\n'))
				_ = f.Close()
			}
		}
	}
	return exit
}

// readUsage reads the lines the wrappers of one run appended.
func readUsage(path string) ([]ProcUsage, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the harness's own file
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []ProcUsage
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var u ProcUsage
		if err := json.Unmarshal([]byte(line), &u); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, u)
	}
	return out, nil
}
