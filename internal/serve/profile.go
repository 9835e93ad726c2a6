package serve

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// EnvCPUProfileDir names a directory where each provider process writes a
// CPU profile of its Serve, cpu-<pid>.pprof. It has no TF_ or LM_ prefix
// because the load-test harness drops those from the CLI's environment:
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
