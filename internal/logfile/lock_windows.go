//go:build windows

package logfile

import (
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes an exclusive lock on a byte far beyond the end of f (a
// lock on Windows stops others' writes to the range, and appends must go
// on); the OS drops it if the process dies.
func lockFile(f *os.File) (func(), error) {
	ol := &windows.Overlapped{Offset: 0xFFFFFFFE, OffsetHigh: 0x7FFFFFFF}
	h := windows.Handle(f.Fd())
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, ol); err != nil {
		return nil, err
	}
	return func() { _ = windows.UnlockFileEx(h, 0, 1, 0, ol) }, nil
}
