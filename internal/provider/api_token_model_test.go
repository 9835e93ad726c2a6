package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
)

// TestRotationDueOn: created_on plus rotate_after, null without
// rotate_after, unknown while either input is unknown.
func TestRotationDueOn(t *testing.T) {
	created := timetypes.NewRFC3339ValueMust("2026-01-01T00:00:00Z")
	days90 := timetypes.NewGoDurationValueFromStringMust("2160h")
	for name, c := range map[string]struct {
		created timetypes.RFC3339
		after   timetypes.GoDuration
		want    timetypes.RFC3339
	}{
		"both known":           {created, days90, timetypes.NewRFC3339ValueMust("2026-04-01T00:00:00Z")},
		"sub-day duration":     {created, timetypes.NewGoDurationValueFromStringMust("1h30m"), timetypes.NewRFC3339ValueMust("2026-01-01T01:30:00Z")},
		"no rotate_after":      {created, timetypes.NewGoDurationNull(), timetypes.NewRFC3339Null()},
		"new token":            {timetypes.NewRFC3339Unknown(), days90, timetypes.NewRFC3339Unknown()},
		"new token, no limit":  {timetypes.NewRFC3339Unknown(), timetypes.NewGoDurationNull(), timetypes.NewRFC3339Null()},
		"rotate_after unknown": {created, timetypes.NewGoDurationUnknown(), timetypes.NewRFC3339Unknown()},
		"no created_on":        {timetypes.NewRFC3339Null(), days90, timetypes.NewRFC3339Null()},
	} {
		if got := rotationDueOn(c.created, c.after); !got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
}
