package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Per-profile lock files (issue #23.6) go through the same lock opener as
// profiles.json.lock: a planted link, FIFO or file of another user in
// locks/ is refused, never followed or waited on, and so is a locks
// directory that is a link or not ours.
func TestSecurityProfileLockFiles(t *testing.T) {
	needUnix(t)
	uid, gid := nobody(t)
	ctx := context.Background()
	lockProfile := func(s *Store) error {
		return testenv.Within(t, 3*time.Second, func() error {
			unlock, err := s.LockProfile(ctx, "0123456789abcdef", time.Second)
			if unlock != nil {
				unlock()
			}
			return err
		})
	}
	plant := func(t *testing.T, make func(lock string)) *Store {
		s, _ := storeWith(t, "")
		if err := os.Mkdir(s.LockDir(), 0o700); err != nil {
			t.Fatal(err)
		}
		make(filepath.Join(s.LockDir(), "0123456789abcdef.lock"))
		return s
	}
	check := func(t *testing.T, err error, want string) {
		t.Helper()
		var ue *UnsafePathError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Fatalf("LockProfile: %v, want an unsafe-path error saying %q", err, want)
		}
	}
	t.Run("symlink", func(t *testing.T) {
		victim := filepath.Join(t.TempDir(), "victim")
		s := plant(t, func(lock string) {
			if err := os.Symlink(victim, lock); err != nil {
				t.Fatal(err)
			}
		})
		check(t, lockProfile(s), "symbolic link")
		if _, err := os.Lstat(victim); err == nil {
			t.Fatal("the lock file was created through the symlink")
		}
	})
	t.Run("fifo", func(t *testing.T) {
		s := plant(t, func(lock string) {
			if err := syscall.Mkfifo(lock, 0o600); err != nil {
				t.Fatal(err)
			}
		})
		check(t, lockProfile(s), "FIFO")
	})
	t.Run("file of another user", func(t *testing.T) {
		s := plant(t, func(lock string) {
			if err := os.WriteFile(lock, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(lock, uid, gid); err != nil {
				t.Fatal(err)
			}
		})
		check(t, lockProfile(s), "another user")
	})
	t.Run("locks directory of another user", func(t *testing.T) {
		s := plant(t, func(string) {})
		if err := os.Chown(s.LockDir(), uid, gid); err != nil {
			t.Fatal(err)
		}
		check(t, lockProfile(s), "another user")
	})
	t.Run("locks directory is a link", func(t *testing.T) {
		s, _ := storeWith(t, "")
		elsewhere := t.TempDir()
		if err := os.Symlink(elsewhere, s.LockDir()); err != nil {
			t.Fatal(err)
		}
		check(t, lockProfile(s), "symbolic link")
		if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
			t.Fatalf("a lock file was created through the linked directory: %v", entries)
		}
	})
	t.Run("store lock file of another user", func(t *testing.T) {
		s, _ := storeWith(t, "")
		if err := os.WriteFile(s.Path()+".lock", nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(s.Path()+".lock", uid, gid); err != nil {
			t.Fatal(err)
		}
		err := s.Update(func(ps []Profile) ([]Profile, error) { return ps, nil })
		check(t, err, "another user")
	})
}
