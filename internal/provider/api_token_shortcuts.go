package provider

import (
	"bytes"
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A plan of N lm_api_token calls ReadResource and PlanResourceChange N
// times each, and almost every call concludes that nothing changed. The
// framework reaches that conclusion through its general machinery: value
// copies, schema walks that rebuild the attribute map at every step,
// defaults, plan modifiers, semantic equality. At N=1000 that was about a
// quarter of the plan's wall time, against a do-nothing provider with the
// same schema (make bench). The shortcuts below answer exactly the unchanged
// case from the raw values and hand everything else to the framework:
//
//   - ReadResource: the refresh (refresh, which Read uses too) finds the
//     token as the state has it: the answer is the state as received. An API
//     error is answered with its diagnostics and the state, as Read would.
//   - PlanResourceChange: the proposed new state is the prior state, the
//     defaults of attributes the configuration leaves null hold already,
//     and ModifyPlan changes nothing: the plan is the prior state. With
//     plan equal to state, the schema's plan modifiers (RequiresReplace,
//     UseStateForUnknown) do nothing, and the framework marks no computed
//     value unknown.
//
// Anything else (private state, a changed value, a due rotation, a warning)
// goes to the framework. api_token_shortcuts_test.go checks each answer
// against the framework's own for the same request.

const apiTokenTypeName = "lm_api_token" //nolint:gosec // G101: a resource type name, not a credential

// ShortcutReadResource and ShortcutPlanResourceChange are the provider's
// serve.Shortcuts.
func (p *lmProvider) ShortcutReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, bool) {
	return p.short.ReadResource(ctx, req)
}

func (p *lmProvider) ShortcutPlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, bool) {
	return p.short.PlanResourceChange(ctx, req)
}

type apiTokenShortcuts struct {
	p *lmProvider

	once     sync.Once
	ok       bool // the schema is one the shortcuts understand
	schema   schema.Schema
	typ      tftypes.Type
	defaults map[string]tftypes.Value // attribute → its default
}

// init reads lm_api_token's schema once: its type, and the defaults the
// framework would set on null configuration values.
func (s *apiTokenShortcuts) init(ctx context.Context) bool {
	s.once.Do(func() {
		var resp resource.SchemaResponse
		(&apiTokenResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			return
		}
		s.schema = resp.Schema
		s.typ = resp.Schema.Type().TerraformType(ctx)
		s.defaults = map[string]tftypes.Value{}
		for name, a := range resp.Schema.Attributes {
			switch a := a.(type) {
			case schema.StringAttribute:
				if a.Default != nil {
					var d defaults.StringResponse
					a.Default.DefaultString(ctx, defaults.StringRequest{Path: path.Root(name)}, &d)
					if d.Diagnostics.HasError() || d.PlanValue.IsNull() || d.PlanValue.IsUnknown() {
						return
					}
					s.defaults[name] = tftypes.NewValue(tftypes.String, d.PlanValue.ValueString())
				}
			case schema.BoolAttribute:
				if a.Default != nil {
					var d defaults.BoolResponse
					a.Default.DefaultBool(ctx, defaults.BoolRequest{Path: path.Root(name)}, &d)
					if d.Diagnostics.HasError() || d.PlanValue.IsNull() || d.PlanValue.IsUnknown() {
						return
					}
					s.defaults[name] = tftypes.NewValue(tftypes.Bool, d.PlanValue.ValueBool())
				}
			case schema.Int64Attribute:
				if a.Default != nil {
					return // none today; the shortcuts would need to learn it
				}
			case schema.MapAttribute:
				if a.Default != nil {
					return
				}
			case schema.SetAttribute:
				if a.Default != nil {
					return
				}
			default:
				return // an attribute kind the shortcuts do not know
			}
		}
		s.ok = true
	})
	return s.ok
}

// resource is an lm_api_token configured as the framework would configure
// it, or nil before the provider is configured.
func (s *apiTokenShortcuts) resource(ctx context.Context, typeName string) *apiTokenResource {
	if typeName != apiTokenTypeName || !s.init(ctx) {
		return nil
	}
	data := s.p.data.Load()
	if data == nil {
		return nil
	}
	return &apiTokenResource{data: data}
}

func (s *apiTokenShortcuts) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, bool) {
	// Private state and identity carry framework bookkeeping (such as the
	// mark of a read right after import) that only the framework handles.
	if req.CurrentState == nil || len(req.Private) > 0 || req.CurrentIdentity != nil {
		return nil, false
	}
	r := s.resource(ctx, req.TypeName)
	if r == nil {
		return nil, false
	}
	current, err := req.CurrentState.Unmarshal(s.typ)
	if err != nil || current.IsNull() || !current.IsFullyKnown() {
		return nil, false
	}
	next, found, diags := r.refresh(ctx, current)
	if diags.HasError() {
		// The framework's answer to a failed Read: its diagnostics and the
		// state as it was. Answering here spares a second round of retries.
		pd, ok := protoDiagnostics(diags)
		if !ok {
			return nil, false
		}
		return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Diagnostics: pd}, true
	}
	if len(diags) > 0 || !found || !next.Equal(current) {
		return nil, false
	}
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState}, true
}

func (s *apiTokenShortcuts) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, bool) {
	if req.PriorState == nil || req.ProposedNewState == nil || req.Config == nil || len(req.PriorPrivate) > 0 || req.PriorIdentity != nil {
		return nil, false
	}
	// The CLI encodes the prior and the proposed state with one
	// deterministic encoder, so an unchanged resource comes as equal bytes.
	if len(req.PriorState.MsgPack) == 0 || !bytes.Equal(req.PriorState.MsgPack, req.ProposedNewState.MsgPack) {
		return nil, false
	}
	r := s.resource(ctx, req.TypeName)
	if r == nil {
		return nil, false
	}
	prior, err := req.PriorState.Unmarshal(s.typ)
	if err != nil || prior.IsNull() || !prior.IsFullyKnown() {
		return nil, false
	}
	config, err := req.Config.Unmarshal(s.typ)
	if err != nil || config.IsNull() {
		return nil, false
	}
	var priorAttrs, configAttrs map[string]tftypes.Value
	if prior.As(&priorAttrs) != nil || config.As(&configAttrs) != nil {
		return nil, false
	}
	for name, def := range s.defaults {
		if configAttrs[name].IsNull() && !priorAttrs[name].Equal(def) {
			return nil, false // the framework plans the default: a change
		}
	}
	mreq := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Raw: config, Schema: s.schema},
		State:  tfsdk.State{Raw: prior, Schema: s.schema},
		Plan:   tfsdk.Plan{Raw: prior, Schema: s.schema},
	}
	mresp := resource.ModifyPlanResponse{Plan: mreq.Plan}
	r.ModifyPlan(ctx, mreq, &mresp)
	if len(mresp.Diagnostics) > 0 || len(mresp.RequiresReplace) > 0 || mresp.Deferred != nil || !mresp.Plan.Raw.Equal(prior) {
		return nil, false
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState}, true
}

// protoDiagnostics converts diagnostics without attribute paths, as the
// framework would; ok=false when one has a path.
func protoDiagnostics(diags diag.Diagnostics) ([]*tfprotov6.Diagnostic, bool) {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		if _, withPath := d.(diag.DiagnosticWithPath); withPath {
			return nil, false
		}
		sev := tfprotov6.DiagnosticSeverityWarning
		if d.Severity() == diag.SeverityError {
			sev = tfprotov6.DiagnosticSeverityError
		}
		out = append(out, &tfprotov6.Diagnostic{Severity: sev, Summary: d.Summary(), Detail: d.Detail()})
	}
	return out, true
}
