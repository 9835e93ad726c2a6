// Package serve runs the provider as a Terraform plugin, like
// providerserver.Serve, with two differences that matter at a thousand
// resources:
//
//   - every RPC reaches the framework through Wrap, with a context that lets
//     go of the gRPC request when the RPC returns (see Server);
//   - when the CLI will discard the provider's log (no TF_LOG* variable is
//     set), the SDK and provider loggers are switched off rather than
//     writing TRACE JSON to stderr for the CLI to parse and drop (see
//     QuietLogs).
package serve

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// Serve serves the provider under address (e.g.
// "registry.terraform.io/lmtf/lm") until the CLI shuts it down. With debug,
// it runs as a debuggable provider and prints the TF_REATTACH_PROVIDERS
// value, as providerserver.Serve does.
func Serve(address string, newProvider func() provider.Provider, debug bool) error {
	// Built before serving, so that an error is returned rather than
	// raised inside tf6server's factory, which cannot return one; go-plugin
	// calls the factory once, when it registers the gRPC server.
	srv, err := NewServer(newProvider())
	if err != nil {
		return err
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		// A debug session logs to the developer's terminal, not through a
		// CLI that filters it: only a CLI-started provider goes quiet.
		QuietLogs(address, os.Environ(), os.Setenv)
	}
	defer startCPUProfile()()
	return tf6server.Serve(address, func() tfprotov6.ProviderServer { return srv }, opts...)
}

// NewServer is the server Serve serves for one provider instance: the
// framework's, wrapped. The
// acceptance tests serve the provider through it too, so that they run
// what the binary runs.
func NewServer(p provider.Provider) (*Server, error) {
	s := providerserver.NewProtocol6(p)()
	inner, ok := s.(Inner)
	if !ok {
		return nil, fmt.Errorf("serve: the framework's provider server (%T) lacks RPCs of tfprotov6", s)
	}
	return Wrap(inner), nil
}

// Log level variables of terraform-plugin-log's loggers as
// terraform-plugin-go v0.31 and terraform-plugin-framework v1.19 set them
// up; each one defaults to TRACE when unset.
const (
	envLogSDK          = "TF_LOG_SDK"           // root SDK logger (tfsdklog)
	envLogSDKProto     = "TF_LOG_SDK_PROTO"     // tf6server's protocol logger
	envLogSDKFramework = "TF_LOG_SDK_FRAMEWORK" // the framework's logger
	envLogProvider     = "TF_LOG_PROVIDER"      // prefix of the provider's own tflog level: TF_LOG_PROVIDER_LM
)

// QuietLogs switches the SDK and provider loggers off, by setting their
// level variables to OFF through setenv, unless environ (KEY=value pairs)
// sets a variable named TF_LOG or starting with TF_LOG_.
//
// Terraform and OpenTofu show a provider's log only when TF_LOG or
// TF_LOG_PROVIDER is set; otherwise they read every line the provider
// writes to stderr and drop it. Left at their default, the loggers encode
// several TRACE JSON lines per RPC for that. Any TF_LOG* variable is taken
// as someone wanting logs (a log file, a subsystem level, the protocol data
// directory), and then nothing is changed, so TF_LOG=DEBUG, TF_LOG_PROVIDER,
// TF_LOG_SDK_PROTO=... work exactly as with providerserver.Serve.
//
// It reports whether it switched the loggers off.
func QuietLogs(address string, environ []string, setenv func(key, value string) error) bool {
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if v != "" && (k == "TF_LOG" || strings.HasPrefix(k, "TF_LOG_")) {
			return false
		}
	}
	vars := []string{envLogSDK, envLogSDKProto, envLogSDKFramework, providerLogEnv(address)}
	var errs []error
	for _, k := range vars {
		errs = append(errs, setenv(k, "OFF"))
	}
	return errors.Join(errs...) == nil
}

// providerLogEnv is the variable that sets the level of the provider's
// tflog logger, as tf6server names it: TF_LOG_PROVIDER_ and the provider
// type of the address, upper case, with "-" as "_".
func providerLogEnv(address string) string {
	typ := address[strings.LastIndex(address, "/")+1:]
	return envLogProvider + "_" + strings.ToUpper(strings.ReplaceAll(typ, "-", "_"))
}
