// Command lmfloor is the plugin floor of `make bench`: a Terraform provider
// that does nothing, serving one resource, lmfloor_api_token, with exactly
// the schema of lm_api_token (read from the real provider at start). It
// talks to no API and keeps nothing: validation accepts everything, Read
// returns the state it is given, a plan is the proposed new state (computed
// attributes left null become unknown on create), and apply fills unknown
// values with placeholders.
//
// A plan of N lmfloor_api_token costs what any plugin with this schema must
// pay before doing any work: the CLI's per-resource gRPC calls
// (ValidateResourceConfig, UpgradeResourceState, ReadResource,
// PlanResourceChange), the msgpack and JSON encoding of each value on both
// sides, and the plugin process. The builtin terraform_data pays none of
// that, so lmbench reports both floors.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/lmtf/terraform-provider-lm/internal/provider"
)

// Address is the provider's source address; the resource type is its name
// plus "_api_token".
const Address = "registry.terraform.io/lmtf/lmfloor"

func main() {
	s, err := newServer(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "lmfloor: %v\n", err)
		os.Exit(1)
	}
	if err := tf6server.Serve(Address, func() tfprotov6.ProviderServer { return s }); err != nil {
		fmt.Fprintf(os.Stderr, "lmfloor: %v\n", err)
		os.Exit(1)
	}
}

// newServer reads lm_api_token's schema from the real provider.
func newServer(ctx context.Context) (*server, error) {
	real := providerserver.NewProtocol6(provider.New("floor")())()
	resp, err := real.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return nil, fmt.Errorf("provider schema: %s: %s", d.Summary, d.Detail)
		}
	}
	s, ok := resp.ResourceSchemas["lm_api_token"]
	if !ok {
		return nil, fmt.Errorf("the provider has no lm_api_token schema")
	}
	return &server{schema: s, typ: s.ValueType()}, nil
}
