package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// Gone needs proof (DESIGN.md, "Gone needs proof"). A Read removes a
// token, user or role from the state only when LogicMonitor proved it
// gone:
//
//   - a 404 for it, or for its owner (its user, for a token): lm.IsNotFound,
//     which a 404 without LogicMonitor's error object (a proxy's page)
//     never satisfies; or
//   - a well-formed listing of exactly its owner's objects that lacks it:
//     the client returns a listing only as a complete, consistent set of
//     well-formed pages, and errs on anything less.
//
// Anything else, a strange answer (lm.IsMalformed) included, fails the
// Read and leaves the state as it was: forgetting a live token leaves it
// valid and tracked by nothing, and the next apply mints a second one.

// provesGone reports whether err, from a call for one object or for its
// owner, proves that the object no longer exists.
func provesGone(err error) bool { return lm.IsNotFound(err) }

// findIn looks for the object with id in a listing of exactly its owner's
// objects, as the client returns it. found=false is proof of absence: the
// listing is complete.
func findIn[T any](listing []T, id int32, idOf func(T) int32) (item T, found bool) {
	for _, it := range listing {
		if idOf(it) == id {
			return it, true
		}
	}
	return item, false
}

// goneWarning is the warning of a Read that drops its object: kind such as
// "Role", what such as `role 7 ("ci")`, why such as "it was deleted
// outside Terraform".
func goneWarning(kind, what, why string) diag.Diagnostic {
	return diag.NewWarningDiagnostic(kind+" no longer exists",
		fmt.Sprintf("LogicMonitor has no %s any more (%s). It is removed from the state; the next plan creates a new one.", what, why))
}

// removeGone ends the Read of a user or role that LogicMonitor proved
// gone: the warning, and the resource out of the state.
func removeGone(ctx context.Context, resp *resource.ReadResponse, id int32, kind, what string) {
	resp.Diagnostics.Append(goneWarning(kind, what, "it was deleted outside Terraform"))
	resp.State.RemoveResource(ctx)
	// The framework wants an identity after every Read that did not fail,
	// even one that removes the resource; a CLI without identity
	// (Terraform before 1.12) sent none to keep.
	setIDIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}
