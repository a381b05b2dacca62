package oauthflow

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
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

// loggedOutPath is the post_logout_redirect_uri's path. With a native
// (loopback) client the IdP accepts it on any port, like /callback; IdPs
// that match exactly need http://127.0.0.1:PORT/logged-out registered.
const loggedOutPath = "/logged-out"

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
func (s *Service) keepIDToken(p credentials.Profile, tok *oauth2.Token) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" || s.repo.Secrets.Set(p.ID, credentials.IDToken, raw) != nil {
		_ = s.repo.Secrets.Delete(p.ID, credentials.IDToken) // never an older session's
	}
}

// endIdPSession sends the browser to the IdP's end_session_endpoint and
// waits for it to come back to the loopback listener.
func (s *Service) endIdPSession(ctx context.Context, p credentials.Profile, idToken string, opt LogoutOptions) LogoutResult {
	if opt.NoBrowser && opt.OnURL == nil {
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: "a logout without a browser needs LogoutOptions.OnURL to show the URL"}
	}
	u, f := s.userClient(ctx, p)
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

	state := randomToken()
	l, err := listenLogout(p.RedirectPort, state)
	if err != nil {
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: "Logged out here, but " + lowerFirst(classifyError(err).Message)}
	}
	defer l.close()
	target, err := url.Parse(u.ep.EndSessionURL)
	if err != nil {
		return LogoutResult{IdPSession: IdPSessionUnknown, Message: "Logged out here, but the IdP's end_session_endpoint is not a valid URL."}
	}
	q := target.Query()
	q.Set("client_id", p.ClientID)
	q.Set("post_logout_redirect_uri", l.redirectURI)
	q.Set("state", state)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	target.RawQuery = q.Encode()
	l.setTarget(target.String())
	s.offerURL(ctx, l.startURL(), LoginOptions{NoBrowser: opt.NoBrowser, OnURL: opt.OnURL})

	select {
	case <-l.done: // only our own uid's browser gets here (peerGuard)
		return LogoutResult{IdPSession: IdPSessionEnded}
	case <-ctx.Done():
		msg := fmt.Sprintf("Logged out here, but the browser did not "+
			"come back from the IdP's logout page within %s, so its session may still be there. If the IdP showed an "+
			"error about the post-logout redirect, ask its administrator to allow %s for this client.", timeout,
			"http://127.0.0.1"+loggedOutPath)
		if sum := l.peers.refusedSummary(); sum != "" {
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

// logoutListener is the loopback end of an IdP logout: a one-time start
// address that sends the browser on to the IdP (so the ID token hint stays
// off the opener's command line), and the post-logout redirect target.
type logoutListener struct {
	srv         *http.Server
	ln          net.Listener
	redirectURI string
	startPath   string
	state       string
	peers       *peerGuard // only our own uid's browser takes part

	mu      sync.Mutex
	target  string
	started bool
	ended   bool
	done    chan struct{}
}

func listenLogout(port int, state string) (*logoutListener, error) {
	if port < 0 || port > 65535 {
		port = 0
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil && port != 0 {
		// The login's fixed port may be taken; a loopback client's
		// post-logout address is usually accepted on any port.
		ln, err = net.Listen("tcp4", "127.0.0.1:0")
	}
	if err != nil {
		return nil, listenFailure(0, err)
	}
	l := &logoutListener{ln: ln, state: state, startPath: startPrefix + randomToken(), done: make(chan struct{}),
		peers: newPeerGuard("IdP logout")}
	l.redirectURI = "http://" + ln.Addr().String() + loggedOutPath
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second, MaxHeaderBytes: maxCallbackHeader}
	go func() { _ = l.srv.Serve(ln) }() // returns ErrServerClosed on close
	return l, nil
}

func (l *logoutListener) startURL() string { return "http://" + l.ln.Addr().String() + l.startPath }

func (l *logoutListener) setTarget(u string) {
	l.mu.Lock()
	l.target = u
	l.mu.Unlock()
}

// close gives the signed-out page a moment to be sent, then stops.
func (l *logoutListener) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil {
		_ = l.srv.Close()
	}
}

var (
	pageSignedOut = pageData{
		Title: "Signed out", Heading: "You are signed out", OK: true, Close: true,
		Lines: []string{
			"Credential Workbench logged you out, and the identity provider ended its session in this browser.",
			"The next login asks who you are. You can close this window.",
		},
	}
	pageLogoutUsed = pageData{
		Title: "Already used", Heading: "This logout address was used already",
		Lines: []string{"Each logout address works once. Log out again in Credential Workbench if you need to."},
	}
)

func pageLogoutFailed(reason string) pageData {
	return pageData{Title: "Logout", Heading: "Not signed out here", Detail: reason,
		Lines: []string{"Credential Workbench did not take part in this. Return to the app to log out again."}}
}

func (l *logoutListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Host != l.ln.Addr().String() { // DNS rebinding, as for the login listener
		http.Error(w, "wrong address", http.StatusMisdirectedRequest)
		return
	}
	if r.URL.Path != l.startPath && r.URL.Path != loggedOutPath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Another uid must neither get the ID token hint from the start address
	// nor make us report an ended IdP session by calling the return address.
	if !l.peers.allow(w, r, pageLogoutFailed) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.URL.Path == l.startPath {
		if l.started || l.target == "" {
			writePage(w, http.StatusConflict, pageLogoutUsed)
			return
		}
		l.started = true
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, l.target, http.StatusFound)
		return
	}
	// The IdP returns the state it was given: anything else is not this logout.
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("state")), []byte(l.state)) != 1 {
		writePage(w, http.StatusBadRequest, pageLogoutFailed("This address does not belong to the pending logout (its state "+
			"parameter is missing or does not match). It may come from an older browser tab."))
		return
	}
	writePage(w, http.StatusOK, pageSignedOut)
	if !l.ended {
		l.ended = true
		close(l.done)
	}
}
