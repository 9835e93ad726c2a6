package serve

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The CLI ends a provider through the plugin protocol: StopProvider
// cancels what runs, then go-plugin's Shutdown ends Serve. Two ways around
// that protocol left the provider stranded, and are handled here with the
// framework's own StopProvider, so that no RPC is answered in the
// framework's place:
//
//   - SIGTERM. A CI runner's or a service manager's SIGTERM reaches the
//     whole process group, the CLI and the provider alike. The CLI stops
//     gracefully and waits for the running operations, but go-plugin
//     handles only SIGINT in the plugin, so SIGTERM killed the provider
//     at once and the CLI reported that the plugin did not respond. Now
//     the provider cancels its running operations, which end with the
//     failure they were retrying, and waits for the CLI to shut it down
//     as after Ctrl-C; a second SIGTERM ends it at once.
//   - A CLI that died (SIGKILL, as a CI runner's timeout does) shuts
//     nothing down: the provider, reparented, kept running for ever. Now
//     it notices within a second (lifecycle_unix.go), cancels what runs,
//     lets it finish its clean-up for a few seconds, runs the exit
//     clean-up and exits.

// drainWait is how long a provider whose CLI died lets its cancelled
// operations finish (a create deleting what it may have made), and
// cleanupWait the exit clean-up: with detection, well within 15 s.
const (
	drainWait   = 8 * time.Second
	cleanupWait = 3 * time.Second
)

// Stop cancels every running RPC, as the CLI's StopProvider does: the
// framework cancels the contexts of the RPCs in progress.
func (s *Server) Stop(ctx context.Context) {
	_, _ = s.StopProvider(ctx, &tfprotov6.StopProviderRequest{})
}

// Drain waits until no RPC is running, or for at most wait, and reports
// whether none is.
func (s *Server) Drain(wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for s.running.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// lifecycle is what watch needs from the process, injected by tests.
type lifecycle struct {
	sigterm    <-chan os.Signal
	resetTERM  func()                    // restores SIGTERM's default action: the next one kills
	parentGone <-chan struct{}           // closed when the CLI has gone
	cleanup    func(ctx context.Context) // the provider's exit clean-up
	exit       func(code int)
}

// watch handles SIGTERM and the death of the CLI until done is closed
// (Serve returned: the CLI shut the provider down).
func (s *Server) watch(l lifecycle, done <-chan struct{}) {
	sigterm := l.sigterm
	for {
		select {
		case <-done:
			return
		case <-sigterm:
			// The CLI got it too, most likely, and stops gracefully:
			// the operations end now, with their real failure, and
			// the CLI shuts the provider down when it is done.
			l.resetTERM()
			sigterm = nil
			s.Stop(context.Background())
		case <-l.parentGone:
			s.Stop(context.Background())
			s.Drain(drainWait)
			ctx, cancel := context.WithTimeout(context.Background(), cleanupWait)
			l.cleanup(ctx)
			cancel()
			l.exit(1)
			return
		}
	}
}
