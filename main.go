// Command terraform-provider-lm is the Terraform and OpenTofu provider that
// manages LogicMonitor API tokens.
package main

import (
	"context"
	"flag"
	"log"

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
	// outlive their RPC, no SDK log when the CLI would discard it, and
	// care for SIGTERM and a CLI that died.
	err := serve.Serve("registry.terraform.io/lmtf/lm", provider.New(version), debug, closeLeftovers)
	if err != nil {
		log.Fatal(err)
	}
}

// closeLeftovers deletes the ephemeral tokens whose Close the CLI skipped,
// once the CLI has shut the provider down (or died).
func closeLeftovers(ctx context.Context) {
	n, err := provider.CloseEphemeralLeftovers(ctx)
	if n > 0 || err != nil {
		log.Printf("[WARN] deleted %d ephemeral API token(s) that the CLI did not close; errors: %v", n, err)
	}
}
