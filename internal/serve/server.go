package serve

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Inner is the provider server Wrap hands requests to: the whole protocol 6
// server of terraform-plugin-go v0.31, including the RPC groups that
// tfprotov6 still declares as separate interfaces (tf6server finds them by
// type assertion, so the wrapper must have them to pass them on). The
// framework's server (providerserver.NewProtocol6) implements it.
type Inner interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// Server hands every RPC to its Inner with a context from Detach, released
// when the RPC returns (for a streamed answer, once tf6server has drained
// it). The framework keeps every RPC's context until StopProvider; this
// way it keeps only small cancelled contexts (DESIGN.md, "Workarounds").
type Server struct {
	inner   Inner
	running atomic.Int64 // RPCs not yet released, for Drain
}

// detach is Detach, counting the RPC as running until it is released.
func (s *Server) detach(ctx context.Context) (context.Context, func()) {
	s.running.Add(1)
	ctx, release := Detach(ctx)
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			release()
			s.running.Add(-1)
		})
	}
}

// Wrap returns a Server in front of inner.
func Wrap(inner Inner) *Server {
	return &Server{inner: inner}
}

var (
	_ tfprotov6.ProviderServer                 = (*Server)(nil)
	_ tfprotov6.ProviderServerWithListResource = (*Server)(nil) //nolint:staticcheck // SA1019: tf6server still asserts it
	_ tfprotov6.ProviderServerWithActions      = (*Server)(nil) //nolint:staticcheck // SA1019: tf6server still asserts it
	_ tfprotov6.ProviderServerWithStateStores  = (*Server)(nil) //nolint:staticcheck // SA1019: tf6server still asserts it
)

// call runs one unary RPC on a detached context.
func call[Req, Resp any](s *Server, ctx context.Context, req Req, rpc func(context.Context, Req) (Resp, error)) (Resp, error) {
	ctx, release := s.detach(ctx)
	defer release()
	return rpc(ctx, req)
}

// stream runs an RPC that answers with an iterator, which tf6server drains
// after the method returns: the context is released once the iterator is
// done, or at once when there is nothing to drain.
func stream[Req, Resp, T any](s *Server, ctx context.Context, req Req, rpc func(context.Context, Req) (*Resp, error), seq func(*Resp) *iter.Seq[T]) (*Resp, error) {
	ctx, release := s.detach(ctx)
	resp, err := rpc(ctx, req)
	if err != nil || resp == nil || *seq(resp) == nil {
		release()
		return resp, err
	}
	p := seq(resp)
	inner := *p
	*p = func(yield func(T) bool) {
		defer release()
		inner(yield)
	}
	return resp, nil
}

// --- provider -----------------------------------------------------------

func (s *Server) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return call(s, ctx, req, s.inner.GetMetadata)
}

func (s *Server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return call(s, ctx, req, s.inner.GetProviderSchema)
}

func (s *Server) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return call(s, ctx, req, s.inner.GetResourceIdentitySchemas)
}

func (s *Server) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return call(s, ctx, req, s.inner.ValidateProviderConfig)
}

func (s *Server) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return call(s, ctx, req, s.inner.ConfigureProvider)
}

// StopProvider is passed on like every RPC: the framework cancels the
// contexts it registered, which cancels the RPCs still running (their
// detached contexts are the parents of the registered ones).
func (s *Server) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return call(s, ctx, req, s.inner.StopProvider)
}

// --- managed resources --------------------------------------------------------

func (s *Server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return call(s, ctx, req, s.inner.ValidateResourceConfig)
}

func (s *Server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return call(s, ctx, req, s.inner.UpgradeResourceState)
}

func (s *Server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return call(s, ctx, req, s.inner.ReadResource)
}

func (s *Server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return call(s, ctx, req, s.inner.PlanResourceChange)
}

func (s *Server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return call(s, ctx, req, s.inner.ApplyResourceChange)
}

func (s *Server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return call(s, ctx, req, s.inner.ImportResourceState)
}

func (s *Server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return call(s, ctx, req, s.inner.MoveResourceState)
}

func (s *Server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return call(s, ctx, req, s.inner.UpgradeResourceIdentity)
}

func (s *Server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return call(s, ctx, req, s.inner.GenerateResourceConfig)
}

// --- data sources -------------------------------------------------------------

func (s *Server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return call(s, ctx, req, s.inner.ValidateDataResourceConfig)
}

func (s *Server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return call(s, ctx, req, s.inner.ReadDataSource)
}

// --- functions ----------------------------------------------------------------

func (s *Server) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return call(s, ctx, req, s.inner.CallFunction)
}

func (s *Server) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return call(s, ctx, req, s.inner.GetFunctions)
}

// --- ephemeral resources ------------------------------------------------------

func (s *Server) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return call(s, ctx, req, s.inner.ValidateEphemeralResourceConfig)
}

func (s *Server) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return call(s, ctx, req, s.inner.OpenEphemeralResource)
}

func (s *Server) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return call(s, ctx, req, s.inner.RenewEphemeralResource)
}

func (s *Server) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return call(s, ctx, req, s.inner.CloseEphemeralResource)
}

// --- list resources -----------------------------------------------------------

func (s *Server) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return call(s, ctx, req, s.inner.ValidateListResourceConfig)
}

func (s *Server) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return stream(s, ctx, req, s.inner.ListResource, func(r *tfprotov6.ListResourceServerStream) *iter.Seq[tfprotov6.ListResourceResult] {
		return &r.Results
	})
}

// --- actions ------------------------------------------------------------------

func (s *Server) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return call(s, ctx, req, s.inner.ValidateActionConfig)
}

func (s *Server) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return call(s, ctx, req, s.inner.PlanAction)
}

func (s *Server) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return stream(s, ctx, req, s.inner.InvokeAction, func(r *tfprotov6.InvokeActionServerStream) *iter.Seq[tfprotov6.InvokeActionEvent] {
		return &r.Events
	})
}

// --- state stores -------------------------------------------------------------

func (s *Server) ValidateStateStoreConfig(ctx context.Context, req *tfprotov6.ValidateStateStoreConfigRequest) (*tfprotov6.ValidateStateStoreConfigResponse, error) {
	return call(s, ctx, req, s.inner.ValidateStateStoreConfig)
}

func (s *Server) ConfigureStateStore(ctx context.Context, req *tfprotov6.ConfigureStateStoreRequest) (*tfprotov6.ConfigureStateStoreResponse, error) {
	return call(s, ctx, req, s.inner.ConfigureStateStore)
}

func (s *Server) ReadStateBytes(ctx context.Context, req *tfprotov6.ReadStateBytesRequest) (*tfprotov6.ReadStateBytesStream, error) {
	return stream(s, ctx, req, s.inner.ReadStateBytes, func(r *tfprotov6.ReadStateBytesStream) *iter.Seq[tfprotov6.ReadStateByteChunk] {
		return &r.Chunks
	})
}

// WriteStateBytes reads its request stream before it returns, so it is an
// ordinary call.
func (s *Server) WriteStateBytes(ctx context.Context, req *tfprotov6.WriteStateBytesStream) (*tfprotov6.WriteStateBytesResponse, error) {
	return call(s, ctx, req, s.inner.WriteStateBytes)
}

func (s *Server) GetStates(ctx context.Context, req *tfprotov6.GetStatesRequest) (*tfprotov6.GetStatesResponse, error) {
	return call(s, ctx, req, s.inner.GetStates)
}

func (s *Server) DeleteState(ctx context.Context, req *tfprotov6.DeleteStateRequest) (*tfprotov6.DeleteStateResponse, error) {
	return call(s, ctx, req, s.inner.DeleteState)
}

func (s *Server) LockState(ctx context.Context, req *tfprotov6.LockStateRequest) (*tfprotov6.LockStateResponse, error) {
	return call(s, ctx, req, s.inner.LockState)
}

func (s *Server) UnlockState(ctx context.Context, req *tfprotov6.UnlockStateRequest) (*tfprotov6.UnlockStateResponse, error) {
	return call(s, ctx, req, s.inner.UnlockState)
}
