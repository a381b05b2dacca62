//go:build !windows

package tokens

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Sealed token files (issue #23.7) are read through the guards: a FIFO
// fails at once, a link is not followed (even to a valid sealed file), a
// file over the IdP answer limit plus the seal's overhead is refused, and
// a tokens directory of another user or writable by others is refused.
func TestSealedFilesThroughGuards(t *testing.T) {
	const id = "0123456789abcdef"
	sealed := func(t *testing.T) (*sealedFiles, sealedRef, string) {
		s := newSealedFiles(filepath.Join(t.TempDir(), "tokens"))
		ref, err := s.seal(id, []byte(`{"access_token":"at"}`))
		if err != nil {
			t.Fatal(err)
		}
		if b, err := s.open(id, ref); err != nil || string(b) != `{"access_token":"at"}` {
			t.Fatalf("open of a good file: %q %v", b, err)
		}
		path, _ := s.path(id)
		return s, ref, path
	}
	open := func(t *testing.T, s *sealedFiles, ref sealedRef) error {
		t.Helper()
		return testenv.Within(t, time.Second, func() error { _, err := s.open(id, ref); return err })
	}
	expect := func(t *testing.T, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("open: %v, want an error saying %q", err, want)
		}
	}
	t.Run("fifo", func(t *testing.T) {
		s, ref, path := sealed(t)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		expect(t, open(t, s, ref), "FIFO")
	})
	t.Run("symlink", func(t *testing.T) {
		s, ref, path := sealed(t)
		moved := filepath.Join(t.TempDir(), "elsewhere.tok")
		if err := os.Rename(path, moved); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(moved, path); err != nil {
			t.Fatal(err)
		}
		expect(t, open(t, s, ref), "symbolic link")
	})
	t.Run("oversized", func(t *testing.T) {
		s, ref, path := sealed(t)
		if err := os.Truncate(path, maxSealedFile+1); err != nil {
			t.Fatal(err)
		}
		expect(t, open(t, s, ref), "larger than")
	})
	t.Run("directory writable by others", func(t *testing.T) {
		s, ref, _ := sealed(t)
		if err := os.Chmod(s.dir, 0o777); err != nil {
			t.Fatal(err)
		}
		expect(t, open(t, s, ref), "chmod go-w")
		if _, err := s.seal(id, []byte("x")); err == nil {
			t.Error("sealed into a directory others can write")
		}
	})
	t.Run("directory of another user", func(t *testing.T) {
		uid, gid := testenv.Nobody(t)
		s, ref, _ := sealed(t)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		expect(t, open(t, s, ref), "another user")
	})
	t.Run("file of another user", func(t *testing.T) {
		uid, gid := testenv.Nobody(t)
		s, ref, path := sealed(t)
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
		expect(t, open(t, s, ref), "another user")
	})
}
