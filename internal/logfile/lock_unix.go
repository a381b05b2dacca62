//go:build !windows

package logfile

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on the open file f; the OS
// drops it if the process dies. The lock is released before f is closed.
func lockFile(f *os.File) (func(), error) {
	fd := int(f.Fd()) // #nosec G115 -- a file descriptor fits an int
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(fd, syscall.LOCK_UN) }, nil
}
