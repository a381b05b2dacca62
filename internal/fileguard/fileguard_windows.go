//go:build windows

package fileguard

import (
	"fmt"
	"io/fs"
	"os"
)

// Windows has no O_NOFOLLOW or FIFOs in the file system, and creating a
// symlink needs special rights: a final link is refused by checking first.
// Ownership is left to the ACLs of the user profile directory.
const (
	noFollow = 0
	nonBlock = 0
)

func isLoop(error) bool { return false }

// OpenOwn opens a file of ours for reading: not a link, a regular file.
func OpenOwn(path, what string) (*os.File, error) { return open(path, what, os.O_RDONLY, true) }

// OpenChosen opens a file the user named for reading: a regular file.
func OpenChosen(path string) (*os.File, error) { return open(path, "file", os.O_RDONLY, false) }

// AppendOwn opens (creating) a file of ours for appending.
func AppendOwn(path, what string) (*os.File, error) {
	return open(path, what, os.O_WRONLY|os.O_APPEND|os.O_CREATE, true)
}

func open(path, what string, flags int, own bool) (*os.File, error) {
	if own {
		if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return nil, &UnsafePathError{Path: path, Problem: fmt.Sprintf("the %s is a symbolic link", what),
				Fix: "Replace the link with the file itself."}
		}
	}
	f, err := os.OpenFile(path, flags, 0o600) // #nosec G304 -- a file of the app's own, or the one the user named
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = notRegular(path, what, st.Mode())
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

func checkOwned(string, fs.FileInfo, string) error { return nil }

// CheckDir refuses a symlinked directory or a file in its place.
func CheckDir(dir, what string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return nil // missing (created later), or checked by the open that follows
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return &UnsafePathError{Path: dir, Problem: fmt.Sprintf("the %s is a symbolic link", what),
			Fix: "Replace the link with a directory of your own."}
	}
	if !st.IsDir() {
		return &UnsafePathError{Path: dir, Problem: fmt.Sprintf("the %s is not a directory", what), Fix: "Move it aside."}
	}
	return nil
}

// CreateExclusive creates a new file (never an existing one).
func CreateExclusive(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- a new file next to the store, or the one the user named
}

// IsOwnRegular reports whether path is a regular file (not a link).
func IsOwnRegular(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode().IsRegular()
}

// IsOwnDir reports whether dir is a real directory (not a link).
func IsOwnDir(dir string) bool {
	st, err := os.Lstat(dir)
	return err == nil && st.IsDir()
}
