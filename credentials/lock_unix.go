//go:build !windows

package credentials

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock that the OS drops if the process dies.
func lockFile(path string) (func(), error) {
	// Never through a planted symlink, and only our own regular file.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600) // #nosec G304 -- the store's own lock file
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, &UnsafePathError{Path: path, Problem: "the lock file is a symbolic link",
				Fix: "Delete the link; Credential Workbench creates the lock file itself."}
		}
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = &UnsafePathError{Path: path, Problem: "the lock file is not a regular file", Fix: "Delete it."}
	}
	if err == nil {
		err = checkOwned(path, st, "lock file")
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// syncDir makes a rename durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil { // #nosec G304 -- the store's own directory
		_ = d.Sync()
		_ = d.Close()
	}
}

// errWouldBlock: the lock is held elsewhere.
var errWouldBlock = errors.New("the lock is held")

// tryLockFile takes the exclusive lock if it is free, errWouldBlock if not.
func tryLockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600) // #nosec G304 -- a profile lock file in the store's directory
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errWouldBlock
		}
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
