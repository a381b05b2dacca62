package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofrs/flock"
)

// LockDesktopBus gives the test the session bus's desktop services — the
// tray host (org.kde.StatusNotifierWatcher) and the notification daemon —
// to itself until it ends. `go test ./...` runs packages in parallel on
// one bus (scripts/test.sh): a test that plays the tray host and one that
// needs none would otherwise see each other's. The lock is a file lock
// named after the bus address, so only tests on the same bus wait.
func LockDesktopBus(t testing.TB) {
	t.Helper()
	sum := sha256.Sum256([]byte(os.Getenv("DBUS_SESSION_BUS_ADDRESS")))
	path := filepath.Join(os.TempDir(), "credworkbench-test-desktopbus-"+hex.EncodeToString(sum[:8])+".lock")
	l := flock.New(path)
	if err := l.Lock(); err != nil {
		t.Fatalf("locking the session bus's desktop services (%s): %v", path, err)
	}
	t.Cleanup(func() { _ = l.Unlock() })
}
