package oauthflow

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// keepRefreshToken stores a new refresh token in the keyring when it
// differs from old (a rotation, or a login). What the keyring refuses
// (Windows holds 2560 bytes) is kept in memory only, with a warning: the
// session then works until the app exits.
func (l *loginSessions) keepRefreshToken(secrets *credentials.Secrets, p credentials.Profile, old, rt string) string {
	if rt == "" {
		if old == "" {
			// A login without a refresh token: an older session's token is stale.
			_ = secrets.Delete(p.ID, credentials.RefreshToken)
			l.setMemToken(p.ID, "")
			return "The IdP issued no refresh token, so the session ends when the access token expires " +
				"(some IdPs issue one only for the offline_access scope)."
		}
		return "" // a refresh that keeps the refresh token as it is
	}
	if rt == old {
		return ""
	}
	err := secrets.Set(p.ID, credentials.RefreshToken, rt)
	if err == nil {
		l.setMemToken(p.ID, "")
		return ""
	}
	l.setMemToken(p.ID, rt)
	// The stored one (if any) is superseded: a rotated one no longer works.
	_ = secrets.Delete(p.ID, credentials.RefreshToken)
	var ke *credentials.KeyringError
	if errors.As(err, &ke) && ke.Problem == credentials.KeyringTooBig {
		return fmt.Sprintf("The refresh token (%d bytes) is larger than this system's keyring holds (%d bytes), so it is kept "+
			"in memory only: you stay logged in while the app runs, but must log in again after a restart.", len(rt), secrets.Limit())
	}
	return "The refresh token could not be stored in the OS keyring (" + err.Error() + "), so it is kept in memory only: " +
		"you stay logged in while the app runs, but must log in again after a restart."
}

// refreshToken finds the profile's refresh token: the keyring, or memory
// when the keyring refused it.
func (l *loginSessions) refreshToken(secrets *credentials.Secrets, p credentials.Profile) (string, error) {
	if rt := l.memToken(p.ID); rt != "" {
		return rt, nil
	}
	return secrets.Get(p.ID, credentials.RefreshToken)
}

// refreshUser renews a User profile's tokens with its refresh token (also
// after a restart: this restores the session), using the profile's client
// authentication. A rotated refresh token replaces the stored one. It
// neither records nor caches: the manager does.
func (pr protocol) refreshUser(ctx context.Context, p credentials.Profile) (*oauth2.Token, Result, error) {
	s := pr.s
	// The caller (Manager.fetch) holds the profile's lock.
	start := s.Clock.Now()
	rt, err := s.logins.refreshToken(s.repo.Secrets, p)
	if errors.Is(err, credentials.ErrSecretNotFound) {
		f := &Failure{Category: CatLogin, Message: "not logged in: log in to start a session"}
		res := failedResult(p, f, nil, start)
		res.Status = credentials.StatusLoggedOut
		return nil, res, f
	}
	if err != nil {
		f := failure.Classify(err)
		return nil, failedResult(p, f, nil, start), f
	}
	u, f := (protocol{s}).userClient(ctx, p)
	if f != nil {
		return nil, failedResult(p, f, u.warnings, start), f
	}
	tok, f := idp.Refresh(ctx, u.http, u.config(""), rt)
	if f != nil {
		res := failedResult(p, f, u.warnings, start)
		if f.IdPError == "invalid_grant" {
			// The session is over at the IdP (expired, revoked, or a rotated
			// token reused): the stored token is useless.
			f.Category = CatLogin
			f.Message = "the session has ended at the IdP (the refresh token expired or was revoked): log in again"
			// Another process (credctl, a second window) may have rotated the
			// token meanwhile: delete only the one that was refused.
			if cur, err := s.repo.Secrets.Get(p.ID, credentials.RefreshToken); err == nil && cur != rt {
				f.Message = "the refresh token was replaced by another process meanwhile: test again to use the new one"
				f.Category = CatOther
				return nil, res, f
			}
			_ = s.repo.Secrets.Delete(p.ID, credentials.RefreshToken)
			s.logins.setMemToken(p.ID, "")
			res.Status = credentials.StatusLoggedOut
		}
		return nil, res, f
	}
	res, f := s.logins.userResult(ctx, s.Clock.Now, u, tok, "", p.LoggedInAs, start)
	if f != nil {
		return nil, failedResult(p, f, u.warnings, start), f
	}
	// OIDC Core §12.2: a refreshed ID token speaks of the same user (its
	// iss is checked against the issuer by the verifier).
	if p.Subject != "" && res.Token != nil && res.Token.Subject != "" && res.Token.Subject != p.Subject {
		f := &Failure{Category: CatLogin, Message: "the IdP answered the refresh with an ID token for another user " +
			"(its sub differs from the one that logged in), so the answer was refused and its tokens not kept: log in again"}
		return nil, failedResult(p, f, u.warnings, start), f
	}
	if w := s.logins.keepRefreshToken(s.repo.Secrets, p, rt, tok.RefreshToken); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	return tok, res, nil
}
