package provider

import (
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
)

// listResults turns a paged API listing into list results: one per item
// that keep accepts (nil keeps all), made by result, until Terraform stops
// reading or the list block's limit is reached, which saves the pages
// after it. An API error becomes a last result carrying errDiag's
// diagnostic.
func listResults[T any](req list.ListRequest, items iter.Seq2[T, error], keep func(T) bool,
	result func(T) list.ListResult, errDiag func(error) diag.Diagnostic,
) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		var sent int64
		for it, err := range items {
			if err != nil {
				push(list.ListResult{Diagnostics: diag.Diagnostics{errDiag(err)}})
				return
			}
			if keep != nil && !keep(it) {
				continue
			}
			if !push(result(it)) {
				return
			}
			// Terraform stops reading at its limit (100 unless the list
			// block sets one).
			if sent++; req.Limit > 0 && sent >= req.Limit {
				return
			}
		}
	}
}

// listFailed is a list whose only result is diags.
func listFailed(stream *list.ListResultsStream, diags diag.Diagnostics) {
	stream.Results = list.ListResultsStreamDiagnostics(diags)
}
