package oauthflow

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
)

// The interactive half: authorization code + PKCE through the system
// browser and a loopback redirect (RFC 8252, RFC 7636, RFC 9700), refresh
// with the stored refresh token, and logout with revocation (RFC 7009).

// DefaultLoginTimeout bounds a login when LoginOptions.Timeout is not set.
const DefaultLoginTimeout = 5 * time.Minute

// browserWait is how long Login waits for the browser opener before it
// offers the URL anyway (a text-mode opener may never return).
const browserWait = 3 * time.Second

// asymmetricAlgs are the ID token signatures accepted: whatever the IdP's
// JWKS key supports, never HMAC with the client secret.
var asymmetricAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA,
}

// Causes of a login context ending, to tell the user which it was.
var (
	errSuperseded   = errors.New("a newer login of this profile replaced this one")
	errLoginAborted = errors.New("the login was cancelled")
)

type loginTimeout struct{ d time.Duration }

func (e *loginTimeout) Error() string { return fmt.Sprintf("no login response within %s", e.d) }

// loginSessions is the login state kept in memory: the pending logins (one
// per profile), the refresh tokens the keyring could not hold, and the
// IdPs' key sets for ID token verification.
type loginSessions struct {
	mu      sync.Mutex
	pending map[string]*pendingLogin
	memRT   map[string]string // by profile ID: kept here only when the keyring refused it
	keySets map[string]*oidc.RemoteKeySet
	// session serializes what changes a profile's refresh token (login,
	// refresh, logout), so a logout cannot race a rotation and leave a
	// fresh refresh token behind.
	session map[string]*sync.Mutex
}

type pendingLogin struct{ cancel context.CancelCauseFunc }

func newLoginSessions() *loginSessions {
	return &loginSessions{
		pending: map[string]*pendingLogin{},
		memRT:   map[string]string{},
		keySets: map[string]*oidc.RemoteKeySet{},
		session: map[string]*sync.Mutex{},
	}
}

// lock takes the profile's session lock; the result unlocks it.
func (ls *loginSessions) lock(id string) (unlock func()) {
	ls.mu.Lock()
	m := ls.session[id]
	if m == nil {
		m = &sync.Mutex{}
		ls.session[id] = m
	}
	ls.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// begin registers a login of profile id, ending an older one of the same
// profile: its listener and browser tab are stale once a new one starts.
func (ls *loginSessions) begin(id string, cancel context.CancelCauseFunc) (end func()) {
	pl := &pendingLogin{cancel: cancel}
	ls.mu.Lock()
	old := ls.pending[id]
	ls.pending[id] = pl
	ls.mu.Unlock()
	if old != nil {
		old.cancel(errSuperseded)
	}
	return func() {
		ls.mu.Lock()
		if ls.pending[id] == pl {
			delete(ls.pending, id)
		}
		ls.mu.Unlock()
	}
}

func (ls *loginSessions) abort(id string) bool {
	ls.mu.Lock()
	pl := ls.pending[id]
	ls.mu.Unlock()
	if pl != nil {
		pl.cancel(errLoginAborted)
	}
	return pl != nil
}

func (ls *loginSessions) memToken(id string) string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.memRT[id]
}

func (ls *loginSessions) setMemToken(id, rt string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if rt == "" {
		delete(ls.memRT, id)
	} else {
		ls.memRT[id] = rt
	}
}

// keySet returns the cached JWKS of an IdP as seen through client.
func (ls *loginSessions) keySet(key, jwksURL string, client *http.Client) *oidc.RemoteKeySet {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ks := ls.keySets[key]
	if ks == nil {
		// go-oidc keeps this context for its later key fetches.
		ks = oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), client), jwksURL)
		ls.keySets[key] = ks
	}
	return ks
}

// CancelLogin ends the pending login of a profile (its listener closes at
// once); it reports whether one was pending.
func (s *Service) CancelLogin(nameOrID string) bool {
	p, err := s.Repo.Get(nameOrID)
	if err != nil {
		return false
	}
	return s.logins.abort(p.ID)
}

// Login signs the user of a User profile in through the browser: it opens a
// loopback listener, sends the browser to the IdP with PKCE, state and
// nonce, exchanges the code, verifies the ID token, keeps the access token
// in memory and the refresh token in the keyring. Cancelling ctx ends the
// login at once. Like Test, the error is non-nil only when no login could
// be attempted (no such profile, unreadable store); a refused or abandoned
// login is a Result with a Failure.
func (s *Service) Login(ctx context.Context, nameOrID string, opt LoginOptions) (Result, error) {
	p, err := s.Repo.Get(nameOrID)
	if err != nil {
		return Result{}, err
	}
	start := s.Clock.Now()
	if p.Type != credentials.TypeUser {
		f := &Failure{Category: CatConfig, Message: fmt.Sprintf(
			"%q is an %s profile: only User profiles log in; use Test for it", p.Name, p.Type.Label())}
		return failedResult(p, f, nil, start), nil
	}
	if opt.NoBrowser && opt.OnURL == nil {
		// Nobody would ever see the login URL: do not wait minutes for it.
		return Result{}, errors.New("a login without a browser needs LoginOptions.OnURL to show the URL")
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ctx, stop := context.WithTimeoutCause(ctx, timeout, &loginTimeout{timeout})
	defer stop()
	defer s.logins.begin(p.ID, cancel)()

	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventTesting})
	tok, res := s.runLogin(ctx, p, opt, start)
	switch {
	case res.Active():
		s.mgr.Put(p, tok, res)
		s.record(p, res)
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventLoggedIn, Result: &res})
	case res.Failure != nil && res.Failure.Category == CatCancelled:
		// The user changed their mind: the profile's state is what it was.
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventFailed, Result: &res})
	default:
		s.record(p, res)
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventFailed, Result: &res})
	}
	return res, nil
}

// runLogin is one login attempt; the browser's callback page shows its outcome.
func (s *Service) runLogin(ctx context.Context, p credentials.Profile, opt LoginOptions, start time.Time) (*oauth2.Token, Result) {
	u, f := s.userClient(ctx, p)
	if f != nil {
		return nil, failedResult(p, f, u.warnings, start)
	}
	fail := func(f *Failure) (*oauth2.Token, Result) {
		return nil, failedResult(p, f, u.warnings, start)
	}
	state, verifier := randomToken(), oauth2.GenerateVerifier()
	l, err := listenLoopback(p.RedirectPort, state, u.ep.Issuer)
	if err != nil {
		return fail(classifyError(err))
	}
	l.issRequired = u.ep.IssParameterSupported
	var outcome error = errors.New("the login did not complete")
	defer func() { l.respond(outcome); l.close() }()

	cfg := u.config(l.redirectURI)
	opts := append(u.params(), oauth2.S256ChallengeOption(verifier))
	var nonce string
	if hasScope(p.Scope, oidc.ScopeOpenID) {
		nonce = randomToken()
		opts = append(opts, oidc.Nonce(nonce))
	}
	// The browser gets the one-time local start address, never the
	// authorization URL itself: the opener's command line is public.
	l.setAuthURL(cfg.AuthCodeURL(state, opts...))
	s.offerURL(ctx, l.startURL(), opt)

	cb, err := l.wait(ctx)
	u.warnings = append(u.warnings, l.takeWarnings()...)
	if err != nil {
		return fail(waitFailure(ctx))
	}
	if cb.err != nil {
		return fail(cb.err)
	}
	tok, f := u.exchange(ctx, cfg, cb.code, verifier)
	if f != nil {
		outcome = f
		return fail(f)
	}
	res, f := s.userResult(ctx, u, tok, nonce, "", start)
	if f != nil {
		outcome = f
		return fail(f)
	}
	unlock := s.logins.lock(p.ID)
	if ctx.Err() != nil {
		// A logout (or cancel) came while the code was being exchanged:
		// it wins, and no refresh token is stored behind its back.
		unlock()
		f := waitFailure(ctx)
		outcome = f
		return fail(f)
	}
	w := s.keepRefreshToken(p, "", tok.RefreshToken)
	unlock()
	if w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	outcome = nil
	return tok, res
}

// offerURL opens the browser (unless told not to) and hands the URL to
// OnURL, with the reason when the browser could not be opened.
func (s *Service) offerURL(ctx context.Context, authURL string, opt LoginOptions) {
	var berr error
	if !opt.NoBrowser {
		b := s.Browser
		if b == nil {
			b = SystemBrowser{}
		}
		done := make(chan error, 1)
		go func() { done <- b.Open(authURL) }()
		t := time.NewTimer(browserWait)
		select {
		case berr = <-done:
		case <-t.C: // still starting: assume it works, the URL is offered anyway
		case <-ctx.Done():
		}
		t.Stop()
	}
	if opt.OnURL != nil {
		opt.OnURL(authURL, berr)
	}
}

func waitFailure(ctx context.Context) *Failure {
	cause := context.Cause(ctx)
	var to *loginTimeout
	switch {
	case errors.As(cause, &to):
		return &Failure{Category: CatLogin, Err: cause, Message: fmt.Sprintf(
			"No login response arrived within %s. Finish the sign-in in the browser (if none opened, open the "+
				"login URL yourself) and try again.", to.d)}
	case errors.Is(cause, errSuperseded):
		return &Failure{Category: CatCancelled, Err: cause, Message: "Cancelled: " + errSuperseded.Error() + "."}
	}
	return &Failure{Category: CatCancelled, Err: context.Canceled, Message: "The login was cancelled."}
}

// userClient is what a User profile needs to talk to its IdP.
type userClient struct {
	p        credentials.Profile // endpoints filled from discovery
	ep       Endpoints           // discovery (issuer, JWKS); zero without an issuer URL
	http     *http.Client
	secret   string // "" for a public client
	warnings []string
}

func (s *Service) userClient(ctx context.Context, p credentials.Profile) (*userClient, *Failure) {
	u := &userClient{p: p}
	client, warnings, err := s.httpClient(p)
	if err != nil {
		return u, classifyError(err)
	}
	u.http, u.warnings = client, warnings
	if p.IssuerURL != "" {
		ep, err := s.mgr.discovered(ctx, p, client)
		if err != nil {
			return u, classifyError(err)
		}
		u.ep = ep
		u.warnings = append(slices.Clone(u.warnings), ep.Notices...)
		// Endpoints typed into the profile win over discovered ones.
		if u.p.AuthURL == "" {
			u.p.AuthURL = ep.AuthURL
		}
		if u.p.TokenURL == "" {
			u.p.TokenURL = ep.TokenURL
		}
		if u.p.RevocationURL == "" {
			u.p.RevocationURL = ep.RevocationURL
		}
	}
	if u.p.TokenURL == "" || u.p.AuthURL == "" {
		return u, &Failure{Category: CatConfig, Message: "the profile needs an issuer URL, or both an authorization endpoint URL and a token endpoint URL"}
	}
	if p.HasSecret {
		sec, err := s.Repo.Secrets.Get(p.ID, credentials.ClientSecret)
		switch {
		case errors.Is(err, credentials.ErrSecretNotFound):
			return u, &Failure{Category: CatCredentials, Err: err, Message: "the profile's client secret is missing from the OS keyring: edit the profile and enter it again (or clear it for a public client)"}
		case err != nil:
			return u, classifyError(err)
		}
		u.secret = sec
	}
	return u, nil
}

// config is the oauth2 configuration. The client authentication is set
// explicitly (never auto-detected, which would retry the secret another
// way): a public client sends only its client_id in the body.
func (u *userClient) config(redirectURI string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if u.secret != "" {
		style = authStyle(u.p.AuthMethod)
	}
	return &oauth2.Config{
		ClientID:     u.p.ClientID,
		ClientSecret: u.secret,
		Endpoint:     oauth2.Endpoint{AuthURL: u.p.AuthURL, TokenURL: u.p.TokenURL, AuthStyle: style},
		RedirectURL:  redirectURI,
		Scopes:       strings.Fields(u.p.Scope),
	}
}

// params are the profile's extra request parameters (RFC 8707 resource,
// the audience many IdPs use).
func (u *userClient) params() []oauth2.AuthCodeOption {
	var opts []oauth2.AuthCodeOption
	if u.p.Resource != "" {
		opts = append(opts, oauth2.SetAuthURLParam("resource", u.p.Resource))
	}
	if u.p.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", u.p.Audience))
	}
	return opts
}

func (u *userClient) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, u.http)
}

// exchange redeems the authorization code with the PKCE verifier.
func (u *userClient) exchange(ctx context.Context, cfg *oauth2.Config, code, verifier string) (*oauth2.Token, *Failure) {
	opts := append(u.params(), oauth2.VerifierOption(verifier))
	tok, err := cfg.Exchange(u.context(ctx), code, opts...)
	if err != nil {
		f := classifyError(err)
		redactFailure(f, u.secret, code, verifier)
		switch f.IdPError {
		case "invalid_grant":
			f.Category = CatRedirect
			f.Message = "the IdP did not accept the authorization code (a PKCE verifier that does not match, " +
				"a code that expired or was used already, or a different redirect URI)"
		case "unauthorized_client", "unsupported_grant_type":
			f.Category = CatRedirect
			f.Message = "the IdP does not allow this client the authorization code flow"
		}
		return nil, f
	}
	return tok, nil
}

// userResult verifies the ID token (when there is one) and reads who logged
// in with which roles from it or from the access token.
// knownUser (from an earlier login) stands in when a refresh tells no user
// name.
func (s *Service) userResult(ctx context.Context, u *userClient, tok *oauth2.Token, nonce, knownUser string, at time.Time) (Result, *Failure) {
	if f := checkTokenResponse(tok); f != nil {
		return Result{}, f
	}
	p := u.p
	warnings := slices.Clone(u.warnings)
	var idClaims map[string]any
	raw, _ := tok.Extra("id_token").(string)
	switch {
	case raw != "" && u.ep.JWKSURL != "":
		claims, f := s.verifyIDToken(ctx, u, raw, nonce, tok.AccessToken)
		if f != nil {
			return Result{}, f
		}
		idClaims = claims
	case raw != "":
		warnings = append(warnings, "The ID token was not used: without an issuer URL (and its jwks_uri) there are no keys "+
			"to verify it with. Set the issuer URL so the user name can come from the verified ID token.")
	case nonce != "":
		return Result{}, &Failure{Category: CatLogin, Message: "the IdP returned no ID token although the openid scope was requested"}
	}

	info := Inspect(tok.AccessToken, p)
	atClaims := info.Claims
	if idClaims != nil {
		merged := make(map[string]any, len(atClaims)+len(idClaims))
		for k, v := range idClaims {
			merged[k] = v
		}
		for k, v := range atClaims { // the access token's own claims (aud, scope, exp) win
			merged[k] = v
		}
		info.Claims = merged
	}
	// The ID token speaks about the user; the access token is the fallback.
	sources := []map[string]any{idClaims, atClaims}
	info.Username = claimString(sources, p.UsernameClaim, []string{"preferred_username", "name", "sub"})
	if p.UsernameClaim != "" && info.Username == "" {
		return Result{}, &Failure{Category: CatClaims, Message: fmt.Sprintf(
			"neither the ID token nor the access token has a user name at claim path %q; the tokens have: %s",
			p.UsernameClaim, claimNames(info.Claims))}
	}
	if info.Username == "" && knownUser != "" {
		info.Username = knownUser
	}
	if info.Username == "" {
		warnings = append(warnings, "The IdP told no user name (no verified ID token, and the access token is opaque or has no "+
			"preferred_username/sub): add the openid scope, or set the JWT username claim.")
	}
	info.Roles = claimRoles(sources, p.RolesClaim)
	if p.RolesClaim != "" && info.Roles == nil {
		warnings = append(warnings, fmt.Sprintf("Neither token has roles at claim path %q: check the JWT roles claim (the tokens have: %s).",
			p.RolesClaim, claimNames(info.Claims)))
	}
	if p.TenantClaim != "" {
		info.Tenant = claimString(sources, p.TenantClaim, nil)
		if info.Tenant == "" {
			warnings = append(warnings, fmt.Sprintf("Neither token has a tenant at claim path %q: check the JWT mapping fields.", p.TenantClaim))
		}
	}
	res := Result{ProfileID: p.ID, Name: p.Name, Status: credentials.StatusActive, Token: info, Warnings: warnings, CheckedAt: at}
	if d := tokenLifetime(tok); d > 0 {
		res.Expiry = at.Add(d)
		info.Expiry = res.Expiry
	}
	return res, nil
}

// verifyIDToken checks the ID token's signature against the IdP's JWKS, its
// issuer, audience (our client ID), expiry, nonce and at_hash (go-oidc), and
// returns its claims.
func (s *Service) verifyIDToken(ctx context.Context, u *userClient, raw, nonce, accessToken string) (map[string]any, *Failure) {
	key := u.p.ID + "|" + strconv.Itoa(u.p.Revision) + "|" + u.ep.JWKSURL
	ks := s.logins.keySet(key, u.ep.JWKSURL, u.http)
	v := oidc.NewVerifier(u.ep.Issuer, ks, &oidc.Config{
		ClientID: u.p.ClientID, SupportedSigningAlgs: asymmetricAlgs, Now: s.Clock.Now,
	})
	idt, err := v.Verify(oidc.ClientContext(ctx, u.http), raw)
	if err != nil {
		f := &Failure{Category: CatLogin, Err: err, Message: "the ID token failed verification, so the login was rejected: " +
			sanitizeText(err.Error(), maxDescription)}
		if strings.Contains(err.Error(), "expected audience") {
			f.Category = CatCredentials
			f.Message = fmt.Sprintf("the ID token was issued for another client (its audience is not %q), so the login was rejected: check the client ID", u.p.ClientID)
		}
		return nil, f
	}
	if nonce != "" && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, &Failure{Category: CatLogin, Message: "the ID token's nonce does not match this login (it may be replayed), so the login was rejected: log in again"}
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(accessToken); err != nil {
			return nil, &Failure{Category: CatLogin, Err: err, Message: "the access token does not match the ID token's at_hash, so the login was rejected"}
		}
	}
	_, claims, ok := decodeJWT(raw)
	if !ok {
		return nil, &Failure{Category: CatLogin, Message: "the ID token's claims cannot be read"}
	}
	return claims, nil
}

// claimString reads path (or the first default that has a value) from the
// first claim set that holds it.
func claimString(sources []map[string]any, path string, defaults []string) string {
	paths := defaults
	if path != "" {
		paths = []string{path}
	}
	for _, p := range paths {
		for _, claims := range sources {
			if v := firstString(claims, p, nil); v != "" {
				return v
			}
		}
	}
	return ""
}

func claimRoles(sources []map[string]any, path string) []string {
	for _, claims := range sources {
		if claims == nil {
			continue
		}
		if roles := rolesAt(claims, path); roles != nil {
			return roles
		}
	}
	return nil
}

// claimNames lists top-level claim names, to help fix a claim path.
func claimNames(claims map[string]any) string {
	if len(claims) == 0 {
		return "no readable claims"
	}
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func hasScope(scope, want string) bool { return slices.Contains(strings.Fields(scope), want) }

// randomToken is 32 bytes from crypto/rand, base64url: state and nonce.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// keepRefreshToken stores a new refresh token in the keyring when it
// differs from old (a rotation, or a login). What the keyring refuses
// (Windows holds 2560 bytes) is kept in memory only, with a warning: the
// session then works until the app exits.
func (s *Service) keepRefreshToken(p credentials.Profile, old, rt string) string {
	if rt == "" {
		if old == "" {
			// A login without a refresh token: an older session's token is stale.
			_ = s.Repo.Secrets.Delete(p.ID, credentials.RefreshToken)
			s.logins.setMemToken(p.ID, "")
			return "The IdP issued no refresh token, so the session ends when the access token expires " +
				"(some IdPs issue one only for the offline_access scope)."
		}
		return "" // a refresh that keeps the refresh token as it is
	}
	if rt == old {
		return ""
	}
	err := s.Repo.Secrets.Set(p.ID, credentials.RefreshToken, rt)
	if err == nil {
		s.logins.setMemToken(p.ID, "")
		return ""
	}
	s.logins.setMemToken(p.ID, rt)
	// The stored one (if any) is superseded: a rotated one no longer works.
	_ = s.Repo.Secrets.Delete(p.ID, credentials.RefreshToken)
	var ke *credentials.KeyringError
	if errors.As(err, &ke) && ke.Problem == credentials.KeyringTooBig {
		return fmt.Sprintf("The refresh token (%d bytes) is larger than this system's keyring holds (%d bytes), so it is kept "+
			"in memory only: you stay logged in while the app runs, but must log in again after a restart.", len(rt), s.Repo.Secrets.Limit())
	}
	return "The refresh token could not be stored in the OS keyring (" + err.Error() + "), so it is kept in memory only: " +
		"you stay logged in while the app runs, but must log in again after a restart."
}

// refreshToken finds the profile's refresh token: the keyring, or memory
// when the keyring refused it.
func (s *Service) refreshToken(p credentials.Profile) (string, error) {
	if rt := s.logins.memToken(p.ID); rt != "" {
		return rt, nil
	}
	return s.Repo.Secrets.Get(p.ID, credentials.RefreshToken)
}

// refreshUser renews a User profile's tokens with its refresh token (also
// after a restart: this restores the session), using the profile's client
// authentication. A rotated refresh token replaces the stored one. It
// neither records nor caches: the manager does.
func (s *Service) refreshUser(ctx context.Context, p credentials.Profile) (*oauth2.Token, Result, error) {
	start := s.Clock.Now()
	defer s.logins.lock(p.ID)()
	rt, err := s.refreshToken(p)
	if errors.Is(err, credentials.ErrSecretNotFound) {
		f := &Failure{Category: CatLogin, Message: "not logged in: log in to start a session"}
		res := failedResult(p, f, nil, start)
		res.Status = credentials.StatusLoggedOut
		return nil, res, f
	}
	if err != nil {
		f := classifyError(err)
		return nil, failedResult(p, f, nil, start), f
	}
	u, f := s.userClient(ctx, p)
	if f != nil {
		return nil, failedResult(p, f, u.warnings, start), f
	}
	cfg := u.config("")
	tok, err := cfg.TokenSource(u.context(ctx), &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		f := classifyError(err)
		redactFailure(f, u.secret, rt)
		res := failedResult(p, f, u.warnings, start)
		if f.IdPError == "invalid_grant" {
			// The session is over at the IdP (expired, revoked, or a rotated
			// token reused): the stored token is useless.
			f.Category = CatLogin
			f.Message = "the session has ended at the IdP (the refresh token expired or was revoked): log in again"
			// Another process (credctl, a second window) may have rotated the
			// token meanwhile: delete only the one that was refused.
			if cur, err := s.Repo.Secrets.Get(p.ID, credentials.RefreshToken); err == nil && cur != rt {
				f.Message = "the refresh token was replaced by another process meanwhile: test again to use the new one"
				f.Category = CatOther
				return nil, res, f
			}
			_ = s.Repo.Secrets.Delete(p.ID, credentials.RefreshToken)
			s.logins.setMemToken(p.ID, "")
			res.Status = credentials.StatusLoggedOut
		}
		return nil, res, f
	}
	res, f := s.userResult(ctx, u, tok, "", p.LoggedInAs, start)
	if f != nil {
		return nil, failedResult(p, f, u.warnings, start), f
	}
	if w := s.keepRefreshToken(p, rt, tok.RefreshToken); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	return tok, res, nil
}

// Logout ends a User profile's session: the refresh token is revoked at the
// IdP when it has a revocation endpoint (RFC 7009), removed from the
// keyring, and the access token is forgotten. A failed revocation does not
// stop the logout (the tokens are gone here either way); the error then
// says so. A keyring that cannot delete is an error, and the profile stays
// as it was on disk.
func (s *Service) Logout(ctx context.Context, nameOrID string) error {
	p, err := s.Repo.Get(nameOrID)
	if err != nil {
		return err
	}
	if p.Type != credentials.TypeUser {
		return &Failure{Category: CatConfig, Message: fmt.Sprintf("%q is an %s profile: only User profiles log out", p.Name, p.Type.Label())}
	}
	s.logins.abort(p.ID)
	defer s.logins.lock(p.ID)()
	rt, err := s.refreshToken(p)
	if err != nil && !errors.Is(err, credentials.ErrSecretNotFound) {
		return classifyError(err)
	}
	var revokeErr error
	if rt != "" {
		revokeErr = s.revoke(ctx, p, rt)
	}
	s.logins.setMemToken(p.ID, "")
	s.mgr.Forget(p.ID)
	for _, k := range []credentials.SecretKind{credentials.RefreshToken, credentials.TokenCache} {
		if err := s.Repo.Secrets.Delete(p.ID, k); err != nil {
			return classifyError(err)
		}
	}
	now := s.Clock.Now()
	err = s.Repo.Record(p.ID, func(b *credentials.Bookkeeping) {
		b.LastStatus, b.LastChecked = credentials.StatusLoggedOut, now.UTC()
		b.LastError, b.LastCategory, b.LoggedInAs, b.TokenExpiry = "", "", "", time.Time{}
	})
	res := Result{ProfileID: p.ID, Name: p.Name, Status: credentials.StatusLoggedOut, CheckedAt: now}
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventLoggedOut, Result: &res})
	if err != nil {
		return err
	}
	return revokeErr
}

// revoke asks the IdP to revoke a refresh token, authenticating the client
// as the profile says. x/oauth2 has no revocation, so this is by hand.
func (s *Service) revoke(ctx context.Context, p credentials.Profile, rt string) error {
	u, f := s.userClient(ctx, p)
	if f != nil {
		return &Failure{Category: f.Category, Err: f, Message: "logged out here, but the refresh token could not be revoked at the IdP: " + f.Message}
	}
	if u.p.RevocationURL == "" {
		return nil // nothing to call: the token is forgotten here and expires at the IdP
	}
	form := url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}
	basic := false
	switch {
	case u.secret == "":
		form.Set("client_id", u.p.ClientID)
	case u.p.AuthMethod == credentials.AuthPost:
		form.Set("client_id", u.p.ClientID)
		form.Set("client_secret", u.secret)
	default:
		basic = true
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.p.RevocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return &Failure{Category: CatConfig, Err: err, Message: "logged out here, but the revocation endpoint URL is not valid"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749 2.3.1: the credentials are form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(u.p.ClientID), url.QueryEscape(u.secret))
	}
	resp, err := u.http.Do(req)
	if err != nil {
		f := classifyError(err)
		redactFailure(f, u.secret, rt)
		return &Failure{Category: f.Category, Err: f, Message: "logged out here, but the refresh token could not be revoked at the IdP: " + f.Message}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	code, desc := sanitizeText(body.Error, 64), sanitizeText(body.Description, maxDescription)
	f = &Failure{Category: CatEndpoint, HTTPStatus: resp.StatusCode, IdPError: code, IdPDescription: desc,
		Message: fmt.Sprintf("logged out here, but the IdP refused to revoke the refresh token (HTTP %d)", resp.StatusCode)}
	if code == "invalid_client" || resp.StatusCode == http.StatusUnauthorized {
		f.Category = CatCredentials
	}
	redactFailure(f, u.secret, rt)
	return f
}
