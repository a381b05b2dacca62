package testenv

import (
	"os"
	"os/user"
	"strconv"
	"testing"
	"time"
)

// Nobody is the uid and gid of the user "nobody", for tests that plant
// files of another user. Planting needs root (chown): without it the test
// is skipped, or fails under CI=true. Running as root, the product's owner
// checks still bite: they compare with os.Getuid(), and 65534 is not 0.
func Nobody(t testing.TB) (uid, gid int) {
	t.Helper()
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test plants files owned by another user and needs root (chown); CI must run it as root")
		}
		t.Skip("needs root to chown files to nobody")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("no user nobody: %v", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid
}

// Within runs fn and returns its error, failing the test when fn has not
// returned after d: for opens that a planted FIFO would block for ever.
func Within(t testing.TB, d time.Duration, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still blocked after %s", d)
		return nil
	}
}
