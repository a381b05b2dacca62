//go:build !windows

package instance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// noRuntimeDir is the environment of a login without XDG_RUNTIME_DIR (ssh,
// su): TMPDIR shared, the cache directory in home.
func noRuntimeDir(t *testing.T) (env []string, tmp, home string) {
	tmp, home = t.TempDir(), t.TempDir()
	if err := os.Chmod(tmp, 0o1777); err != nil { // like /tmp
		t.Fatal(err)
	}
	return []string{"XDG_RUNTIME_DIR=", "TMPDIR=" + tmp, "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, ".cache")}, tmp, home
}

// Without XDG_RUNTIME_DIR, a folder (or link) another user created first
// in the shared temp directory, under the name the workbench used there,
// does not stop the workbench from claiming its instance (issue #23.4):
// the instance lives in the user's own cache directory.
func TestForeignTempFolderDoesNotBlock(t *testing.T) {
	uid, gid := testenv.Nobody(t)
	squat := fmt.Sprintf("credworkbench-test-%d", os.Getuid())
	t.Run("folder of another user", func(t *testing.T) {
		env, tmp, home := noRuntimeDir(t)
		dir := filepath.Join(tmp, squat)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		handsOver(t, "default", env...)
		if _, err := os.Stat(filepath.Join(home, ".cache", "credworkbench-test", "run", "instance.lock")); err != nil {
			t.Errorf("the instance is not in the user's cache directory: %v", err)
		}
	})
	t.Run("link", func(t *testing.T) {
		env, tmp, _ := noRuntimeDir(t)
		target := t.TempDir()
		if err := os.Chown(target, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(tmp, squat)); err != nil {
			t.Fatal(err)
		}
		handsOver(t, "default", env...)
	})
}

// XDG_RUNTIME_DIR of another user (left over after su) is passed over; a
// fallback folder that is not ours is a clear error naming it.
func TestDefaultDirOwnership(t *testing.T) {
	uid, gid := testenv.Nobody(t)
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	foreign := t.TempDir()
	if err := os.Chown(foreign, uid, gid); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", foreign)
	dir, err := DefaultDir("credworkbench-test")
	if err != nil || dir != filepath.Join(home, ".cache", "credworkbench-test", "run") {
		t.Fatalf("DefaultDir with a foreign XDG_RUNTIME_DIR: %q %v", dir, err)
	}
	own := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", own)
	if dir, err := DefaultDir("credworkbench-test"); err != nil || dir != filepath.Join(own, "credworkbench-test") {
		t.Fatalf("DefaultDir with our XDG_RUNTIME_DIR: %q %v", dir, err)
	}

	t.Setenv("XDG_RUNTIME_DIR", "")
	run := filepath.Join(home, ".cache", "credworkbench-test", "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(run, uid, gid); err != nil {
		t.Fatal(err)
	}
	_, err = Claim("credworkbench-test", "", nil)
	if err == nil || !strings.Contains(err.Error(), run) || !strings.Contains(err.Error(), "another user") {
		t.Fatalf("Claim in a fallback folder of another user: %v", err)
	}
}

// A folder whose socket path is longer than a socket address holds (108
// bytes on Linux; a long home directory) still works.
func TestLongSocketPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("a", 60), strings.Repeat("b", 60))
	if len(sockPath(dir)) <= 108 {
		t.Fatalf("the path is too short for this test: %d", len(sockPath(dir)))
	}
	handsOver(t, dir)
	if _, err := os.Lstat(sockPath(dir)); !os.IsNotExist(err) {
		t.Errorf("the socket was not removed when the instance ended: %v", err)
	}
}
