//go:build !windows

package fileguard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

func wantUnsafe(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	var ue *UnsafePathError
	if !errors.As(err, &ue) {
		t.Fatalf("%s: %v, want an UnsafePathError", what, err)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %q does not say %q", what, err, w)
		}
	}
}

// Every opener refuses a link, a FIFO (at once), a file of another user
// (also when the process runs as root: ownership is compared with our
// uid) and a file others can write.
func TestOpenersRefuseHostileFiles(t *testing.T) {
	uid, gid := testenv.Nobody(t)
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("theirs"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign")
	if err := os.WriteFile(foreign, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(foreign, uid, gid); err != nil {
		t.Fatal(err)
	}
	loose := filepath.Join(dir, "loose")
	if err := os.WriteFile(loose, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o666); err != nil {
		t.Fatal(err)
	}
	type opener func(string) error
	openers := map[string]opener{
		"ReadOwn":   func(p string) error { _, err := ReadOwn(p, "test file", 1<<20); return err },
		"AppendOwn": func(p string) error { f, err := AppendOwn(p, "test file"); closeIf(f); return err },
		"Lock":      func(p string) error { u, err := Lock(context.Background(), p, time.Second); unlockIf(u); return err },
		"TryLock":   func(p string) error { u, err := Lock(context.Background(), p, 0); unlockIf(u); return err },
	}
	for name, open := range openers {
		wantUnsafe(t, name+" link", testenv.Within(t, time.Second, func() error { return open(link) }), "symbolic link")
		if err := testenv.Within(t, time.Second, func() error { return open(fifo) }); err == nil || !strings.Contains(err.Error(), "FIFO") {
			t.Errorf("%s fifo: %v", name, err)
		}
		wantUnsafe(t, name+" foreign", testenv.Within(t, time.Second, func() error { return open(foreign) }), "another user", "uid "+strconv.Itoa(uid))
		wantUnsafe(t, name+" loose", testenv.Within(t, time.Second, func() error { return open(loose) }), "chmod go-w")
	}
	if b, _ := os.ReadFile(victim); string(b) != "theirs" {
		t.Errorf("the link's target was changed: %q", b)
	}
	if err := testenv.Within(t, time.Second, func() error { _, err := OpenChosen(fifo); return err }); err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("OpenChosen of a FIFO: %v", err)
	}
	// What is ours passes, and the cap holds.
	own := filepath.Join(dir, "own")
	if err := os.WriteFile(own, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadOwn(own, "test file", 10); err != nil || string(b) != "0123456789" {
		t.Errorf("own file: %q %v", b, err)
	}
	if _, err := ReadOwn(own, "test file", 9); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), own) {
		t.Errorf("over the cap: %v", err)
	}
}

func closeIf(f *os.File) {
	if f != nil {
		_ = f.Close()
	}
}

func unlockIf(u func()) {
	if u != nil {
		u()
	}
}

// A directory of ours must be a real one, ours, not writable by others;
// one only readable by others is made private.
func TestCheckDir(t *testing.T) {
	uid, gid := testenv.Nobody(t)
	base := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(base, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	foreign := mk("foreign", 0o700)
	if err := os.Chown(foreign, uid, gid); err != nil {
		t.Fatal(err)
	}
	wantUnsafe(t, "foreign", MkdirPrivate(foreign, "test directory"), "another user")
	wantUnsafe(t, "writable", MkdirPrivate(mk("writable", 0o777), "test directory"), "chmod go-w")
	link := filepath.Join(base, "link")
	if err := os.Symlink(mk("real", 0o700), link); err != nil {
		t.Fatal(err)
	}
	wantUnsafe(t, "link", MkdirPrivate(link, "test directory"), "symbolic link")
	readable := mk("readable", 0o755)
	if err := MkdirPrivate(readable, "test directory"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(readable); st.Mode().Perm() != 0o700 {
		t.Errorf("readable directory left %v", st.Mode().Perm())
	}
	fresh := filepath.Join(base, "a", "b")
	if err := MkdirPrivate(fresh, "test directory"); err != nil || !IsOwnDir(fresh) {
		t.Errorf("new directory: %v", err)
	}
	if IsOwnDir(foreign) || IsOwnDir(link) {
		t.Error("IsOwnDir accepted a foreign or linked directory")
	}
}

// A lock is exclusive between two openers and free again once released; a
// bounded wait ends with ErrLocked, a cancelled one with the context's error,
// and a waiter gets the lock once the holder lets go.
func TestLockExcludes(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := Lock(ctx, p, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(ctx, p, 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("second holder: %v", err)
	}
	if _, err := Lock(ctx, p, 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("second holder after a wait: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Lock(cctx, p, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	time.AfterFunc(100*time.Millisecond, unlock)
	again, err := Lock(ctx, p, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	again()
}
