package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/clock"
)

// TestTokenPlanWords: ModifyPlan's plan for a token with rotation_overlap
// (rotation in place, retirement of the previous key, both at once) and
// without it (a replacement, as before), and the words it says about each
// key, which never hold the secret.
func TestTokenPlanWords(t *testing.T) {
	ctx := context.Background()
	raw, err := tokenRawModels()
	if err != nil {
		t.Fatal(err)
	}
	base := rawTestModels(t)["full"] // token 146, created 2023-11-14, rotate_after 2160h
	base.RotationOverlap = timetypes.NewGoDurationNull()
	base.PreviousToken = noPreviousToken()
	created, _ := base.CreatedOn.ValueRFC3339Time()
	young, old := created.Add(time.Hour), created.Add(3000*time.Hour)
	retiresOn := created.Add(2 * time.Hour)
	withPrev := func(m apiTokenModel) apiTokenModel {
		m.PreviousToken = previousToken{ID: "145", AccessID: "prevAccessID00000000", RetiresOn: timetypes.NewRFC3339TimeValue(retiresOn)}.object()
		return m
	}
	overlap := func(m apiTokenModel) apiTokenModel {
		m.RotationOverlap = timetypes.NewGoDurationValueFromStringMust("24h")
		return m
	}
	retrigger := func(m apiTokenModel) apiTokenModel {
		m.RotationTriggers = types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v2")})
		return m
	}
	tests := []struct {
		name          string
		now           time.Time
		state, plan   apiTokenModel
		wantRotate    bool   // id unknown, previous_token the current token
		wantPrevious  string // "kept", "null", "current"
		wantReplace   bool
		wantWords     []string
		wantNoWarning bool
	}{
		{
			name: "no overlap, due: a replacement as before", now: old, state: base, plan: base,
			wantReplace: true, wantPrevious: "null", wantWords: []string{"the plan replaces it with a new token"},
		},
		{
			name: "overlap, due by age: rotates in place", now: old, state: overlap(base), plan: overlap(base),
			wantRotate: true, wantPrevious: "current",
			wantWords: []string{"Token 146 (access id 48v2wRzfK94y53sq5EuF) is due for rotation", "longer than rotate_after",
				"creates a new token", "stays enabled", "rotation_overlap (24h0m0s)", `disables it (on_destroy = "disable"`},
		},
		{
			name: "overlap, triggers changed: rotates in place", now: young, state: overlap(base), plan: retrigger(overlap(base)),
			wantRotate: true, wantPrevious: "current", wantWords: []string{"rotation_triggers changed"},
		},
		{
			name: "overlap not ended: nothing", now: young, state: withPrev(overlap(base)), plan: withPrev(overlap(base)),
			wantPrevious: "kept", wantNoWarning: true,
		},
		{
			name: "overlap ended: the previous key retires", now: retiresOn, state: withPrev(overlap(base)), plan: withPrev(overlap(base)),
			wantPrevious: "null",
			wantWords: []string{"The previous key (token 145, access id prevAccessID00000000) is retired",
				"its overlap ended at " + retiresOn.UTC().Format(time.RFC3339), "disables it"},
		},
		{
			name: "overlap ended without rotation_overlap any more: still retires", now: retiresOn, state: withPrev(base), plan: withPrev(base),
			wantPrevious: "null", wantWords: []string{"is retired"},
		},
		{
			name: "rotation while a previous key is recorded: it makes room", now: young, state: withPrev(overlap(base)), plan: retrigger(withPrev(overlap(base))),
			wantRotate: true, wantPrevious: "current",
			wantWords: []string{"token 145", "makes room for the new key", "rotation_triggers changed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock.Fixed{}
			clk.Set(tc.now)
			r := &apiTokenResource{data: &providerData{clock: clk}}
			sr, err := raw.state.set(ctx, &tc.state)
			if err != nil {
				t.Fatal(err)
			}
			pr, err := raw.state.set(ctx, &tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			var schema resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &schema)
			req := resource.ModifyPlanRequest{
				State: tfsdk.State{Schema: schema.Schema, Raw: sr},
				Plan:  tfsdk.Plan{Schema: schema.Schema, Raw: pr},
			}
			resp := &resource.ModifyPlanResponse{Plan: req.Plan}
			r.ModifyPlan(ctx, req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			got, err := raw.state.get(ctx, resp.Plan.Raw)
			if err != nil {
				t.Fatal(err)
			}
			if rotated := got.ID.IsUnknown() && got.AccessKey.IsUnknown() && got.CreatedOn.IsUnknown(); rotated != tc.wantRotate {
				t.Errorf("planned id %s, access key unknown %v, created_on %s; want a rotation: %v", got.ID, got.AccessKey.IsUnknown(), got.CreatedOn, tc.wantRotate)
			}
			prev, hasPrev := got.previous()
			switch tc.wantPrevious {
			case "null":
				if !got.PreviousToken.IsNull() {
					t.Errorf("previous_token %s, want null", got.PreviousToken)
				}
			case "kept":
				if !got.PreviousToken.Equal(tc.state.PreviousToken) {
					t.Errorf("previous_token %s, want it kept: %s", got.PreviousToken, tc.state.PreviousToken)
				}
			case "current":
				if !hasPrev || prev.ID != "146" || prev.AccessID != "48v2wRzfK94y53sq5EuF" || !prev.RetiresOn.IsUnknown() {
					t.Errorf("previous_token %s, want token 146 with retires_on unknown", got.PreviousToken)
				}
			}
			if replace := len(resp.RequiresReplace) > 0; replace != tc.wantReplace {
				t.Errorf("requires replace %v, want %v", resp.RequiresReplace, tc.wantReplace)
			}
			words := diagText(resp.Diagnostics)
			for _, w := range tc.wantWords {
				if !strings.Contains(words, w) {
					t.Errorf("the plan's words lack %q:\n%s", w, words)
				}
			}
			if tc.wantNoWarning && words != "" {
				t.Errorf("want no warning, got:\n%s", words)
			}
			if strings.Contains(words, "secret") {
				t.Errorf("the plan's words hold the access key:\n%s", words)
			}
		})
	}
}

func diagText(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}
