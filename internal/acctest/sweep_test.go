package acctest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

type runFunc func() int

func (f runFunc) Run() int { return f() }

// TestLeftoverCheck runs the check around fake test runs against a
// simulator named as a real portal: a run that leaves tokens fails, its
// test tokens are deleted, another run's tokens and tokens that were
// there before are not counted.
func TestLeftoverCheck(t *testing.T) {
	sim, err := lmsim.Start(lmsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	for _, v := range ProviderEnv {
		t.Setenv(v, "")
	}
	t.Setenv("LM_ACC_REAL_PORTAL", "1")
	t.Setenv("TF_ACC", "1")
	t.Setenv("LM_BASE_URL", sim.URL)
	t.Setenv("LM_ACCESS_ID", lmsim.DefaultAdminAccessID)
	t.Setenv("LM_ACCESS_KEY", lmsim.DefaultAdminAccessKey)
	t.Setenv("LM_ACC_ADMIN_ID", fmt.Sprint(SvcPipelineID))
	c, err := lm.New(lm.Config{BaseURL: sim.URL, AccessID: lmsim.DefaultAdminAccessID, AccessKey: lmsim.DefaultAdminAccessKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	create := func(admin int32, note string, typ string) *lm.APIToken {
		t.Helper()
		tok, err := c.CreateAPIToken(ctx, admin, lm.CreateAPITokenRequest{Note: note, Enabled: true, Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	notes := func() []string {
		var out []string
		for _, tok := range sim.Server.Tokens() {
			out = append(out, tok.Note)
		}
		slices.Sort(out)
		return out
	}
	create(SvcPipelineID, "there before the tests", "")

	clean := runFunc(func() int {
		tok := create(SvcPipelineID, Note("made and deleted"), "")
		if err := c.DeleteAPIToken(ctx, SvcPipelineID, tok.ID); err != nil {
			t.Fatal(err)
		}
		// A parallel run's token is that run's business.
		create(SvcPipelineID, NotePrefix+"0th3rrun parallel run", "")
		return 0
	})
	if code := LeftoverCheck(clean).Run(); code != 0 {
		t.Fatalf("a run that cleaned up: exit %d, want 0", code)
	}

	before := notes()
	var leakedUser lm.Admin
	var leakedRole *lm.Role
	leaky := runFunc(func() int {
		u, err := c.CreateAdmin(ctx, lm.AdminWrite{Username: testUserName(time.Now()), Email: "x@example.com", Password: "Tf-Acc-Test-9", Roles: []lm.RoleRef{{ID: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		leakedUser = *u
		if leakedRole, err = c.CreateRole(ctx, lm.RoleWrite{Name: Name("left-behind-role")}); err != nil {
			t.Fatal(err)
		}
		create(SvcPipelineID, Note("left behind"), "")
		create(TerraformAdminID, Note("left behind by another user"), lm.TokenTypeBearer)
		create(SvcPipelineID, "left behind without the test note", "")
		return 0
	})
	if code := LeftoverCheck(leaky).Run(); code != 1 {
		t.Fatalf("a run that left tokens: exit %d, want 1", code)
	}
	// The test tokens were deleted; the one without the note is reported
	// but kept, as it may not be the tests'.
	want := slices.Sorted(slices.Values(append(before, "left behind without the test note")))
	if got := notes(); !slices.Equal(got, want) {
		t.Fatalf("tokens after the check: %q, want %q", got, want)
	}
	if slices.ContainsFunc(sim.Server.Admins(), func(a lmsim.Admin) bool { return a.ID == leakedUser.ID }) {
		t.Fatalf("the test user %d the run left was not deleted", leakedUser.ID)
	}
	if slices.ContainsFunc(sim.Server.Roles(), func(r lmsim.Role) bool { return r.ID == leakedRole.ID }) {
		t.Fatalf("the test role %d the run left was not deleted", leakedRole.ID)
	}

	var kept []lm.APIToken
	if kept, err = c.ListAPITokens(ctx, SvcPipelineID, lm.ListOptions{Filter: `note:"there before the tests"`}); err != nil || len(kept) != 1 {
		t.Fatalf("finding the token made before the tests: %v %v", kept, err)
	}
	careless := runFunc(func() int {
		if err := c.DeleteAPIToken(ctx, SvcPipelineID, kept[0].ID); err != nil {
			t.Fatal(err)
		}
		return 0
	})
	if code := LeftoverCheck(careless).Run(); code != 1 {
		t.Fatalf("a run that deleted a token that was not the tests': exit %d, want 1", code)
	}

	failing := runFunc(func() int { return 3 })
	if code := LeftoverCheck(failing).Run(); code != 3 {
		t.Fatalf("a failing run: exit %d, want its own 3", code)
	}

	t.Setenv("LM_ACC_REAL_PORTAL", "")
	if code := LeftoverCheck(leaky).Run(); code != 0 {
		t.Fatalf("without LM_ACC_REAL_PORTAL the check must only run m: exit %d", code)
	}
}
