package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// The filter sends each condition LogicMonitor's way, quoting text so that
// a quote, a comma or a bar in it cannot split or end the condition.
func TestUserListFilter(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  userListModel
		want string
	}{
		{"none", userListModel{UsernameContains: types.StringNull(), APIOnly: types.BoolNull(), Status: types.StringNull()}, ""},
		{"all", userListModel{UsernameContains: types.StringValue("svc"), APIOnly: types.BoolValue(false), Status: types.StringValue("active")},
			`username~"svc",apionly:false,status:"active"`},
		{"quoted", userListModel{UsernameContains: types.StringValue(`a"b,c|d\`), APIOnly: types.BoolNull(), Status: types.StringNull()},
			`username~"a\"b,c|d\\"`},
	} {
		if got := userListFilter(tc.cfg); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestListDisplayNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{userDisplayName(lm.Admin{Username: "jdoe", Email: "j@example.com", Status: lm.AdminActive}), "jdoe <j@example.com>"},
		{userDisplayName(lm.Admin{Username: "svc", Email: "s@example.com", APIOnly: true, Status: lm.AdminSuspended}),
			"svc <s@example.com> (API-only, suspended)"},
		{roleDisplayName(lm.Role{Name: "ci", AssociatedUserCount: 1, Privileges: make([]lm.Privilege, 1)}), "ci (1 user, 1 privilege)"},
		{roleDisplayName(lm.Role{Name: "empty"}), "empty (0 users, 0 privileges)"},
	} {
		if tc.got != tc.want {
			t.Errorf("display name %q, want %q", tc.got, tc.want)
		}
	}
}
