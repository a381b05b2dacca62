package credentials

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
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

// A store write waits only so long for another process's lock on the
// profile or state file, then says which lock is held and what to do
// (it used to wait for ever); once the lock is free, writes go on.
func TestStoreLockTimesOut(t *testing.T) {
	s := NewStore(filepath.Join(t.TempDir(), "profiles.json"))
	s.profiles.wait, s.states.wait = 150*time.Millisecond, 150*time.Millisecond
	if err := s.Update(func(ps []Profile) ([]Profile, error) { return append(ps, appProfile("api")), nil }); err != nil {
		t.Fatal(err)
	}
	writes := map[string]func() error{
		s.Path(): func() error { return s.Update(func(ps []Profile) ([]Profile, error) { return ps, nil }) },
		s.StatePath(): func() error {
			return s.UpdateState(func(ps []Profile) error { ps[0].LastStatus = StatusActive; return nil })
		},
	}
	for path, write := range writes {
		held, err := fileguard.Lock(context.Background(), path+".lock", 0)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = write()
		var le *LockError
		if !errors.As(err, &le) || !errors.Is(err, ErrStoreLocked) {
			t.Fatalf("%s held: %v, want a LockError", path, err)
		}
		if d := time.Since(start); d < 150*time.Millisecond || d > 5*time.Second {
			t.Errorf("%s: gave up after %s, want about 150ms", path, d)
		}
		for _, want := range []string{"another process", filepath.Base(path) + ".lock", "try again"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not say %q", path, err, want)
			}
		}
		held()
		if err := write(); err != nil {
			t.Fatalf("%s after release: %v", path, err)
		}
	}
}
