package credentials

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// Every lock of the store (profiles.json.lock, state.json.lock,
// transports.json.lock, locks/<id>.lock) is taken with fileguard.Lock: an
// OS file lock on gofrs/flock, never through a link, only a file of ours,
// and never an endless wait.

// DefaultProfileLockTimeout bounds the wait for another process's work on a
// profile (a token fetch, a refresh-token redemption, a logout).
const DefaultProfileLockTimeout = 60 * time.Second

// DefaultStoreLockTimeout bounds the wait for another process's write of a
// store file. A write holds the lock across its keyring calls (15 s each at
// the most, a few per profile), so only a stopped or hung holder keeps it
// this long.
const DefaultStoreLockTimeout = 2 * time.Minute

// ErrProfileLocked means another process kept a profile's lock past the
// timeout.
var ErrProfileLocked = errors.New("another process is still working on this profile")

// ErrStoreLocked means another process kept a store file's lock past the
// timeout.
var ErrStoreLocked = errors.New("another process is still writing the file")

// LockError says which lock could not be had and what to do.
type LockError struct {
	Path string
	Wait time.Duration
	Err  error
	// Doing is what the holder is busy with, in the message ("" for a
	// profile's lock: fetching a token).
	Doing string
}

// ProfileLockError is the LockError of a profile's lock.
type ProfileLockError = LockError

func (e *LockError) Error() string {
	if errors.Is(e.Err, ErrProfileLocked) || errors.Is(e.Err, ErrStoreLocked) {
		doing := e.Doing
		if doing == "" {
			doing = "fetching a token for this profile"
		}
		return fmt.Sprintf("another process (the workbench or a credctl) has been %s "+
			"for more than %s and still holds %s: wait for it to finish, or end it, and try again", doing, e.Wait, e.Path)
	}
	return fmt.Sprintf("cannot lock %s: %v", e.Path, e.Err)
}

func (e *LockError) Unwrap() error { return e.Err }

// LockDir is the directory of the per-profile lock files, beside the store.
func (s *Store) LockDir() string { return filepath.Join(filepath.Dir(s.path), "locks") }

// LockProfile takes the profile's lock shared by every process of this user
// (an OS file lock, dropped if the holder dies). It waits until the lock is
// free, ctx ends or timeout passes (0 = DefaultProfileLockTimeout); the
// result releases it.
func (s *Store) LockProfile(ctx context.Context, id string, timeout time.Duration) (unlock func(), err error) {
	if id == "" || filepath.Base(id) != id {
		return nil, fmt.Errorf("cannot lock profile %q: not a profile ID", id)
	}
	if timeout <= 0 {
		timeout = DefaultProfileLockTimeout
	}
	dir := s.LockDir()
	if err := fileguard.MkdirPrivate(dir, "lock directory"); err != nil {
		return nil, &LockError{Path: dir, Err: err}
	}
	path := filepath.Join(dir, id+".lock")
	unlock, err = fileguard.Lock(ctx, path, timeout)
	switch {
	case err == nil:
		return unlock, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, fileguard.ErrLocked):
		return nil, &LockError{Path: path, Wait: timeout, Err: ErrProfileLocked}
	}
	return nil, &LockError{Path: path, Err: err}
}

// lockStoreFile takes the lock of the store file path (path.lock), waiting
// at most wait (0 = DefaultStoreLockTimeout).
func lockStoreFile(path string, wait time.Duration) (func(), error) {
	if wait <= 0 {
		wait = DefaultStoreLockTimeout
	}
	unlock, err := fileguard.Lock(context.Background(), path+".lock", wait)
	if errors.Is(err, fileguard.ErrLocked) {
		return nil, &LockError{Path: path + ".lock", Wait: wait, Err: ErrStoreLocked, Doing: "writing " + filepath.Base(path)}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	return unlock, nil
}
