package oauthflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// The device authorization grant (RFC 8628) for User profiles where no
// browser can reach a loopback port (SSH sessions, containers, WSL without
// a browser bridge): the IdP issues a user code, the user approves it on
// any other device, and we poll the token endpoint until it does. The
// session is then like any other (refresh token in the keyring).

// DefaultDeviceLoginTimeout bounds a device login when LoginOptions.Timeout
// is not set; the IdP's code lifetime (often 15 minutes) bounds it too.
const DefaultDeviceLoginTimeout = 15 * time.Minute

// DeviceCode is what the user needs to approve a device login. The user
// code is short-lived and only useful together with the device code we
// keep, so showing it is safe; the device code never leaves this package.
type DeviceCode struct {
	VerificationURI string
	// VerificationURIComplete carries the user code (for a link or QR
	// code); "" when the IdP sends none.
	VerificationURIComplete string
	UserCode                string
	Expiry                  time.Time     // when the code expires; zero when the IdP did not say
	Interval                time.Duration // how often we ask the IdP
}

// runDeviceLogin is one device login attempt.
func (pr protocol) runDeviceLogin(ctx context.Context, p credentials.Profile, opt LoginOptions, start time.Time) (*oauth2.Token, Result) {
	s := pr.s
	u, f := (protocol{s}).userClient(ctx, p)
	if f != nil {
		return nil, failedResult(p, f, u.warnings, start)
	}
	fail := func(f *Failure) (*oauth2.Token, Result) {
		failure.Redact(f, u.secret)
		return nil, failedResult(p, f, u.warnings, start)
	}
	if u.ep.DeviceAuthURL == "" {
		return fail(&Failure{Category: CatConfig, Message: "the IdP's discovery document names no device_authorization_endpoint, " +
			"so it offers no device login (or the profile has no issuer URL to discover it from): log in through the browser, " +
			"or enable the device authorization grant at the IdP"})
	}
	cfg := u.config("")
	cfg.Endpoint.DeviceAuthURL = u.ep.DeviceAuthURL

	da, err := cfg.DeviceAuth(u.deviceAuthContext(ctx, cfg), u.deviceAuthParams(cfg)...)
	if err != nil {
		if ctx.Err() != nil {
			return fail(waitFailure(ctx))
		}
		return fail(deviceAuthFailure(failure.Classify(err)))
	}
	if da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return fail(&Failure{Category: CatEndpoint, Message: "the IdP's device authorization answer lacks the device code, " +
			"user code or verification URI, so there is nothing to show: check the IdP's device login settings"})
	}
	// The user would type their password into that page: https only, and
	// shown without anything that could disguise it (login_device_uri.go).
	uri, msg := deviceURI("The IdP's verification_uri", da.VerificationURI, cfg.Endpoint.DeviceAuthURL)
	complete, raw := "", da.VerificationURI
	if msg == "" && da.VerificationURIComplete != "" {
		raw = da.VerificationURIComplete
		complete, msg = deviceURI("The IdP's verification_uri_complete", raw, cfg.Endpoint.DeviceAuthURL)
	}
	if msg != "" {
		return fail(&Failure{Category: CatEndpoint, Message: fmt.Sprintf("the device login is refused: %s (it names %s) "+
			"Ask the IdP's administrator to publish an https verification page, or log in through the browser",
			msg, quotedURI(raw))})
	}
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second // RFC 8628 §3.2
	}
	opt.OnDeviceCode(DeviceCode{
		VerificationURI: uri, VerificationURIComplete: complete,
		UserCode: cleanUserCode(da.UserCode), Expiry: da.Expiry, Interval: interval,
	})

	// x/oauth2 polls, honours the interval, and adds 5 s on every
	// slow_down; we count them to say so.
	var slowDowns atomic.Int32
	pollClient := *u.http
	pollClient.Transport = &slowDownObserver{base: transportOf(u.http), n: &slowDowns}
	pctx := context.WithValue(ctx, oauth2.HTTPClient, &pollClient)
	tok, err := cfg.DeviceAccessToken(pctx, da, u.params()...)
	if n := slowDowns.Load(); n > 0 {
		u.warnings = append(u.warnings, fmt.Sprintf("The IdP asked %d time(s) to poll more slowly (slow_down); "+
			"each time the wait between polls grew by 5 seconds, as RFC 8628 requires.", n))
	}
	if err != nil {
		return fail(deviceTokenFailure(ctx, err, da.Expiry))
	}
	res, f := s.logins.userResult(ctx, s.Clock.Now, u, tok, "", "", start) // no nonce: the device flow has no authorization request
	if f == nil {
		f = checkMFA(u, tok, &res)
	}
	if f != nil {
		return fail(f)
	}
	if w := userChanged(p, res.Token, opt.AnotherUser); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	w, f := (protocol{s}).storeSession(ctx, p, tok) // login_authcode.go
	if f != nil {
		return fail(f)
	}
	if w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	return tok, res
}

// deviceAuthParams are the device authorization request's parameters. The
// oauth2 package authenticates only the token request, so a confidential
// client sending its secret in the body adds it here.
func (u *userClient) deviceAuthParams(cfg *oauth2.Config) []oauth2.AuthCodeOption {
	opts := append(u.params(), mfaOptions(u.p)...)
	if u.secret != "" && cfg.Endpoint.AuthStyle == oauth2.AuthStyleInParams {
		opts = append(opts, oauth2.SetAuthURLParam("client_secret", u.secret))
	}
	return opts
}

// deviceAuthContext is the HTTP client for the device authorization
// request: for a confidential client with HTTP Basic authentication it adds
// the Authorization header (RFC 6749 §2.3.1 encoding, as oauth2 does).
func (u *userClient) deviceAuthContext(ctx context.Context, cfg *oauth2.Config) context.Context {
	if u.secret == "" || cfg.Endpoint.AuthStyle != oauth2.AuthStyleInHeader {
		return u.context(ctx)
	}
	c := *u.http
	c.Transport = &basicAuthTransport{base: transportOf(u.http), user: url.QueryEscape(cfg.ClientID), pass: url.QueryEscape(u.secret)}
	return context.WithValue(ctx, oauth2.HTTPClient, &c)
}

func transportOf(c *http.Client) http.RoundTripper {
	if c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

type basicAuthTransport struct {
	base       http.RoundTripper
	user, pass string
}

func (t *basicAuthTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.SetBasicAuth(t.user, t.pass)
	return t.base.RoundTrip(r2)
}

// slowDownObserver counts the token endpoint's slow_down answers while
// leaving them to oauth2's polling loop.
type slowDownObserver struct {
	base http.RoundTripper
	n    *atomic.Int32
}

func (o *slowDownObserver) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := o.base.RoundTrip(r)
	if err != nil || resp.StatusCode < 400 || resp.StatusCode >= 500 {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxIdPResponse))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // oauth2 reports the short body
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error == "slow_down" {
		o.n.Add(1)
	}
	return resp, nil
}

// deviceAuthFailure explains a refused device authorization request.
func deviceAuthFailure(f *Failure) *Failure {
	grantRefused := f.IdPError == "invalid_request" && strings.Contains(f.IdPDescription, "device_code") &&
		strings.Contains(f.IdPDescription, "not allowed") // oidc-provider's wording
	switch {
	case f.IdPError == "unauthorized_client", f.IdPError == "unsupported_grant_type", grantRefused:
		f.Category = CatConfig
		f.Message = "the IdP does not allow this client the device authorization grant: enable it for the client " +
			"(Entra ID: \"Allow public client flows\"; Okta: grant type \"Device Authorization\"; Keycloak: " +
			"\"OAuth 2.0 Device Authorization Grant\"), or log in through the browser"
	}
	if f.Message == "" {
		f.Message = "the device authorization request failed"
	}
	return f
}

// deviceTokenFailure explains how the polling ended. authorization_pending
// and slow_down never end it (oauth2 keeps polling); what remains is a
// cancel or timeout of ours, the code's expiry, or the IdP's refusal.
func deviceTokenFailure(ctx context.Context, err error, expiry time.Time) *Failure {
	if ctx.Err() != nil {
		var to *loginTimeout
		if cause := context.Cause(ctx); errors.As(cause, &to) {
			return &Failure{Category: CatLogin, Err: cause, Message: fmt.Sprintf(
				"The code was not approved within %s (the IdP kept answering authorization_pending). Enter the code at the "+
					"verification URL on another device and sign in there, then try again.", to.d)}
		}
		return waitFailure(ctx)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// oauth2 stops polling at the code's expiry.
		return &Failure{Category: CatLogin, Err: err, Message: "The user code expired" + expiredAt(expiry) +
			" before it was approved (expired_token): start the device login again and enter the new code in time."}
	}
	f := failure.Classify(err)
	switch f.IdPError {
	case "expired_token":
		f.Category = CatLogin
		f.Message = "The user code expired" + expiredAt(expiry) +
			" before it was approved (expired_token): start the device login again and enter the new code in time."
	case "access_denied", "authorization_declined":
		f.Category = CatLogin
		f.Message = "The sign-in was denied on the other device (access_denied): the user aborted it, or the IdP does " +
			"not let this user use this client. Start again and approve the code, or ask the IdP's administrator."
	case "invalid_grant", "bad_verification_code":
		f.Category = CatLogin
		f.Message = "The IdP no longer knows this device code (it was used or revoked): start the device login again."
	}
	return f
}

func expiredAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " at " + t.Local().Format("15:04:05")
}
