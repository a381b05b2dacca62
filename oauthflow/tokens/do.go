package tokens

import (
	"context"

	"golang.org/x/oauth2"
)

// Locker serializes what fetches or ends a profile's tokens, across
// goroutines and processes.
type Locker interface {
	Lock(ctx context.Context, profileID string) (unlock func(), err error)
}

// LockFunc is a function that is a Locker.
type LockFunc func(ctx context.Context, profileID string) (unlock func(), err error)

// Lock calls f.
func (f LockFunc) Lock(ctx context.Context, id string) (func(), error) { return f(ctx, id) }

// Fetch is one fetch of a profile's token, run the way kubelogin's
// GetToken.Do runs it: Lock → Find in the store → Fetch → Save. Of several
// processes that want a token at once, only the first asks the IdP; the
// others find its token in the store once they hold the lock. R is what
// the caller learns about the attempt (oauthflow's Result).
type Fetch[R any] struct {
	Lock Locker
	// LockFailed is the outcome when the lock cannot be had.
	LockFailed func(err error) (R, error)
	// Find returns a usable token from the store (ok false: fetch one); nil
	// skips the store (a forced fetch).
	Find func() (tok *oauth2.Token, r R, ok bool)
	// Fetch asks the IdP.
	Fetch func() (*oauth2.Token, R, error)
	// Save keeps a fetched token in the store and returns the outcome to
	// report (with a warning when the store refused it).
	Save func(tok *oauth2.Token, r R) R
	// Failed, when set, is called instead of Save after a failed Fetch.
	Failed func(r R, err error)
}

// Do runs the fetch for profileID; found reports a token taken from the
// store.
func (f Fetch[R]) Do(ctx context.Context, profileID string) (tok *oauth2.Token, r R, found bool, err error) {
	unlock, err := f.Lock.Lock(ctx, profileID)
	if err != nil {
		r, err = f.LockFailed(err)
		return nil, r, false, err
	}
	defer unlock()
	if f.Find != nil {
		if tok, r, ok := f.Find(); ok {
			return tok, r, true, nil
		}
	}
	tok, r, err = f.Fetch()
	if err != nil {
		if f.Failed != nil {
			f.Failed(r, err)
		}
		return tok, r, false, err
	}
	return tok, f.Save(tok, r), false, nil
}
