package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// TestStaleFilter: the stale-key conditions on tokens that were used
// recently, long ago and never, young and old.
func TestStaleFilter(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int) int64 { return now.AddDate(0, 0, -n).Unix() }
	tokens := map[string]lm.APIToken{
		"used today":            {ID: 1, CreatedOn: day(400), LastUsedOn: day(0)},
		"used 100 days ago":     {ID: 2, CreatedOn: day(400), LastUsedOn: day(100)},
		"never used, old":       {ID: 3, CreatedOn: day(200)},
		"never used, yesterday": {ID: 4, CreatedOn: day(1)},
	}
	none := staleFilterModel{
		UnusedFor: timetypes.NewGoDurationNull(), NotUsedSince: timetypes.NewRFC3339Null(),
		NeverUsed: types.BoolNull(), CreatedBefore: timetypes.NewRFC3339Null(),
	}
	with := func(change func(*staleFilterModel)) staleFilterModel { m := none; change(&m); return m }
	for name, c := range map[string]struct {
		cfg  staleFilterModel
		want []string
	}{
		"no filter": {none, []string{"used today", "used 100 days ago", "never used, old", "never used, yesterday"}},
		"unused for 90 days": {with(func(m *staleFilterModel) {
			m.UnusedFor = timetypes.NewGoDurationValueFromStringMust("2160h")
		}), []string{"used 100 days ago", "never used, old"}},
		"not used since 150 days ago": {with(func(m *staleFilterModel) {
			m.NotUsedSince = timetypes.NewRFC3339TimeValue(now.AddDate(0, 0, -150))
		}), []string{"never used, old"}},
		"never used": {with(func(m *staleFilterModel) { m.NeverUsed = types.BoolValue(true) }),
			[]string{"never used, old", "never used, yesterday"}},
		"used at least once": {with(func(m *staleFilterModel) { m.NeverUsed = types.BoolValue(false) }),
			[]string{"used today", "used 100 days ago"}},
		"created before 300 days ago": {with(func(m *staleFilterModel) {
			m.CreatedBefore = timetypes.NewRFC3339TimeValue(now.AddDate(0, 0, -300))
		}), []string{"used today", "used 100 days ago"}},
		"never used and idle for 30 days": {with(func(m *staleFilterModel) {
			m.NeverUsed = types.BoolValue(true)
			m.UnusedFor = timetypes.NewGoDurationValueFromStringMust("720h")
		}), []string{"never used, old"}},
		// Strictly before: a token used exactly at the cutoff is not idle.
		"cutoff is exclusive": {with(func(m *staleFilterModel) {
			m.NotUsedSince = timetypes.NewRFC3339TimeValue(now.AddDate(0, 0, -100))
		}), []string{"never used, old"}},
	} {
		f, err := c.cfg.resolve(now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for tn, tok := range tokens {
			if !f.active() || f.match(tok) {
				got = append(got, tn)
			}
		}
		if !sameSet(got, c.want) {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] {
			return false
		}
	}
	return true
}
