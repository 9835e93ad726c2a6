//go:build unix

package serve

import (
	"os"
	"testing"
	"time"
)

// TestParentGone: the watch closes its channel when the parent process id
// is not the one it started with, and only then.
func TestParentGone(t *testing.T) {
	select {
	case <-parentGone(os.Getppid(), 10*time.Millisecond):
		t.Error("reported gone while the parent lives")
	case <-time.After(100 * time.Millisecond):
	}
	select {
	case <-parentGone(os.Getppid()+1, 10*time.Millisecond):
	case <-time.After(time.Second):
		t.Error("a changed parent process id was not noticed")
	}
}
