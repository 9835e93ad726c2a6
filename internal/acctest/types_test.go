package acctest

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// TestTypes: every type the provider manages is registered, in the order
// its objects must be swept: tokens before their users, users before the
// roles they hold.
func TestTypes(t *testing.T) {
	var names []string
	for _, typ := range registeredTypes() {
		names = append(names, typ.Name)
	}
	if want := []string{"lm_api_token", "lm_user", "lm_role"}; !slices.Equal(names, want) {
		t.Fatalf("registered types in sweep order: %v, want %v", names, want)
	}
}

// TestSweepOrder: dependencies first, then by name; an unknown dependency
// or a cycle is an error naming it.
func TestSweepOrder(t *testing.T) {
	typ := func(name string, after ...string) Type { return Type{Name: name, SweepAfter: after} }
	got, err := sweepOrder([]Type{typ("c", "b"), typ("a"), typ("d"), typ("b", "d")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range got {
		names = append(names, x.Name)
	}
	if want := []string{"a", "d", "b", "c"}; !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	for _, tc := range []struct {
		types []Type
		want  string
	}{
		{[]Type{typ("a", "x")}, "a sweeps after x, which is not registered"},
		{[]Type{typ("a", "b"), typ("b", "a")}, "SweepAfter has a cycle: a → b → a"},
	} {
		if _, err := sweepOrder(tc.types); err == nil || err.Error() != tc.want {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

// TestSweepSummary: the closing line internal/cmd/lmtestsum reads, with
// the types that swept in sweep order.
func TestSweepSummary(t *testing.T) {
	registry.Lock()
	saved, savedFrom := registry.swept, registry.sweptFrom
	registry.swept, registry.sweptFrom = map[string]int{"lm_role": 1, "lm_api_token": 3, "lm_user": 2}, "http://127.0.0.1:1/santaba/rest"
	registry.Unlock()
	t.Cleanup(func() {
		registry.Lock()
		registry.swept, registry.sweptFrom = saved, savedFrom
		registry.Unlock()
	})
	got := sweepSummary()
	want := "sweeper: 3 test tokens, 2 test users and 1 test roles older than 1h0m0s deleted from http://127.0.0.1:1/santaba/rest"
	if got != want {
		t.Errorf("closing line\n%s\nwant\n%s", got, want)
	}
	// What lmtestsum matches (internal/cmd/lmtestsum/stream.go).
	if !regexp.MustCompile(`^sweeper: ([0-9]+) test tokens, ([0-9]+) test users and ([0-9]+) test roles `).MatchString(got) {
		t.Errorf("lmtestsum would not read %q", got)
	}
}

// TestCheckDestroyNeedsARegisteredType: an lm_ resource of a type no file
// registered fails the destroy check instead of passing unchecked; other
// providers' resources are not the check's business.
func TestCheckDestroyNeedsARegisteredType(t *testing.T) {
	state := func(typ string) *terraform.State {
		return &terraform.State{Modules: []*terraform.ModuleState{{
			Path:      []string{"root"},
			Resources: map[string]*terraform.ResourceState{typ + ".x": {Type: typ, Primary: &terraform.InstanceState{ID: "7"}}},
		}}}
	}
	e := &Env{}
	if err := e.CheckDestroy(state("lm_widget")); err == nil || !strings.Contains(err.Error(), "lm_widget: no destroy check") {
		t.Errorf("an unregistered lm_widget: %v", err)
	}
	if err := e.CheckDestroy(state("terraform_data")); err != nil {
		t.Errorf("terraform_data: %v", err)
	}
	if _, ok := lookupType("lm_widget"); ok {
		t.Fatal("lm_widget is registered")
	}
}
