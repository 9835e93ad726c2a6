package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// configuredServer is the framework's protocol server of this provider,
// configured for a fresh simulator with its administrator's credentials,
// for tests that call RPCs as Terraform sends them.
func configuredServer(tb testing.TB) tfprotov6.ProviderServer {
	tb.Helper()
	ctx := context.Background()
	sim, err := lmsim.Start(lmsim.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sim.Close() })
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		tb.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		tb.Fatalf("schema: %v %v", err, schemas.Diagnostics)
	}
	provType, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		tb.Fatalf("provider schema type is %T, want an object", schemas.Provider.ValueType())
	}
	cfg := map[string]tftypes.Value{}
	for name, typ := range provType.AttributeTypes {
		cfg[name] = tftypes.NewValue(typ, nil)
	}
	cfg["base_url"] = tftypes.NewValue(tftypes.String, sim.URL)
	cfg["access_id"] = tftypes.NewValue(tftypes.String, lmsim.DefaultAdminAccessID)
	cfg["access_key"] = tftypes.NewValue(tftypes.String, lmsim.DefaultAdminAccessKey)
	cfgValue, err := tfprotov6.NewDynamicValue(provType, tftypes.NewValue(provType, cfg))
	if err != nil {
		tb.Fatal(err)
	}
	conf, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfgValue})
	if err != nil || len(conf.Diagnostics) > 0 {
		tb.Fatalf("configure: %v %v", err, conf.Diagnostics)
	}
	return srv
}
