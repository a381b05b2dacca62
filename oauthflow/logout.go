package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// Logout ends a User profile's session: the refresh token is revoked at the
// IdP when it has a revocation endpoint (RFC 7009), removed from the
// keyring, and the access token is forgotten. A failed revocation does not
// stop the logout (the tokens are gone here either way); the error then
// says so. A keyring that cannot delete is an error, and the profile stays
// as it was on disk.
func (s *Service) Logout(ctx context.Context, nameOrID string) error {
	_, err := s.LogoutWith(ctx, nameOrID, LogoutOptions{})
	return err
}

// LogoutWith is Logout that, when asked, also ends the IdP's browser
// session afterwards (logout_idp.go).
func (s *Service) LogoutWith(ctx context.Context, nameOrID string, opt LogoutOptions) (LogoutResult, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return LogoutResult{}, err
	}
	if p.Type != credentials.TypeUser {
		return LogoutResult{}, &Failure{Category: CatConfig, Message: fmt.Sprintf("%q is an %s profile: only User profiles log out", p.Name, p.Type.Label())}
	}
	// Read before the local logout forgets it: the IdP logout's hint.
	idToken := ""
	if opt.EndIdPSession {
		idToken, _ = s.repo.Secrets.Get(p.ID, credentials.IDToken)
	}
	revokeErr, err := (protocol{s}).logoutHere(ctx, p)
	if err != nil {
		return LogoutResult{}, err // not logged out here: the IdP session is left alone too
	}
	var res LogoutResult
	if opt.EndIdPSession {
		res = (protocol{s}).endIdPSession(ctx, p, idToken, opt)
	}
	return res, revokeErr
}

// logoutHere revokes and forgets the profile's tokens (Logout's doc). err
// means the tokens may still be here; revokeErr only that the IdP did not
// revoke the refresh token.
func (pr protocol) logoutHere(ctx context.Context, p credentials.Profile) (revokeErr, err error) {
	s := pr.s
	s.logins.abort(p.ID)
	unlock, err := s.lockProfile(ctx, p.ID)
	if err != nil {
		return nil, lockFailure(err)
	}
	defer unlock()
	rt, err := s.logins.refreshToken(s.repo.Secrets, p)
	if err != nil && !errors.Is(err, credentials.ErrSecretNotFound) {
		return nil, failure.Classify(err)
	}
	if rt != "" {
		revokeErr = (protocol{s}).revoke(ctx, p, rt)
	}
	s.logins.setMemToken(p.ID, "")
	s.mgr.Forget(p.ID)
	if err := s.repo.Secrets.Delete(p.ID, credentials.RefreshToken); err != nil {
		return revokeErr, failure.Classify(err)
	}
	_ = s.repo.Secrets.Delete(p.ID, credentials.IDToken) // only a logout hint; a stale one does no harm
	if err := deleteStoredToken(s.Tokens, p.ID); err != nil {
		return revokeErr, failure.Classify(err)
	}
	now := s.Clock.Now()
	err = s.repo.Record(p.ID, func(b *credentials.Bookkeeping) {
		b.LastStatus, b.LastChecked = credentials.StatusLoggedOut, now.UTC()
		b.LastError, b.LastCategory, b.LoggedInAs, b.TokenExpiry, b.LoginAt = "", "", "", time.Time{}, time.Time{}
		b.LoginMFA = ""
		b.Subject = ""
	})
	res := Result{ProfileID: p.ID, Name: p.Name, Status: credentials.StatusLoggedOut, CheckedAt: now}
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventLoggedOut, Result: &res})
	return revokeErr, err
}

// revoke asks the IdP to revoke a refresh token, authenticating the client
// as the profile says. x/oauth2 has no revocation, so this is by hand.
func (pr protocol) revoke(ctx context.Context, p credentials.Profile, rt string) error {
	s := pr.s
	u, f := (protocol{s}).userClient(ctx, p)
	if f != nil {
		return &Failure{Category: f.Category, Err: f, Message: "logged out here, but the refresh token could not be revoked at the IdP: " + f.Message}
	}
	if u.p.RevocationURL == "" {
		return nil // nothing to call: the token is forgotten here and expires at the IdP
	}
	if f := idp.Revoke(ctx, u.http, u.p, u.secret, rt); f != nil {
		return f
	}
	return nil
}
