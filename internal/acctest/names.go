package acctest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NotePrefix starts the note of every token an acceptance test creates, so
// that the sweeper (make sweep) can recognise leftovers of an interrupted
// run in a real account, and touch nothing else.
const NotePrefix = "tf-acc-test "

// runID tells this test process's tokens from those of a run going on in
// parallel against the same portal.
var runID = func() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}()

// Note is the note a test gives a token it creates: NotePrefix, this run's
// id, then what. Within one run, what must be unique to the test, so that a
// filter on the note finds only that test's tokens.
func Note(what string) string { return NotePrefix + runID + " " + what }

// RunNotePrefix is the start of every note Note makes in this process.
func RunNotePrefix() string { return NotePrefix + runID + " " }

// UserPrefix starts the name of every user and role an acceptance test
// creates (CreateUser, Name), followed by the run id and the creation time,
// which LogicMonitor does not otherwise show for users and roles: the
// sweeper reads the age from the name.
const UserPrefix = "tf-acc-test-"

// Name is the name of a user or role a test creates through Terraform:
// UserPrefix, the run id, the time and what, which must be unique within
// the suite (roles and usernames are unique in a portal, and other tests
// run in parallel). The sweeper and the leftover check recognise it.
func Name(what string) string { return objectName(time.Now(), what) }

// objectName is UserPrefix, the run id, the time in epoch seconds and what.
func objectName(now time.Time, what string) string {
	return fmt.Sprintf("%s%s-%d-%s", UserPrefix, runID, now.Unix(), what)
}

// testUserCreated reads the creation time from a name objectName made
// (a user's or a role's); false for any other name.
func testUserCreated(username string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(username, UserPrefix)
	if !ok {
		return time.Time{}, false
	}
	parts := strings.SplitN(rest, "-", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}
