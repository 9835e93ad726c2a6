// Package serve runs the provider like providerserver.Serve, with two
// changes that matter at a thousand resources (DESIGN.md): each RPC's
// context lets go of the gRPC request when the RPC returns (Server), and
// the loggers are off when the CLI would discard their output (QuietLogs).
// It also ends the provider's work on SIGTERM and when the CLI has died
// (lifecycle.go).
package serve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// Serve serves the provider under address (e.g.
// "registry.terraform.io/lmtf/lm") until the CLI shuts it down, then runs
// cleanup. With debug, it runs as a debuggable provider and prints the
// TF_REATTACH_PROVIDERS value, as providerserver.Serve does. Started by
// the CLI, it also handles SIGTERM and the CLI's death (lifecycle.go): if
// the CLI dies, cleanup runs and the process exits.
func Serve(address string, newProvider func() provider.Provider, debug bool, cleanup func(context.Context)) error {
	// Built before serving, so that an error is returned rather than
	// raised inside tf6server's factory, which cannot return one; go-plugin
	// calls the factory once, when it registers the gRPC server.
	srv, err := NewServer(newProvider())
	if err != nil {
		return err
	}
	var opts []tf6server.ServeOpt
	done := make(chan struct{})
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		// A debug session logs to the developer's terminal, not through a
		// CLI that filters it: only a CLI-started provider goes quiet.
		QuietLogs(address, os.Environ(), os.Setenv)
		// Nor is a debug session the CLI's child.
		go srv.watch(processLifecycle(cleanup), done)
	}
	stopProfile := startCPUProfile()
	err = tf6server.Serve(address, func() tfprotov6.ProviderServer { return srv }, opts...)
	close(done)
	stopProfile()
	// go-plugin kills the process 2 s after asking it to stop, so the
	// clean-up gets a little less than that.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	cleanup(ctx)
	return err
}

// NewServer is the server Serve serves for one provider instance: the
// framework's, wrapped. The acceptance tests serve the provider through it
// too, so that they run what the binary runs.
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

// QuietLogs sets the SDK and provider log levels to OFF through setenv,
// unless environ sets TF_LOG or any TF_LOG_* variable, and reports whether
// it did. Without those variables the CLI drops the provider's log, so
// formatting TRACE lines for it is wasted CPU; with any of them, logging
// works exactly as with providerserver.Serve.
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
