package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// The interactive half: authorization code + PKCE through the system
// browser and a loopback redirect (RFC 8252, RFC 7636, RFC 9700), refresh
// with the stored refresh token, and logout with revocation (RFC 7009).

// DefaultLoginTimeout bounds a login when LoginOptions.Timeout is not set.
const DefaultLoginTimeout = 5 * time.Minute

// browserWait is how long Login waits for the browser opener before it
// offers the URL anyway (a text-mode opener may never return).
const browserWait = 3 * time.Second

// Causes of a login context ending, to tell the user which it was.
var (
	errSuperseded   = errors.New("a newer login of this profile replaced this one")
	errLoginAborted = errors.New("the login was cancelled")
)

type loginTimeout struct{ d time.Duration }

func (e *loginTimeout) Error() string { return fmt.Sprintf("no login response within %s", e.d) }

// Login signs the user of a User profile in through the browser: it opens a
// loopback listener, sends the browser to the IdP with PKCE, state and
// nonce, exchanges the code, verifies the ID token, keeps the access token
// in memory and the refresh token in the keyring. Cancelling ctx ends the
// login at once. Like Test, the error is non-nil only when no login could
// be attempted (no such profile, unreadable store); a refused or abandoned
// login is a Result with a Failure.
func (s *Service) Login(ctx context.Context, nameOrID string, opt LoginOptions) (Result, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return Result{}, err
	}
	start := s.Clock.Now()
	if p.Type != credentials.TypeUser {
		f := &Failure{Category: CatConfig, Message: fmt.Sprintf(
			"%q is an %s profile: only User profiles log in; use Test for it", p.Name, p.Type.Label())}
		return failedResult(p, f, nil, start), nil
	}
	if opt.Device && opt.OnDeviceCode == nil {
		return Result{}, errors.New("a device login needs LoginOptions.OnDeviceCode to show the user code")
	}
	if opt.NoBrowser && opt.OnURL == nil && !opt.Device {
		// Nobody would ever see the login URL: do not wait minutes for it.
		return Result{}, errors.New("a login without a browser needs LoginOptions.OnURL to show the URL")
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
		if opt.Device {
			timeout = DefaultDeviceLoginTimeout
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ctx, stop := context.WithTimeoutCause(ctx, timeout, &loginTimeout{timeout})
	defer stop()
	defer s.logins.begin(p.ID, cancel)()

	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventTesting})
	run := (protocol{s}).runLogin
	if opt.Device {
		run = (protocol{s}).runDeviceLogin // login_device.go
	}
	tok, res := run(ctx, p, opt, start)
	res.CheckedAt = s.Clock.Now() // "Last checked" is when the login ended, not when it began
	switch {
	case res.Active():
		// A new session: the login time is part of the profile state the
		// token belongs to, so older sessions' tokens are stale everywhere.
		p.LoginAt = start.UTC()
		// The token goes into the shared store before the state file says
		// a new session began: a process that sees the login (the window
		// beside credctl) then finds its token, not "no valid token".
		shareWarning := s.mgr.Share(p, tok, res)
		res = withRecordWarning(res, s.record(&recordReq{p: p, res: res, login: true}))
		if shareWarning != "" {
			res.Warnings = append(res.Warnings, shareWarning)
		}
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventLoggedIn, Result: &res})
	case res.Failure != nil && res.Failure.Category == CatCancelled:
		// The user changed their mind: the profile's state is what it was.
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventFailed, Result: &res})
	default:
		res = withRecordWarning(res, s.record(&recordReq{p: p, res: res}))
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventFailed, Result: &res})
	}
	return res, nil
}

// runLogin is one login attempt; the browser's callback page shows its outcome.
func (pr protocol) runLogin(ctx context.Context, p credentials.Profile, opt LoginOptions, start time.Time) (*oauth2.Token, Result) {
	s := pr.s
	u, f := (protocol{s}).userClient(ctx, p)
	if f != nil {
		return nil, failedResult(p, f, u.warnings, start)
	}
	fail := func(f *Failure) (*oauth2.Token, Result) {
		return nil, failedResult(p, f, u.warnings, start)
	}
	state, verifier := idp.RandomToken(), oauth2.GenerateVerifier()
	l, err := idp.ListenLogin(p.RedirectPort, state, u.ep.Issuer)
	if err != nil {
		return fail(failure.Classify(err))
	}
	l.IssRequired = u.ep.IssParameterSupported
	l.Linger = &s.pages
	var outcome error = errors.New("the login did not complete")
	defer func() { l.Respond(outcome); l.Close() }()

	cfg := u.config(l.RedirectURI)
	opts := append(u.params(), oauth2.S256ChallengeOption(verifier))
	var nonce string
	if hasScope(p.Scope, oidc.ScopeOpenID) {
		nonce = idp.RandomToken()
		opts = append(opts, oidc.Nonce(nonce))
	}
	opts = append(opts, promptOptions(opt, u.ep)...)
	opts = append(opts, mfaOptions(u.p)...) // login_mfa.go
	opts = append(opts, stepUpOptions(opt.StepUp)...)
	// The browser gets the one-time local start address, never the
	// authorization URL itself: the opener's command line is public.
	authURL, f := (protocol{s}).authorizationURL(ctx, u, cfg, state, opts) // login_par.go: PAR, request objects
	if f != nil {
		return fail(f)
	}
	l.SetAuthURL(authURL)
	offerURL(ctx, s.Browser, l.StartURL(), opt)

	cb, err := l.Wait(ctx)
	// Requests of other local users were refused; when the login did not
	// complete, the failure says so first (it is not a mere timeout).
	if err != nil {
		return fail(l.Lead(waitFailure(ctx)))
	}
	if cb.Err != nil {
		return fail(l.Lead(parHint(cb.Err, p)))
	}
	u.warnings = append(u.warnings, l.Warnings()...)
	tok, f := u.exchange(ctx, cfg, cb.Code, verifier)
	if f != nil {
		outcome = f
		return fail(f)
	}
	res, f := s.logins.userResult(ctx, s.Clock.Now, u, tok, nonce, "", start)
	if f == nil {
		f = checkMFA(u, tok, &res) // login_mfa.go
	}
	if f == nil {
		f = checkStepUp(u, tok, &res, opt.StepUp, time.Now()) // login_stepup.go; the IdP's auth_time is real time
	}
	if f != nil {
		outcome = f
		return fail(f)
	}
	if w := userChanged(p, res.Token, opt.AnotherUser); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	w, f := (protocol{s}).storeSession(ctx, p, tok)
	if f != nil {
		outcome = f
		return fail(f)
	}
	if w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	outcome = nil
	return tok, res
}

// storeSession keeps a new login's refresh token and ID token, under the
// profile's lock. A logout (or cancel) that came while the tokens were being
// obtained wins: nothing is stored behind its back.
func (pr protocol) storeSession(ctx context.Context, p credentials.Profile, tok *oauth2.Token) (string, *Failure) {
	s := pr.s
	unlock, err := s.lockProfile(ctx, p.ID)
	if err != nil {
		if ctx.Err() == nil {
			return "", lockFailure(err)
		}
		unlock = func() {}
	}
	defer unlock()
	if ctx.Err() != nil {
		return "", waitFailure(ctx)
	}
	w := s.logins.keepRefreshToken(s.repo.Secrets, p, "", tok.RefreshToken)
	keepIDToken(s.repo.Secrets, p, tok)
	return w, nil
}

// offerURL opens the browser (unless told not to) and hands the URL to
// OnURL, with the reason when the browser could not be opened.
func offerURL(ctx context.Context, browser Browser, authURL string, opt LoginOptions) {
	var berr error
	if !opt.NoBrowser {
		b := browser
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

// userChanged warns when a login signed in another user than the profile's
// previous login: a login completed by someone else looks exactly so. After
// "Log in as another user" a different user is what was asked for, so no
// alarm is raised then.
func userChanged(p credentials.Profile, info *TokenInfo, anotherAsked bool) string {
	if info == nil || anotherAsked {
		return ""
	}
	changed := p.Subject != "" && info.Subject != "" && p.Subject != info.Subject
	if p.Subject == "" || info.Subject == "" {
		changed = p.LoggedInAs != "" && info.Username != "" && p.LoggedInAs != info.Username
	}
	if !changed {
		return ""
	}
	prev, now := p.LoggedInAs, info.Username
	if prev == "" {
		prev = "another user"
	}
	if now == "" {
		now = "another user"
	}
	return fmt.Sprintf("This login signed in %s; the profile was last logged in as %s. If you did not sign in as %s "+
		"yourself, log out at once: someone else may have completed your login.", failure.Sanitize(now, 100), failure.Sanitize(prev, 100), failure.Sanitize(now, 100))
}
