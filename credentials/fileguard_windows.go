//go:build windows

package credentials

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// openRegular opens path for reading and refuses anything but a regular
// file. Windows has no FIFOs in the file system and creating symlinks
// needs special rights, so a link is refused by checking first.
func openRegular(path string, nofollow bool) (*os.File, error) {
	if nofollow {
		if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return nil, &UnsafePathError{Path: path, Problem: "it is a symbolic link",
				Fix: "Replace the link with the file itself."}
		}
	}
	f, err := os.Open(path) // #nosec G304 -- the store's own file, or the file the user chose
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("%s is not a regular file: choose a file", path)
	}
	return f, nil
}

// checkStoreDir refuses a symlinked configuration directory; ownership is
// left to the ACLs of the user profile directory.
func checkStoreDir(dir string) error {
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return &UnsafePathError{Path: dir, Problem: "the configuration directory is a symbolic link",
			Fix: "Replace the link with a directory of your own."}
	}
	return nil
}

func checkStoreFile(string, *os.File) error { return nil }

func createExclusive(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- a new file next to the store, or the one the user named
}

func ownRegular(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode().IsRegular()
}
