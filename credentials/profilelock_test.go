package credentials

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The per-profile lock excludes a second holder (also within one process:
// each call has its own file handle), times out with a clear error, and is
// free again once released.
func TestLockProfileTimeout(t *testing.T) {
	s := NewStore(filepath.Join(t.TempDir(), "profiles.json"))
	ctx := context.Background()
	unlock, err := s.LockProfile(ctx, "abc123", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.LockProfile(ctx, "abc123", 150*time.Millisecond)
	var le *ProfileLockError
	if !errors.As(err, &le) || !errors.Is(err, ErrProfileLocked) {
		t.Fatalf("second holder: %v, want a ProfileLockError", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Errorf("gave up after %s, want about 150ms", d)
	}
	if !strings.Contains(err.Error(), "another process") || !strings.Contains(err.Error(), "try again") {
		t.Errorf("unclear error: %v", err)
	}
	// Another profile is not blocked.
	other, err := s.LockProfile(ctx, "def456", 150*time.Millisecond)
	if err != nil {
		t.Fatalf("another profile's lock: %v", err)
	}
	other()
	// A cancelled wait ends at once.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.LockProfile(cctx, "abc123", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
	unlock()
	again, err := s.LockProfile(ctx, "abc123", 150*time.Millisecond)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
	if _, err := s.LockProfile(ctx, "../x", time.Second); err == nil {
		t.Error("a path as profile ID was accepted")
	}
}
