package serve

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// EnvCPUProfileDir names a directory: when set, each provider process
// writes a CPU profile of its whole Serve there, as cpu-<pid>.pprof
// (Terraform starts the provider several times per command, so one file
// per process). The name has no TF_ or LM_ prefix so that the load-test
// harness (internal/loadtest), which drops those from the CLI's
// environment, passes it through: for example
//
//	TERRAFORM_PROVIDER_LM_CPUPROFILE_DIR=/tmp/prof LM_BENCH_SIZES=1000 make bench
//	go tool pprof -top /tmp/prof/*.pprof
const EnvCPUProfileDir = "TERRAFORM_PROVIDER_LM_CPUPROFILE_DIR"

// startCPUProfile starts the profile EnvCPUProfileDir asks for and returns
// the function that stops and writes it; with the variable unset, or when
// profiling cannot start, it does nothing.
func startCPUProfile() (stop func()) {
	dir := os.Getenv(EnvCPUProfileDir)
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid()))) //nolint:gosec // G304: the operator's own directory
	if err != nil {
		fmt.Fprintf(os.Stderr, "serve: %s: %v\n", EnvCPUProfileDir, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "serve: %s: %v\n", EnvCPUProfileDir, err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
