// Package fileguard is the one way the workbench and credctl open the files
// they keep for the user: profiles, transports, state, locks, the log,
// sealed token files and the single-instance directory. A file of ours is
// opened without following a final symlink and without blocking on a FIFO,
// must be a regular file this user owns that others cannot write, and is
// read through a size cap; a directory of ours must be a real directory
// this user owns that others cannot write (and is made private). Another
// local user who plants a link, a FIFO or a file of their own there gets a
// clear error, never a hang, a write through the link or trusted content.
//
// It is a leaf package (standard library and gofrs/flock only), so the log
// and instance packages use it without pulling in the keyring.
package fileguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// UnsafePathError is a file or directory that another user could have put
// there or can change: its content is not trusted.
type UnsafePathError struct {
	Path    string
	Problem string // what is wrong
	Fix     string // what to do
}

func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("%s is not safe to use: %s. %s", e.Path, e.Problem, e.Fix)
}

// ErrTooLarge is a file over the cap its reader set.
var ErrTooLarge = errors.New("the file is larger than expected")

// tooLarge says which file and which cap.
func tooLarge(path string, limit int64) error {
	return fmt.Errorf("%w: %s is larger than %s", ErrTooLarge, path, sizeText(limit))
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// ReadOwn reads a file of ours (see OpenOwn) of at most max bytes; what
// names it in errors ("log file").
func ReadOwn(path, what string, limit int64) ([]byte, error) {
	f, err := OpenOwn(path, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := ReadCapped(f, limit)
	if errors.Is(err, ErrTooLarge) {
		return nil, tooLarge(path, limit)
	}
	return b, err
}

// ReadCapped reads r up to max bytes and fails with ErrTooLarge beyond (at
// once when a file's size says so). It allocates the file's size once
// rather than io.ReadAll's doubling: profile files reach megabytes.
func ReadCapped(r io.Reader, limit int64) ([]byte, error) {
	size := int64(-1)
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if info, err := st.Stat(); err == nil {
			if info.Size() > limit {
				return nil, ErrTooLarge
			}
			size = info.Size()
		}
	}
	// The size is only a hint: a file that grew meanwhile is read on, and
	// the cap is enforced on what is read.
	b := make([]byte, 0, max(min(size, limit)+1, 512))
	lr := io.LimitReader(r, limit+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}

// MkdirPrivate makes dir (and its parents) 0700 and checks it as CheckDir
// does, before (an existing one) and after (another user could have raced
// to create it in a world-writable parent).
func MkdirPrivate(dir, what string) error {
	if err := CheckDir(dir, what); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the %s %s: %w", what, dir, err)
	}
	return CheckDir(dir, what)
}

// ErrLocked is a lock still held by another when Lock stopped waiting.
var ErrLocked = errors.New("the lock is held")

// lockFlags open a lock file: created if missing, never through a final
// symlink, never blocking (a FIFO planted there is refused afterwards).
const lockFlags = os.O_CREATE | os.O_RDWR | noFollow | nonBlock

// lockPoll is how often a held lock is tried again: flock(2) cannot be
// interrupted, so a bounded wait is a series of tries.
const lockPoll = 25 * time.Millisecond

// Lock is the one way to take a file lock of ours: the exclusive lock on
// path (an OS file lock, dropped if the process dies). While another holds
// it, Lock waits until ctx ends (ctx's error is returned) or wait passes
// (ErrLocked); a wait of 0 tries once. The result releases the lock.
func Lock(ctx context.Context, path string, wait time.Duration) (unlock func(), err error) {
	if wait <= 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return lock(path, (*flock.Flock).TryLock)
	}
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	unlock, err = lock(path, func(l *flock.Flock) (bool, error) { return l.TryLockContext(waitCtx, lockPoll) })
	if err != nil && waitCtx.Err() != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrLocked
	}
	return unlock, err
}

// lock is the one lock opener: the lock file must be a regular file of
// ours (checked before, and again on the locked file, so a swap between
// the two is caught), never a link.
func lock(path string, take func(*flock.Flock) (bool, error)) (func(), error) {
	if st, err := os.Lstat(path); err == nil {
		if err := checkLockFile(path, st); err != nil {
			return nil, err
		}
	}
	l := flock.New(path, flock.SetFlag(lockFlags), flock.SetPermissions(0o600))
	ok, err := take(l)
	if err != nil {
		if isLoop(err) {
			return nil, lockLinkError(path)
		}
		return nil, err
	}
	if !ok {
		return nil, ErrLocked
	}
	st, err := l.Stat() // the open, locked file
	if err == nil {
		err = checkLockFile(path, st)
	}
	if err != nil {
		_ = l.Unlock()
		return nil, err
	}
	return func() { _ = l.Unlock() }, nil
}

func checkLockFile(path string, st fs.FileInfo) error {
	if st.Mode()&fs.ModeSymlink != 0 {
		return lockLinkError(path)
	}
	if !st.Mode().IsRegular() {
		return &UnsafePathError{Path: path, Problem: fmt.Sprintf("the lock file is not a regular file (it is a %s)", fileKind(st.Mode())),
			Fix: "Delete it; Credential Workbench creates the lock file itself."}
	}
	return checkOwned(path, st, "lock file")
}

func lockLinkError(path string) error {
	return &UnsafePathError{Path: path, Problem: "the lock file is a symbolic link",
		Fix: "Delete the link; Credential Workbench creates the lock file itself."}
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
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

// notRegular is a file of ours that is a FIFO, device, directory...: not
// an UnsafePathError, since its content is not trusted anyway (a store
// reports it as a broken file the user can move aside).
func notRegular(path, what string, m fs.FileMode) error {
	return fmt.Errorf("%s is not a regular file (it is a %s), so it is not the %s: move it aside", path, fileKind(m), what)
}

// dirFix is the advice for a directory that is not ours.
func dirFix(dir string) string {
	return fmt.Sprintf("Move %s aside and let Credential Workbench create it again (or point the XDG_* variable that "+
		"locates it at a directory of your own).", filepath.Base(dir))
}
