package credentials

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// DefaultProfileLockTimeout bounds the wait for another process's work on a
// profile (a token fetch, a refresh-token redemption, a logout).
const DefaultProfileLockTimeout = 60 * time.Second

// lockPoll is how often a waiting process retries a held profile lock.
const lockPoll = 25 * time.Millisecond

// ErrProfileLocked means another process kept a profile's lock past the
// timeout.
var ErrProfileLocked = errors.New("another process is still working on this profile")

// ProfileLockError says which lock could not be had and what to do.
type ProfileLockError struct {
	Path string
	Wait time.Duration
	Err  error
}

func (e *ProfileLockError) Error() string {
	if errors.Is(e.Err, ErrProfileLocked) {
		return fmt.Sprintf("another process (the workbench or a credctl) has been fetching a token for this profile "+
			"for more than %s and still holds %s: wait for it to finish, or end it, and try again", e.Wait, e.Path)
	}
	return fmt.Sprintf("cannot lock %s: %v", e.Path, e.Err)
}

func (e *ProfileLockError) Unwrap() error { return e.Err }

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
	// The same lock opener and directory checks as the store's own lock
	// (internal/fileguard): never through a link, only a file of ours.
	dir := s.LockDir()
	if err := fileguard.MkdirPrivate(dir, "lock directory"); err != nil {
		return nil, &ProfileLockError{Path: dir, Err: err}
	}
	path := filepath.Join(dir, id+".lock")
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	unlock, err = fileguard.LockContext(wait, path, lockPoll)
	switch {
	case err == nil:
		return unlock, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return nil, &ProfileLockError{Path: path, Wait: timeout, Err: ErrProfileLocked}
	}
	return nil, &ProfileLockError{Path: path, Err: err}
}
