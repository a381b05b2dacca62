//go:build !windows

package instance

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

var errLocked = errors.New("the lock is held")

// DefaultDir is $XDG_RUNTIME_DIR/APP, or a per-user folder in the temp
// folder where there is no runtime dir (macOS: TMPDIR is per user).
func DefaultDir(app string) (string, error) {
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) {
		return filepath.Join(rt, app), nil
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("%s-%d", app, os.Getuid())), nil
}

// prepareDir creates dir 0700 and refuses one another user could reach.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	switch {
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder (a symbolic link?): remove it and start again", dir)
	case ok && int(sys.Uid) != os.Geteuid():
		return fmt.Errorf("%s belongs to another user: remove it and start again", dir)
	case st.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%s can be read by other users (mode %v): run chmod 700 on it", dir, st.Mode().Perm())
	}
	return nil
}

func tryLock(dir string) (func(), error) {
	path := filepath.Join(dir, "instance.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW, 0o600) // #nosec G304 -- our own lock file in our 0700 folder
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

func sockPath(dir string) string { return filepath.Join(dir, "instance.sock") }

// listen is called with the lock held, so a socket file left there is from
// an instance that died: it is replaced.
func listen(dir string) (net.Listener, func(), error) {
	p := sockPath(dir)
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	ln, err := net.Listen("unix", p)
	if err != nil {
		return nil, nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(p, 0o600); err != nil {
		_ = ln.Close()
		return nil, nil, err
	}
	return ln, func() {}, nil
}

func dial(dir string) (net.Conn, string, error) {
	c, err := net.Dial("unix", sockPath(dir))
	return c, "show", err
}

func validRequest(msg string) bool { return msg == "show" }
