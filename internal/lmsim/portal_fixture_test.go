package lmsim

import "testing"

// TestPortalFixture: the account make test's portal-mode pass starts
// cmd/lmsim with loads, and is not the default one (the portal-mode suite
// must not lean on the default fixture's ids and names).
func TestPortalFixture(t *testing.T) {
	f, err := LoadFixture("testdata/portal_fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultFixture()
	for _, a := range f.Admins {
		for _, d := range def.Admins {
			if a.ID == d.ID || a.Username == d.Username {
				t.Errorf("user %d %q is also in the default fixture", a.ID, a.Username)
			}
		}
	}
	for _, tok := range f.APITokens {
		for _, d := range def.APITokens {
			if tok.ID == d.ID || tok.AccessID == d.AccessID {
				t.Errorf("token %d %q is also in the default fixture", tok.ID, tok.AccessID)
			}
		}
	}
}
