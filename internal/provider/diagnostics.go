package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// apiErrorDiag turns a client error into one diagnostic whose detail says
// what went wrong and what to do about it. The client's error texts hold no
// secret and already carry the hints for 401 and 403.
func apiErrorDiag(action string, err error) diag.Diagnostic {
	detail := err.Error()
	switch {
	case lm.IsRateLimited(err):
		detail += "\n\nLogicMonitor's rate limit was still exceeded when the provider stopped retrying. " +
			"Lower -parallelism, or give the operation more time in the resource's timeouts block."
	case errors.Is(err, context.DeadlineExceeded):
		detail += "\n\nLogicMonitor did not answer successfully within the operation's time limit. Check that the portal " +
			"is reachable; a resource's timeouts block gives its operations more time (default 20 minutes)."
	case lm.IsUnreachable(err):
		detail += "\n\nThe portal has not answered once since the provider started. Check the URL's host and port, " +
			"and the way there (a proxy in HTTPS_PROXY, a firewall). connect_timeout in the provider block sets how long " +
			"a portal that has not answered yet is retried (default 30s)."
	}
	if errors.Is(err, context.Canceled) {
		detail += "\n\nTerraform stopped the operation (an interrupt, or the CLI shutting down) while the provider " +
			"was still trying; the failure above is why it had not succeeded."
	}
	return diag.NewErrorDiagnostic(fmt.Sprintf("Cannot %s", action), detail)
}

var errNotConfigured = errors.New("the lm provider is not configured yet: its configuration depends on values " +
	"known only after apply. Apply the resources it depends on first (terraform apply -target=...)")

// providerDataFrom type-checks the value Configure handed over.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	d, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T; this is a bug in the provider", v))
		return nil
	}
	return d
}

// toInt32 narrows a user or token id. The schemas' validators keep ids in
// int32 range (LogicMonitor's ids are int32), so the guard only protects
// against a future schema change.
func toInt32(v int64) int32 {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0
	}
	return int32(v)
}

// ready reports whether the provider could be configured, with the
// diagnostic that says why not.
func ready(d *providerData, diags *diag.Diagnostics) bool {
	if d == nil {
		diags.Append(apiErrorDiag("reach LogicMonitor", errNotConfigured))
		return false
	}
	return true
}

// parseStateID reads the numeric id of a user or role from state.
func parseStateID(typeName string, id types.String, diags *diag.Diagnostics) (int32, bool) {
	if diags.HasError() {
		return 0, false
	}
	n, err := strconv.ParseInt(id.ValueString(), 10, 32)
	if err != nil || n <= 0 {
		diags.AddError("Corrupt "+typeName+" state", fmt.Sprintf("id %q is not a positive number; remove the resource "+
			"from the state (terraform state rm) and import it again.", id.ValueString()))
		return 0, false
	}
	return int32(n), true
}
