package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// The stale-key filters of the lm_api_tokens data source and the
// lm_api_token list resource. LogicMonitor's filter syntax has `<` and
// `>` and the token object has lastUsedOn, but that the API filters
// tokens on it is unconfirmed, and "idle" needs lastUsedOn or createdOn
// depending on whether the token was ever used, which one filter cannot
// say: so the provider lists the tokens the other settings select and
// applies these itself, against its own (injectable) clock.

// staleFilterModel is the filters' configuration; both surfaces embed it.
type staleFilterModel struct {
	UnusedFor     timetypes.GoDuration `tfsdk:"unused_for"`
	NotUsedSince  timetypes.RFC3339    `tfsdk:"not_used_since"`
	NeverUsed     types.Bool           `tfsdk:"never_used"`
	CreatedBefore timetypes.RFC3339    `tfsdk:"created_before"`
}

const (
	unusedForDescription = "Only tokens idle for at least this Go duration, such as `\"2160h\"` (90 days): last used " +
		"before now minus the duration, or never used and created before it (a token made yesterday has not been " +
		"idle for 90 days). Conflicts with `not_used_since`."
	notUsedSinceDescription = "Only tokens idle since this time (RFC 3339, such as `\"2026-01-01T00:00:00Z\"`): last " +
		"used before it, or never used and created before it. Conflicts with `unused_for`."
	neverUsedDescription = "`true`: only tokens that have never authenticated (LogicMonitor reports no `lastUsedOn`); " +
		"`false`: only tokens used at least once. Default: both."
	createdBeforeDescription = "Only tokens created before this time (RFC 3339)."
	staleFiltersNote         = " The provider applies `unused_for`, `not_used_since`, `never_used` and `created_before` " +
		"itself to the tokens LogicMonitor returns for the other settings (whether LogicMonitor's filter can select " +
		"tokens by `lastUsedOn` is unconfirmed), so a portal-wide stale-key query reads every token of the portal once."
)

func staleFilterDataSourceAttributes(attrs map[string]dsschema.Attribute) {
	attrs["unused_for"] = dsschema.StringAttribute{
		MarkdownDescription: unusedForDescription, Optional: true, CustomType: timetypes.GoDurationType{},
		Validators: []validator.String{positiveDuration{}, stringvalidator.ConflictsWith(path.MatchRoot("not_used_since"))},
	}
	attrs["not_used_since"] = dsschema.StringAttribute{
		MarkdownDescription: notUsedSinceDescription, Optional: true, CustomType: timetypes.RFC3339Type{},
	}
	attrs["never_used"] = dsschema.BoolAttribute{MarkdownDescription: neverUsedDescription, Optional: true}
	attrs["created_before"] = dsschema.StringAttribute{
		MarkdownDescription: createdBeforeDescription, Optional: true, CustomType: timetypes.RFC3339Type{},
	}
}

func staleFilterListAttributes(attrs map[string]listschema.Attribute) {
	attrs["unused_for"] = listschema.StringAttribute{
		MarkdownDescription: unusedForDescription, Optional: true, CustomType: timetypes.GoDurationType{},
		Validators: []validator.String{positiveDuration{}, stringvalidator.ConflictsWith(path.MatchRoot("not_used_since"))},
	}
	attrs["not_used_since"] = listschema.StringAttribute{
		MarkdownDescription: notUsedSinceDescription, Optional: true, CustomType: timetypes.RFC3339Type{},
	}
	attrs["never_used"] = listschema.BoolAttribute{MarkdownDescription: neverUsedDescription, Optional: true}
	attrs["created_before"] = listschema.StringAttribute{
		MarkdownDescription: createdBeforeDescription, Optional: true, CustomType: timetypes.RFC3339Type{},
	}
}

// staleFilter is staleFilterModel resolved against the clock: zero times
// and a nil neverUsed mean "no such condition".
type staleFilter struct {
	idleSince     time.Time
	neverUsed     *bool
	createdBefore time.Time
}

// resolve turns the configuration into a staleFilter at now. The values
// were validated by their types (timetypes) when the configuration was
// read, so a parse error here cannot happen; it is still reported.
func (m staleFilterModel) resolve(now time.Time) (staleFilter, error) {
	var f staleFilter
	if known(m.UnusedFor) {
		d, err := time.ParseDuration(m.UnusedFor.ValueString())
		if err != nil {
			return f, err
		}
		f.idleSince = now.Add(-d)
	}
	if known(m.NotUsedSince) {
		t, err := time.Parse(time.RFC3339, m.NotUsedSince.ValueString())
		if err != nil {
			return f, err
		}
		f.idleSince = t
	}
	if known(m.NeverUsed) {
		v := m.NeverUsed.ValueBool()
		f.neverUsed = &v
	}
	if known(m.CreatedBefore) {
		t, err := time.Parse(time.RFC3339, m.CreatedBefore.ValueString())
		if err != nil {
			return f, err
		}
		f.createdBefore = t
	}
	return f, nil
}

// active reports whether any condition is set, so that a listing without
// them keeps every token without looking.
func (f staleFilter) active() bool {
	return !f.idleSince.IsZero() || f.neverUsed != nil || !f.createdBefore.IsZero()
}

// match tells whether a token meets every condition. LogicMonitor gives
// times in epoch seconds, 0 for "never".
func (f staleFilter) match(t lm.APIToken) bool {
	used := t.LastUsedOn > 0
	if f.neverUsed != nil && *f.neverUsed == used {
		return false
	}
	if !f.createdBefore.IsZero() && !time.Unix(t.CreatedOn, 0).Before(f.createdBefore) {
		return false
	}
	if !f.idleSince.IsZero() {
		last := t.CreatedOn
		if used {
			last = t.LastUsedOn
		}
		if !time.Unix(last, 0).Before(f.idleSince) {
			return false
		}
	}
	return true
}

type knowable interface {
	IsNull() bool
	IsUnknown() bool
}

func known(v knowable) bool { return !v.IsNull() && !v.IsUnknown() }
