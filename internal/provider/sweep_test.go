package provider_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
)

// TestMain: the sweepers of the types registered in internal/acctest (go
// test ./internal/provider -sweep=all, as make sweep runs it) and, against
// a real portal, the check that the tests leave nothing behind.
func TestMain(m *testing.M) { acctest.TestMain(m) }

// sweep runs this test binary as make sweep runs the package's tests
// (-sweep=all), with the provider's environment replaced by env, and
// returns its output and whether it exited 0.
func sweep(t *testing.T, env ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-sweep=all")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(acctest.ProviderEnv, name) && !strings.HasPrefix(name, "LM_ACC_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running the sweeper: %v", err)
	}
	return string(out), err == nil
}

// TestSweeper runs the sweeper, as make sweep does, against a simulator
// holding test leftovers among tokens, users and roles that are not the
// tests': only the leftovers older than an hour go.
func TestSweeper(t *testing.T) {
	now := time.Now()
	old, young := now.Add(-2*time.Hour).Unix(), now.Add(-10*time.Minute).Unix()
	fixture := lmsim.DefaultFixture()
	const testUser = acctest.SvcPipelineID
	add := func(id, admin int32, typ, note string, created int64) {
		fixture.APITokens = append(fixture.APITokens, lmsim.Token{
			ID: id, AdminID: admin, Type: typ, Note: note, CreatedOn: created, Status: lmsim.StatusEnabled,
			AccessID: fmt.Sprintf("sweepTestAccessId%03d", id), AccessKey: fmt.Sprintf("sweep-test-access-key-%03d", id),
		})
	}
	// Leftovers: deleted.
	add(200, testUser, lmsim.TokenTypeLMv1, acctest.NotePrefix+"0badc0de ci pipeline", old)
	add(201, acctest.TerraformAdminID, lmsim.TokenTypeLMv1, acctest.NotePrefix+"0badc0de moves", old)
	add(202, testUser, lmsim.TokenTypeBearer, acctest.NotePrefix+"0badc0de bearer", old)
	add(203, testUser, lmsim.TokenTypeLMv1, lm.PendingNotePrefix+"5b0e8a4c-2f0e-4f5e-9d7a-0c1b2a3d4e5f", old)
	// Not the tests', or maybe a run in progress: kept.
	add(210, testUser, lmsim.TokenTypeLMv1, acctest.NotePrefix+"0badc0de still running", young)
	add(211, testUser, lmsim.TokenTypeLMv1, "production pipeline", old)
	add(212, testUser, lmsim.TokenTypeLMv1, "copied from tf-acc-test runs", old)
	add(213, testUser, lmsim.TokenTypeLMv1, "TF-ACC-TEST in capitals is someone else's", old)
	add(214, acctest.SeedAdminID, lmsim.TokenTypeLMv1, lm.PendingNotePrefix+"another user's create in flight", old)
	add(215, testUser, lmsim.TokenTypeBearer, "webhook", old)
	user := func(id int32, name string) {
		fixture.Admins = append(fixture.Admins, lmsim.Admin{
			ID: id, Username: name, Email: "sweep@example.com", APIOnly: true, Roles: []lmsim.RoleRef{{ID: 2}},
		})
	}
	// A user CreateUser made two hours ago goes (with its token); the
	// others stay.
	user(300, fmt.Sprintf("%s0badc0de-%d-a1b2", acctest.UserPrefix, old))
	add(216, 300, lmsim.TokenTypeLMv1, acctest.NotePrefix+"0badc0de user will vanish", young)
	user(301, fmt.Sprintf("%s0badc0de-%d-a1b2", acctest.UserPrefix, young))
	user(302, "tf-acc-tester")
	user(303, acctest.UserPrefix+"by-hand")
	// Roles named by acctest.Name: the old one goes (after the old user
	// that held it); the young one, and roles not named so, stay.
	role := func(id int32, name string) {
		fixture.Roles = append(fixture.Roles, lmsim.Role{ID: id, Name: name})
	}
	role(400, fmt.Sprintf("%s0badc0de-%d-ci-role", acctest.UserPrefix, old))
	for i := range fixture.Admins {
		if fixture.Admins[i].ID == 300 {
			fixture.Admins[i].Roles = []lmsim.RoleRef{{ID: 400}}
		}
	}
	role(401, fmt.Sprintf("%s0badc0de-%d-ci-role", acctest.UserPrefix, young))
	role(402, acctest.UserPrefix+"made-by-hand")
	role(403, "tf-acc-tester")
	sim, err := lmsim.Start(lmsim.Options{Fixture: fixture})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	var want, wantUsers, wantRoles []int32
	for _, tok := range sim.Server.Tokens() {
		if tok.ID < 200 || tok.ID >= 210 && tok.ID != 216 {
			want = append(want, tok.ID)
		}
	}
	for _, a := range sim.Server.Admins() {
		if a.ID != 300 {
			wantUsers = append(wantUsers, a.ID)
		}
	}
	for _, r := range sim.Server.Roles() {
		if r.ID != 400 {
			wantRoles = append(wantRoles, r.ID)
		}
	}
	slices.Sort(want)
	slices.Sort(wantUsers)
	slices.Sort(wantRoles)

	env := []string{"LM_BASE_URL=" + sim.URL, "LM_ACCESS_ID=" + lmsim.DefaultAdminAccessID,
		"LM_ACCESS_KEY=" + lmsim.DefaultAdminAccessKey, fmt.Sprintf("LM_ACC_ADMIN_ID=%d", testUser)}
	// The second run finds nothing more to do.
	for run, deleted := range []string{"4 test tokens, 1 test users and 1 test roles", "0 test tokens, 0 test users and 0 test roles"} {
		out, ok := sweep(t, env...)
		if !ok {
			t.Fatalf("sweep %d failed:\n%s", run+1, out)
		}
		if want := "sweeper: " + deleted + " older than 1h0m0s deleted from " + sim.URL + "\n"; !strings.Contains(out, want) {
			t.Errorf("sweep %d: no closing line %q in its output:\n%s", run+1, want, out)
		}
		if got := ids(sim.Server.Tokens(), func(tok lmsim.Token) int32 { return tok.ID }); !slices.Equal(got, want) {
			t.Fatalf("after sweep %d the tokens are %v, want %v", run+1, got, want)
		}
		if got := ids(sim.Server.Admins(), func(a lmsim.Admin) int32 { return a.ID }); !slices.Equal(got, wantUsers) {
			t.Fatalf("after sweep %d the users are %v, want %v", run+1, got, wantUsers)
		}
		if got := ids(sim.Server.Roles(), func(r lmsim.Role) int32 { return r.ID }); !slices.Equal(got, wantRoles) {
			t.Fatalf("after sweep %d the roles are %v, want %v", run+1, got, wantRoles)
		}
		if run > 0 {
			continue
		}
		// Each type's sweeper after those it depends on: the role (held
		// by the user until the user goes) would not delete otherwise.
		lines := []string{`sweeper: deleted lmv1 token 200 of user 140, created `, `sweeper: deleted user 300 "`, `sweeper: deleted role 400 "`}
		at := -1
		for _, l := range lines {
			i := strings.Index(out, l)
			if i <= at {
				t.Errorf("sweep 1: %q missing or out of order (tokens, then users, then roles):\n%s", l, out)
			}
			at = i
		}
	}
	if n := sim.Server.Stats().Requests["DELETE"]; n != 6 {
		t.Errorf("%d DELETE requests, want 6 (one per leftover)", n)
	}
}

// ids returns the sorted ids of items.
func ids[T any](items []T, id func(T) int32) []int32 {
	out := make([]int32, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	slices.Sort(out)
	return out
}

// TestSweeper_needsAPortal: without a portal in the environment the
// sweeper fails and says how to name one, both ways.
func TestSweeper_needsAPortal(t *testing.T) {
	out, ok := sweep(t)
	if ok {
		t.Fatalf("the sweeper ran without a portal:\n%s", out)
	}
	for _, want := range []string{"LM_COMPANY", "LM_DOMAIN", "LM_BASE_URL", "LM_ACCESS_ID", "LM_ACCESS_KEY", "LM_BEARER_TOKEN"} {
		if !strings.Contains(out, want) {
			t.Errorf("the sweeper's output does not mention %s:\n%s", want, out)
		}
	}
}
