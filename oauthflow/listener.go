package oauthflow

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The RFC 8252 loopback redirect listener: it binds 127.0.0.1 only (never
// "localhost", which may resolve elsewhere, and never all interfaces), takes
// exactly one callback and then goes away.

const (
	callbackPath = "/callback"
	// maxCallbackHeader bounds the request line and headers: an authorization
	// response is a few hundred bytes; anything huge is not one.
	maxCallbackHeader = 16 << 10
	// replyWait is how long the callback page waits for the code exchange
	// before it tells the browser to look in the app.
	replyWait = 60 * time.Second
)

// callback is the one authorization response the listener accepted: a code,
// or the reason there is none.
type callback struct {
	code string
	err  *Failure
}

type loopback struct {
	srv         *http.Server
	ln          net.Listener
	redirectURI string
	state       string
	issuer      string // expected RFC 9207 "iss"; "" when unknown

	accepted atomic.Bool
	got      chan callback // capacity 1: only one callback is ever accepted
	reply    chan error    // capacity 1: the login's outcome, for the page
	closing  sync.Once
}

// listenLoopback starts the listener on port (0 = a free one) before the
// browser is opened, so the redirect can never arrive at a closed port.
func listenLoopback(port int, state, issuer string) (*loopback, error) {
	if port < 0 || port > 65535 {
		return nil, &Failure{Category: CatConfig,
			Message: fmt.Sprintf("Redirect port %d is not a TCP port: use 0 (any free port) or 1-65535.", port)}
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, listenFailure(port, err)
	}
	l := &loopback{
		ln:     ln,
		state:  state,
		issuer: issuer,
		got:    make(chan callback, 1),
		reply:  make(chan error, 1),
	}
	l.redirectURI = "http://" + ln.Addr().String() + callbackPath
	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      replyWait + 15*time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    maxCallbackHeader,
	}
	go func() { _ = l.srv.Serve(ln) }() // returns ErrServerClosed on close
	return l, nil
}

// listenFailure explains why the port could not be opened.
func listenFailure(port int, err error) *Failure {
	if port == 0 {
		return &Failure{Category: CatNetwork, Err: err,
			Message: fmt.Sprintf("Cannot open a local port on 127.0.0.1 for the login redirect: %v.", err)}
	}
	if isAddrInUse(err) {
		return &Failure{Category: CatConfig, Err: err, Message: fmt.Sprintf(
			"Port %d on 127.0.0.1 is already in use, so the login redirect cannot be received. "+
				"Close the program using it (another login may still be waiting), or set the profile's "+
				"redirect port to 0 (any free port) or another port the IdP allows.", port)}
	}
	if errors.Is(err, syscall.EACCES) {
		return &Failure{Category: CatConfig, Err: err, Message: fmt.Sprintf(
			"Not allowed to open port %d on 127.0.0.1 (ports below 1024 need special rights): "+
				"use redirect port 0 (any free port) or one above 1023.", port)}
	}
	return &Failure{Category: CatNetwork, Err: err,
		Message: fmt.Sprintf("Cannot open port %d on 127.0.0.1 for the login redirect: %v.", port, err)}
}

// isAddrInUse recognizes "address already in use" on every platform (Windows
// reports WSAEADDRINUSE, which is not syscall.EADDRINUSE there).
func isAddrInUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "address already in use") || strings.Contains(msg, "only one usage of each socket address")
}

// port is the bound port.
func (l *loopback) port() int { return l.ln.Addr().(*net.TCPAddr).Port }

// wait returns the accepted callback, or ctx's error.
func (l *loopback) wait(ctx context.Context) (callback, error) {
	select {
	case cb := <-l.got:
		return cb, nil
	case <-ctx.Done():
		return callback{}, ctx.Err()
	}
}

// respond hands the login's outcome to the waiting callback page. Only the
// first call counts.
func (l *loopback) respond(err error) {
	select {
	case l.reply <- err:
	default:
	}
}

// close stops the listener, giving the callback page a moment to be sent.
func (l *loopback) close() {
	l.closing.Do(func() {
		l.respond(errors.New("the login was stopped before it completed"))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := l.srv.Shutdown(ctx); err != nil {
			_ = l.srv.Close()
		}
	})
}

func (l *loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Anything but the callback (favicon.ico, a probe) is not the answer we
	// wait for and must not end the wait.
	if r.URL.Path != callbackPath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !l.accepted.CompareAndSwap(false, true) {
		writePage(w, http.StatusConflict, pageAlreadyDone)
		return
	}
	cb := l.parse(r.URL.Query())
	l.got <- cb
	if cb.err != nil {
		writePage(w, http.StatusBadRequest, pageFailed(cb.err.Error()))
		return
	}
	t := time.NewTimer(replyWait)
	defer t.Stop()
	select {
	case err := <-l.reply:
		if err != nil {
			writePage(w, http.StatusOK, pageFailed(err.Error()))
			return
		}
		writePage(w, http.StatusOK, pageSuccess)
	case <-t.C:
		writePage(w, http.StatusOK, pageFailed("Finishing the login takes longer than expected: see Credential Workbench for the result."))
	case <-r.Context().Done():
	}
}

// parse checks an authorization response (RFC 6749 4.1.2, RFC 9207). The
// state is compared exactly once, in constant time.
func (l *loopback) parse(q url.Values) callback {
	state, hasState := q.Get("state"), q.Has("state")
	if hasState && subtle.ConstantTimeCompare([]byte(state), []byte(l.state)) != 1 {
		return callback{err: &Failure{Category: CatLogin, Message: "The login response does not belong to this login " +
			"(its state parameter does not match), so it was rejected. It may come from an older login in another " +
			"browser tab: start the login again."}}
	}
	if iss := q.Get("iss"); iss != "" && l.issuer != "" && iss != l.issuer {
		return callback{err: &Failure{Category: CatLogin, Message: fmt.Sprintf("The login response comes from issuer %q, "+
			"not from %q that this login was sent to, so it was rejected (RFC 9207). Check the profile's issuer URL.",
			sanitizeText(iss, 200), l.issuer)}}
	}
	// Error responses carry the state too (RFC 6749 4.1.2.1): without it, any
	// local page could end the login with a message of its choosing.
	if !hasState {
		return callback{err: &Failure{Category: CatLogin, Message: "The login response has no state parameter, so " +
			"it cannot be matched to this login and was rejected. Start the login again; if it keeps happening the " +
			"IdP does not return the state it is given."}}
	}
	if e := q.Get("error"); e != "" {
		return callback{err: authorizationError(e, q.Get("error_description"))}
	}
	code := q.Get("code")
	if code == "" {
		return callback{err: &Failure{Category: CatRedirect, Message: "The login response has no authorization code. " +
			"Check that the authorization code flow is enabled for this client at the IdP."}}
	}
	return callback{code: code}
}

// authorizationError turns an error redirect from the IdP into a Failure.
func authorizationError(code, desc string) *Failure {
	f := &Failure{IdPError: sanitizeText(code, 100), IdPDescription: sanitizeText(desc, 500)}
	switch code {
	case "access_denied":
		f.Category, f.Message = CatLogin, "The login was refused or cancelled at the IdP."
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		f.Category, f.Message = CatLogin, "The IdP needs the user to sign in or consent, and the login did not complete."
	case "invalid_scope":
		f.Category, f.Message = CatScope, "The IdP refused the requested scope."
	case "unauthorized_client", "unsupported_response_type", "invalid_request", "invalid_request_uri", "invalid_client":
		f.Category, f.Message = CatRedirect, "The IdP refused the login request for this client."
	case "server_error", "temporarily_unavailable":
		f.Category, f.Message = CatOther, "The IdP had a problem with the login; try again later."
	default:
		f.Category, f.Message = CatLogin, "The IdP ended the login with an error."
	}
	diagnoseAuthorizeError(f, code, desc) // idp_diag.go: AADSTS codes, MFA, consent
	return f
}
