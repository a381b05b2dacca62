//go:build !windows

package fileguard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

const (
	noFollow = syscall.O_NOFOLLOW
	nonBlock = syscall.O_NONBLOCK
)

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }

// OpenOwn opens a file of ours for reading: never through a final symlink,
// never blocking (a FIFO would hang the reader), only a regular file this
// user owns that others cannot write. what names it in errors.
func OpenOwn(path, what string) (*os.File, error) {
	return open(path, what, os.O_RDONLY, true)
}

// OpenChosen opens a file the user named (an import file) for reading:
// links are followed and any owner is fine, but only a regular file, and
// never blocking on a FIFO.
func OpenChosen(path string) (*os.File, error) {
	return open(path, "file", os.O_RDONLY, false)
}

// AppendOwn opens (creating, 0600) a file of ours for appending, with the
// checks of OpenOwn.
func AppendOwn(path, what string) (*os.File, error) {
	return open(path, what, os.O_WRONLY|os.O_APPEND|os.O_CREATE, true)
}

func open(path, what string, flags int, own bool) (*os.File, error) {
	flags |= syscall.O_NONBLOCK
	if own {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0o600) // #nosec G304 -- a file of the app's own, or the one the user named
	if err != nil {
		if own && errors.Is(err, syscall.ELOOP) {
			return nil, &UnsafePathError{Path: path, Problem: fmt.Sprintf("the %s is a symbolic link", what),
				Fix: "Replace the link with the file itself (or move it aside if you did not make it)."}
		}
		if own && errors.Is(err, syscall.ENXIO) {
			// A FIFO without a reader, opened to write without blocking.
			if st, lerr := os.Lstat(path); lerr == nil {
				return nil, notRegular(path, what, st.Mode())
			}
		}
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		if own {
			err = notRegular(path, what, st.Mode())
		} else {
			err = fmt.Errorf("%s is not a regular file (it is a %s): choose a file", path, fileKind(st.Mode()))
		}
	}
	if err == nil && own {
		err = checkOwned(path, st, what)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// checkOwned refuses what another user owns, or what others may write.
// It compares with the real uid: as root, a file of uid 65534 is foreign.
func checkOwned(path string, st fs.FileInfo, what string) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return &UnsafePathError{Path: path, Problem: fmt.Sprintf("the %s belongs to another user (uid %d), who could "+
			"have put its content there", what, sys.Uid),
			Fix: "Move it aside and let Credential Workbench create it again, or set the XDG_* variable that locates it (XDG_CONFIG_HOME for profiles) to a directory of your own."}
	}
	if st.Mode().Perm()&0o022 != 0 {
		return &UnsafePathError{Path: path, Problem: fmt.Sprintf("the %s can be changed by other users (mode %04o)", what, st.Mode().Perm()),
			Fix: fmt.Sprintf("Run: chmod go-w %s (and check that its content is yours).", path)}
	}
	return nil
}

// CheckDir checks a directory of ours: a real directory (not a symlink),
// this user's, not writable by others. Missing is fine (MkdirPrivate
// creates it). One only readable by others is tightened to 0700: only this
// user should see which IdPs, profiles and tokens there are.
func CheckDir(dir, what string) error {
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot check the %s %s: %w", what, dir, err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return &UnsafePathError{Path: dir, Problem: fmt.Sprintf("the %s is a symbolic link", what),
			Fix: "Replace the link with a directory of your own (mkdir -m 700), or point the XDG_* variable that locates it at the real location."}
	}
	if !st.IsDir() {
		return &UnsafePathError{Path: dir, Problem: fmt.Sprintf("the %s is not a directory (it is a %s)", what, fileKind(st.Mode())),
			Fix: "Move it aside."}
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return &UnsafePathError{Path: dir, Problem: fmt.Sprintf("the %s belongs to another user (uid %d), who could "+
			"have put its content there", what, sys.Uid), Fix: dirFix(dir)}
	}
	if st.Mode().Perm()&0o022 != 0 {
		return &UnsafePathError{Path: dir, Problem: fmt.Sprintf("the %s can be changed by other users (mode %04o)", what, st.Mode().Perm()),
			Fix: fmt.Sprintf("Run: chmod go-w %s (and check that its content is yours).", dir)}
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil { // #nosec G302 -- a directory needs its x bit; 0700 is owner-only
			return fmt.Errorf("cannot make the %s %s private (chmod 700): %w", what, dir, err)
		}
	}
	return nil
}

// CreateExclusive creates a new file 0600 (never an existing one, never
// through a symlink) for a copy or an export.
func CreateExclusive(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600) // #nosec G304 G703 -- a new file next to the store, or the one the user named
}

// IsOwnRegular reports whether path is a regular file of ours (not a link).
func IsOwnRegular(path string) bool {
	st, err := os.Lstat(path) // #nosec G703 -- Lstat only reads metadata
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Getuid()
}

// IsOwnDir reports whether dir is a real directory of ours that others
// cannot write (checked without changing anything).
func IsOwnDir(dir string) bool {
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Getuid() && st.Mode().Perm()&0o022 == 0
}
