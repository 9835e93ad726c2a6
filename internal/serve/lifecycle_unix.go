//go:build unix

package serve

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// processLifecycle is watch's view of this process: SIGTERM, and the CLI's
// death, seen as the parent process id changing (the orphan is adopted by
// init or a subreaper).
func processLifecycle(cleanup func(context.Context)) lifecycle {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	// Once the CLI has died, a log line to its stderr pipe would raise
	// SIGPIPE and kill the provider before its clean-up; ignored, the
	// write fails instead.
	signal.Ignore(syscall.SIGPIPE)
	return lifecycle{
		sigterm:    term,
		resetTERM:  func() { signal.Reset(syscall.SIGTERM) },
		parentGone: parentGone(os.Getppid(), time.Second),
		cleanup:    cleanup,
		exit:       os.Exit,
	}
}

// parentGone is closed once the parent process id is no longer ppid,
// checked every period.
func parentGone(ppid int, period time.Duration) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for range t.C {
			if os.Getppid() != ppid {
				close(gone)
				return
			}
		}
	}()
	return gone
}
