package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// defaultTimeout bounds each operation of a resource whose timeouts block
// does not set it.
const defaultTimeout = 20 * time.Minute

// timeoutsAttrTypes is the object type of the timeouts block, for states
// written without one (import).
func timeoutsAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"create": types.StringType, "read": types.StringType,
		"update": types.StringType, "delete": types.StringType,
	}
}

// withTimeout bounds an operation of a resource by its timeouts block
// (get is one of timeouts.Value's Create, Read, Update or Delete), 20
// minutes when the block does not set it. ok is false, with the
// diagnostic, when the block's value is invalid; cancel is always set.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, ok bool) {
	d, ds := get(ctx, defaultTimeout)
	diags.Append(ds...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel = context.WithTimeout(ctx, d)
	return ctx, cancel, true
}

// slowRefreshAfter is how long a refresh may spend retrying before its
// success comes with a warning: at the default log level, that warning is
// all a user learns of why the run was slow.
const slowRefreshAfter = 30 * time.Second

// slowWatch tracks the retries of one refresh (a resource's or a data
// source's Read).
type slowWatch struct {
	track *lm.RetryTrack
	after time.Duration
}

// watchSlow returns ctx with its client calls' retries tracked.
func watchSlow(ctx context.Context) (context.Context, slowWatch) {
	ctx, track := lm.TrackRetries(ctx)
	return ctx, slowWatch{track: track, after: slowRefreshAfter}
}

// due reports whether the refresh has retried for longer than
// slowRefreshAfter.
func (w slowWatch) due() bool {
	n, since, _ := w.track.Retried()
	return n > 0 && since >= w.after
}

// warn adds a warning to a refresh that succeeded after retrying for
// longer than slowRefreshAfter. what names what was read ("role 7").
func (w slowWatch) warn(diags *diag.Diagnostics, what string) {
	if !w.due() || diags.HasError() {
		return
	}
	n, since, last := w.track.Retried()
	retries := "1 retry"
	if n != 1 {
		retries = fmt.Sprintf("%d retries", n)
	}
	diags.AddWarning("LogicMonitor was slow to answer",
		fmt.Sprintf("Reading %s succeeded only after %s over %s; the last failure was: %s. "+
			"If this persists, check the portal's status and the network path to it; TF_LOG=WARN shows each retry as it happens.",
			what, retries, time.Duration(since.Seconds())*time.Second, last))
}

// lookupTimeout bounds the look-up that explains a failed create, which
// runs after the create's own context may have ended.
const lookupTimeout = 10 * time.Second
