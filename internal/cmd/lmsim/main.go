// Command lmsim serves the LogicMonitor API simulator over HTTP, for the
// demo, manual testing and runs of the provider outside `go test`.
//
//	go run ./internal/cmd/lmsim --listen 127.0.0.1:8080 --state lmsim-state.json
//
// It prints one line, "lmsim listening on http://HOST:PORT/santaba/rest",
// on stdout once it accepts connections; everything else goes to stderr or
// the --log file. SIGINT or SIGTERM stop it cleanly and save the state.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lmsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "`address` to listen on; port 0 picks a free port")
	fixture := fs.String("fixture", "", "JSON `file` with the initial roles, admins and apiTokens (default: the embedded fixture)")
	state := fs.String("state", "", "JSON `file` that keeps the account across restarts; loaded instead of --fixture when it exists")
	rateLimit := fs.String("rate-limit", "", "per-method limits such as `GET=40/5s,POST=10/5s`, or off (default: GET 500, POST 200, PUT 200, PATCH 250, DELETE 300 per minute)")
	faults := fs.String("faults", "", "faults to inject, e.g. `5xx=0.1,429=0.05,reset=0.02,drop=0.02,latency=5ms-50ms`")
	strange := fs.String("strange", "", "answer with a strange shape (envelope, empty, null-items, html, truncated) on chosen paths, e.g. `html=/setting/roles/*,envelope=GET:/setting/admins/*/apitokens`")
	seed := fs.Int64("seed", 0, "seed for fault injection; 0 picks a random one")
	logPath := fs.String("log", "", "`file` to append the JSON request log to (default: stderr)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lmsim [flags]\n\nLogicMonitor REST API simulator.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "lmsim: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments: %v", fs.Args())
	}
	opts := lmsim.Options{StatePath: *state, Seed: *seed, Log: stderr}
	var err error
	if opts.RateLimits, err = lmsim.ParseRateLimits(*rateLimit); err != nil {
		return usageErr("--rate-limit: %v", err)
	}
	if opts.Faults, err = lmsim.ParseFaults(*faults); err != nil {
		return usageErr("--faults: %v", err)
	}
	if opts.Strange, err = lmsim.ParseStrange(*strange); err != nil {
		return usageErr("--strange: %v", err)
	}
	if *fixture != "" {
		if opts.Fixture, err = lmsim.LoadFixture(*fixture); err != nil {
			return usageErr("--fixture: %v", err)
		}
	}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600) //nolint:gosec // G304: the operator names the log file
		if err != nil {
			return usageErr("--log: %v", err)
		}
		defer f.Close()
		opts.Log = f
	}

	sim, err := lmsim.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "lmsim: %v\n", err)
		return 1
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "lmsim: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// Scripts wait for this exact line to learn the port; os.Stdout is not
	// buffered, so it is out as soon as Fprintf returns.
	fmt.Fprintf(stdout, "lmsim listening on http://%s%s\n", ln.Addr(), lmsim.BasePath)

	status := 0
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "lmsim: %v\n", err)
		status = 1
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "lmsim: shutdown: %v\n", err)
		status = 1
	}
	if err := sim.Close(); err != nil {
		fmt.Fprintf(stderr, "lmsim: saving state: %v\n", err)
		status = 1
	}
	return status
}
