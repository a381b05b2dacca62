//go:build !windows

package credentials

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openRegular opens path for reading without following a final symlink
// (when nofollow) and without blocking on a FIFO, and refuses anything but
// a regular file.
func openRegular(path string, nofollow bool) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if nofollow {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0) // #nosec G304 -- the store's own file, or the file the user chose
	if err != nil {
		if nofollow && errors.Is(err, syscall.ELOOP) {
			return nil, &UnsafePathError{Path: path, Problem: "it is a symbolic link",
				Fix: "Replace the link with the file itself (or move it aside if you did not make it)."}
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("%s is not a regular file (it is a %s): choose a file", path, fileKind(st.Mode()))
	}
	return f, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m.IsDir():
		return "directory"
	}
	return "special file"
}

// checkOwned refuses what another user owns, or what others may write.
func checkOwned(path string, st fs.FileInfo, what string) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if ok && int(sys.Uid) != os.Getuid() {
		return &UnsafePathError{Path: path, Problem: fmt.Sprintf("the %s belongs to another user (uid %d), who could "+
			"have put its content there", what, sys.Uid),
			Fix: "Move it aside and let Credential Workbench create it again, or set XDG_CONFIG_HOME to a directory of your own."}
	}
	if st.Mode().Perm()&0o022 != 0 {
		return &UnsafePathError{Path: path, Problem: fmt.Sprintf("the %s can be changed by other users (mode %04o)", what, st.Mode().Perm()),
			Fix: fmt.Sprintf("Run: chmod go-w %s (and check that its content is yours).", path)}
	}
	return nil
}

// checkStoreDir checks the configuration directory: a real directory (not a
// symlink), ours, not writable by others. Missing is fine (created later).
// A directory only readable by others is tightened to 0700.
func checkStoreDir(dir string) error {
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot check the configuration directory %s: %w", dir, err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return &UnsafePathError{Path: dir, Problem: "the configuration directory is a symbolic link",
			Fix: "Replace the link with a directory of your own (mkdir -m 700), or point XDG_CONFIG_HOME at the real location."}
	}
	if !st.IsDir() {
		return &UnsafePathError{Path: dir, Problem: "it is not a directory", Fix: "Move it aside."}
	}
	if err := checkOwned(dir, st, "configuration directory"); err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		// Only this user should see which IdPs and clients are configured.
		if err := os.Chmod(dir, 0o700); err != nil { // #nosec G302 -- a directory needs its x bit; 0700 is owner-only
			return fmt.Errorf("cannot make %s private (chmod 700): %w", dir, err)
		}
	}
	return nil
}

// checkStoreFile checks an open profile file.
func checkStoreFile(path string, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return checkOwned(path, st, "profile file")
}

// createExclusive creates a new file (never an existing one, never through
// a symlink) for a copy or an export.
func createExclusive(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600) // #nosec G304 G703 -- a new file next to the store, or the one the user named
}

// ownRegular reports whether path is a regular file of ours (not a link).
func ownRegular(path string) bool {
	st, err := os.Lstat(path) // #nosec G703 -- Lstat only reads metadata of a path next to the store
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Getuid()
}
