//go:build !unix

package serve

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// processLifecycle on systems without Unix process semantics (Windows):
// SIGTERM is handled as elsewhere, but the CLI's death is not detected (the
// parent process id does not change when the parent exits).
func processLifecycle(cleanup func(context.Context)) lifecycle {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	return lifecycle{
		sigterm:   term,
		resetTERM: func() { signal.Reset(syscall.SIGTERM) },
		cleanup:   cleanup,
		exit:      os.Exit,
	}
}
