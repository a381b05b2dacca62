package oauthflow

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): after the
// tokens are gone here, the browser is sent to the IdP's
// end_session_endpoint so its session cookie goes too; otherwise the next
// login silently signs the same user in again. The IdP sends the browser
// back to a short-lived loopback listener, whose page says the user is
// signed out.

// DefaultIdPLogoutTimeout bounds the wait for the browser to come back from
// the IdP's logout page (which may ask the user to confirm).
const DefaultIdPLogoutTimeout = 2 * time.Minute

// LogoutOptions tune Service.LogoutWith.
type LogoutOptions struct {
	// EndIdPSession also ends the IdP's browser session when discovery
	// names an end_session_endpoint.
	EndIdPSession bool
	// Timeout for the browser's return from the IdP (default
	// DefaultIdPLogoutTimeout). The local logout is done before it starts.
	Timeout time.Duration
	// NoBrowser skips opening the browser; OnURL must show the URL.
	NoBrowser bool
	// OnURL gets the one-time local start address that sends the browser
	// on to the IdP's logout (the ID token hint never reaches a command
	// line), and the reason when the browser could not be opened.
	OnURL func(logoutURL string, browserErr error)
}

// IdPSession is what became of the IdP's browser session.
type IdPSession string

const (
	// IdPSessionKept: not asked to end it.
	IdPSessionKept IdPSession = ""
	// IdPSessionEnded: the IdP sent the browser back after its logout.
	IdPSessionEnded IdPSession = "ended"
	// IdPSessionUnsupported: the IdP advertises no end_session_endpoint.
	IdPSessionUnsupported IdPSession = "unsupported"
	// IdPSessionUnknown: the browser did not come back (timeout, cancel,
	// or the IdP refused the request); the session may still be there.
	IdPSessionUnknown IdPSession = "unknown"
)

// LogoutResult says what a logout did beyond this computer.
type LogoutResult struct {
	IdPSession IdPSession
	// Message explains IdPSessionUnsupported and IdPSessionUnknown.
	Message string
}

// keepIDToken stores the login's ID token as the next logout's
// id_token_hint. It is only a hint: when the keyring cannot hold it (too
// big for Windows' Credential Manager), the logout names the client instead.
func keepIDToken(secrets *credentials.Secrets, p credentials.Profile, tok *oauth2.Token) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" || secrets.Set(p.ID, credentials.IDToken, raw) != nil {
		_ = secrets.Delete(p.ID, credentials.IDToken) // never an older session's
	}
}

// endIdPSession sends the browser to the IdP's end_session_endpoint and
// waits for it to come back to the loopback listener.
func (pr protocol) endIdPSession(ctx context.Context, p credentials.Profile, idToken string, opt LogoutOptions) LogoutResult {
	s := pr.s
	if opt.NoBrowser && opt.OnURL == nil {
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: "a logout without a browser needs LogoutOptions.OnURL to show the URL"}
	}
	u, f := (protocol{s}).userClient(ctx, p)
	if f != nil && u.ep.EndSessionURL == "" {
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: "Logged out here, but the IdP's logout address could not be found: " + f.Message}
	}
	if u.ep.EndSessionURL == "" {
		return LogoutResult{IdPSession: IdPSessionUnsupported, Message: "Logged out here. The IdP advertises no " +
			"end_session_endpoint, so its browser session stays: use \"Log in as another user\" to sign in as someone else."}
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultIdPLogoutTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	state := idp.RandomToken()
	l, err := idp.ListenLogout(p.RedirectPort, state)
	if err != nil {
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: "Logged out here, but " + lowerFirst(failure.Classify(err).Message)}
	}
	defer l.Close()
	target, err := url.Parse(u.ep.EndSessionURL)
	if err != nil {
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: "Logged out here, but the IdP's end_session_endpoint is not a valid URL."}
	}
	q := target.Query()
	q.Set("client_id", p.ClientID)
	q.Set("post_logout_redirect_uri", l.RedirectURI)
	q.Set("state", state)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	target.RawQuery = q.Encode()
	l.SetTarget(target.String())
	offerURL(ctx, s.Browser, l.StartURL(), LoginOptions{NoBrowser: opt.NoBrowser, OnURL: opt.OnURL})

	select {
	case <-l.Ended(): // only our own uid's browser gets here (the peer-owner check)
		return LogoutResult{IdPSession: IdPSessionEnded}
	case <-ctx.Done():
		msg := fmt.Sprintf("Logged out here, but the browser did not "+
			"come back from the IdP's logout page within %s, so its session may still be there. If the IdP showed an "+
			"error about the post-logout redirect, ask its administrator to allow %s for this client.", timeout,
			"http://127.0.0.1"+idp.LoggedOutPath)
		if sum := l.RefusedSummary(); sum != "" {
			msg = "Logged out here, but the IdP's session may still be there. " + sum
		}
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: msg}
	}
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
