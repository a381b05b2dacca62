package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/tokens"
)

// lockProfile serializes what fetches or ends a profile's tokens (a fetch,
// a refresh-token redemption, a login's storing, a logout, a delete) across
// goroutines and across processes: an in-process mutex, then the profile's
// lock file beside the store.
func (s *Service) lockProfile(ctx context.Context, id string) (unlock func(), err error) {
	unlockMem := s.logins.lock(id)
	if s.repo == nil || s.repo.Store == nil || id == "" {
		return unlockMem, nil
	}
	unlockFile, err := s.repo.Store.LockProfile(ctx, id, s.LockTimeout)
	if err != nil {
		unlockMem()
		return nil, err
	}
	return func() { unlockFile(); unlockMem() }, nil
}

// lockFailure explains a profile lock that could not be had.
func lockFailure(err error) *Failure {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return failure.Classify(err)
	}
	return &Failure{Category: CatOther, Err: err, Message: err.Error()}
}

// logWarn logs when a logger is set.
func logWarn(log *slog.Logger, msg string, attrs ...any) {
	if log != nil {
		log.Warn(msg, attrs...)
	}
}

// deleteStoredToken removes the profile's token from the shared store.
func deleteStoredToken(store TokenStore, id string) error {
	if store == nil {
		return nil
	}
	return store.Delete(id)
}

// storedResult is what a stored token says about its profile.
func storedResult(p credentials.Profile, t StoredToken) Result {
	info := Inspect(t.AccessToken, p)
	if t.Username != "" {
		info.Username = t.Username
	} else if info.Username == "" && p.Type == credentials.TypeUser {
		info.Username = p.LoggedInAs
	}
	info.Expiry = t.Expiry
	return Result{ProfileID: p.ID, Name: p.Name, Status: credentials.StatusActive, Token: info,
		Expiry: t.Expiry, CheckedAt: t.ObtainedAt}
}

// CurrentToken tells what the profile's current token says (claims,
// expiry, user), without fetching: the one kept in memory, else the one
// in the shared token store. ok is false when there is no valid one.
func (s *Service) CurrentToken(nameOrID string) (*TokenInfo, bool) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return nil, false
	}
	now := s.Clock.Now()
	fp := tokens.Fingerprint(p)
	m := s.mgr
	m.mu.Lock()
	e := m.entries[p.ID]
	if e != nil && e.tok != nil && e.fp == fp && !tokens.LoggedOut(p) && (e.expiry.IsZero() || now.Before(e.expiry)) {
		info := e.result.Token
		m.mu.Unlock()
		if info == nil {
			info = Inspect(e.tok.AccessToken, p)
		}
		return info, true
	}
	m.mu.Unlock()
	if t, ok := m.loadStored(p, now); ok {
		return storedResult(p, t).Token, true
	}
	return nil, false
}

// TokenOptions tune FetchToken.
type TokenOptions struct {
	// Fresh asks the IdP for a new token even when a valid one is cached.
	Fresh bool
}

// FetchToken is Token for front ends that say where the token came from:
// cached is true when no request to the IdP was made (the token kept in
// memory or one any process stored). The error is a *Failure when a fetch
// failed.
func (s *Service) FetchToken(ctx context.Context, nameOrID string, opt TokenOptions) (tok *oauth2.Token, cached bool, err error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return nil, false, err
	}
	if p.Type == credentials.TypeUser && tokens.LoggedOut(p) {
		return nil, false, &Failure{Category: CatLogin, Message: fmt.Sprintf("not logged in: %q was logged out; log in to start a session", p.Name)}
	}
	mode := fetchNeed
	if opt.Fresh {
		mode = fetchForce
	}
	return s.mgr.token(ctx, p, mode)
}
