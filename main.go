// Command terraform-provider-lm is the Terraform and OpenTofu provider that
// manages LogicMonitor API tokens.
package main

import (
	"context"
	"flag"
	"log"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/provider"
	"github.com/lmtf/terraform-provider-lm/internal/serve"
)

// version is set by goreleaser through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// serve.Serve is providerserver.Serve with request contexts that do not
	// outlive their RPC and, when the CLI would discard it, no SDK log.
	err := serve.Serve("registry.terraform.io/lmtf/lm", provider.New(version), debug)
	// The CLI has shut the provider down: delete ephemeral tokens whose
	// Close it skipped. go-plugin kills the process 2 s after asking it to
	// stop, so the clean-up gets a little less than that.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	n, cerr := provider.CloseEphemeralLeftovers(ctx)
	cancel()
	if n > 0 || cerr != nil {
		log.Printf("[WARN] deleted %d ephemeral API token(s) that the CLI did not close; errors: %v", n, cerr)
	}
	if err != nil {
		log.Fatal(err)
	}
}
