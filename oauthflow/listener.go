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
	// maxCallbackQuery is checked by the handler too: how net/http applies
	// MaxHeaderBytes to the request line differs between Go releases.
	maxCallbackQuery = 12 << 10
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

const (
	startPrefix = "/start/"
	donePath    = "/done"
	// maxBadCallbacks is how many callbacks that do not belong to this login
	// (wrong or no state, another local user) are answered 400 before the
	// login gives up: a stale browser tab sends one, an attack sends many.
	maxBadCallbacks = 5
	// doneLinger is how long the listener stays up after the callback's
	// redirect to /done, so the browser can load the clean result page.
	doneLinger = 5 * time.Second
)

type loopback struct {
	srv         *http.Server
	ln          net.Listener
	redirectURI string
	startPath   string // "/start/<random>": the one-time address the browser is sent to
	cookieName  string
	cookieValue string // set on the start redirect, required on the callback
	state       string
	issuer      string // expected RFC 9207 "iss"; "" when unknown
	issRequired bool   // the IdP advertises authorization_response_iss_parameter_supported
	// peers refuses every request that does not come from our own uid.
	peers *peerGuard

	mu        sync.Mutex
	authURL   string
	started   bool
	bad       int
	donePage  *pageData
	doneCode  int
	doneSeen  chan struct{}
	sentDone  bool
	doneClose sync.Once

	// linger, when set, counts the background wait for the browser to load
	// /done, so a process about to exit (credctl) can let it finish.
	linger *sync.WaitGroup

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
		ln:          ln,
		state:       state,
		issuer:      issuer,
		startPath:   startPrefix + randomToken(),
		cookieValue: randomToken(),
		peers:       newPeerGuard("login"),
		doneSeen:    make(chan struct{}),
		got:         make(chan callback, 1),
		reply:       make(chan error, 1),
	}
	// Cookies are not told apart by port: the name carries it, so two
	// logins in one browser do not overwrite each other's binding.
	l.cookieName = "cwb_login_" + strconv.Itoa(l.port())
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

// startURL is the one-time local address the browser opens. It is the only
// login address that appears on a command line (the opener's), where every
// local user can read it; the authorization URL with state, nonce and PKCE
// challenge stays inside this process and the browser.
func (l *loopback) startURL() string { return "http://" + l.ln.Addr().String() + l.startPath }

// setAuthURL is where the start address sends the browser.
func (l *loopback) setAuthURL(u string) {
	l.mu.Lock()
	l.authURL = u
	l.mu.Unlock()
}

// takeWarnings returns what the listener saw that the user should know.
func (l *loopback) takeWarnings() []string { return l.peers.warnings() }

// finish ends the wait with cb unless a callback was accepted already.
func (l *loopback) finish(cb callback) bool {
	if !l.accepted.CompareAndSwap(false, true) {
		return false
	}
	l.got <- cb
	return true
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
// When the browser was sent on to /done, the listener stays up until it
// loaded that page (at most doneLinger), in the background (counted in
// linger, which Service.Close waits for).
func (l *loopback) close() {
	l.closing.Do(func() {
		l.respond(errors.New("the login was stopped before it completed"))
		l.mu.Lock()
		linger := l.sentDone
		l.mu.Unlock()
		shutdown := func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := l.srv.Shutdown(ctx); err != nil {
				_ = l.srv.Close()
			}
		}
		if linger {
			select {
			case <-l.doneSeen: // the browser has its page already
				linger = false
			default:
			}
		}
		if !linger {
			shutdown()
			return
		}
		if l.linger != nil {
			l.linger.Add(1)
		}
		go func() {
			if l.linger != nil {
				defer l.linger.Done()
			}
			t := time.NewTimer(doneLinger)
			defer t.Stop()
			select {
			case <-l.doneSeen: // Shutdown lets its handler finish
			case <-t.C:
			}
			shutdown()
		}()
	})
}

func (l *loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// DNS rebinding: a page on another site whose name resolves to
	// 127.0.0.1 sends its own Host. Only our own address is served.
	if r.Host != l.ln.Addr().String() {
		writePage(w, http.StatusMisdirectedRequest, pageData{Title: "Wrong address", Heading: "Wrong address",
			Lines: []string{"This local login page answers only at " + l.ln.Addr().String() + "."}})
		return
	}
	if len(r.URL.RawQuery) > maxCallbackQuery {
		writePage(w, http.StatusRequestHeaderFieldsTooLarge, pageFailed("This request is far larger than a login response; it was ignored and the login is still waiting."))
		return
	}
	// Anything but our paths (favicon.ico, a probe) is not the answer we
	// wait for and must not end the wait.
	if r.URL.Path != callbackPath && r.URL.Path != l.startPath && r.URL.Path != donePath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Before anything else: a request from another account on this
	// computer (it read the start address from the browser opener's command
	// line) or from a socket whose owner cannot be found takes no part, so
	// it can neither complete nor stop the login.
	if !l.peers.allow(w, r, pageFailed) {
		return
	}
	switch r.URL.Path {
	case l.startPath:
		l.serveStart(w, r)
	case donePath:
		l.serveDone(w)
	default:
		l.serveCallback(w, r)
	}
}

// serveStart answers the start address once with a redirect to the IdP,
// setting the cookie the callback must bring back. A second use means the
// address reached someone else too: the login is stopped, visibly.
func (l *loopback) serveStart(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	first, target := !l.started, l.authURL
	l.started = true
	l.mu.Unlock()
	if !first || target == "" {
		f := &Failure{Category: CatLogin, Message: "The login's one-time start address was opened a second time, so the " +
			"login was stopped: someone else on this computer may have tried to use it. Start the login again; if it " +
			"keeps happening, tell your administrator."}
		if l.finish(callback{err: f}) {
			writePage(w, http.StatusConflict, pageFailed(f.Message))
			return
		}
		writePage(w, http.StatusConflict, pageFailed("This one-time login address was used already. Start a new login in Credential Workbench."))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: l.cookieName, Value: l.cookieValue, Path: callbackPath, // #nosec G124 -- plain-http loopback listener: Secure cannot apply; HttpOnly and SameSite=Lax are set
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusFound)
}

// serveDone shows the login's outcome at an address without the code.
func (l *loopback) serveDone(w http.ResponseWriter) {
	l.mu.Lock()
	page, status := l.donePage, l.doneCode
	l.mu.Unlock()
	if page == nil {
		http.NotFound(w, nil)
		return
	}
	writePage(w, status, *page)
	l.doneClose.Do(func() { close(l.doneSeen) })
}

// showDone remembers the outcome page and sends the browser there with a
// 303, so the callback address (with the code) leaves the address bar.
// status is what /done answers: 400 for a response that was refused, 200
// once the login has an outcome (also a failed exchange).
func (l *loopback) showDone(w http.ResponseWriter, r *http.Request, status int, page pageData) {
	l.mu.Lock()
	l.donePage, l.doneCode = &page, status
	l.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, donePath, http.StatusSeeOther)
}

func (l *loopback) serveCallback(w http.ResponseWriter, r *http.Request) {
	if l.accepted.Load() {
		writePage(w, http.StatusConflict, pageAlreadyDone)
		return
	}
	q := r.URL.Query()
	// The state is checked first and in constant time; a response without
	// the right one is answered but does not use up the login's one slot.
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(l.state)) != 1 {
		l.mu.Lock()
		l.bad++
		giveUp := l.bad >= maxBadCallbacks
		l.mu.Unlock()
		if giveUp {
			l.finish(callback{err: &Failure{Category: CatLogin, Message: fmt.Sprintf("The login received %d responses "+
				"that do not belong to it (their state parameter is missing or wrong), so it was stopped. Start the "+
				"login again; if it keeps happening, the IdP does not return the state it is given, or something on "+
				"this computer is sending fake responses.", maxBadCallbacks)}})
		}
		writePage(w, http.StatusBadRequest, pageFailed("This response does not belong to the pending login (its state "+
			"parameter is missing or does not match). It may come from an older browser tab; the login is still waiting."))
		return
	}
	cb := l.parse(q, r)
	// Set before the login can see the callback (and close the listener):
	// the browser will be sent on to /done, which must still answer.
	l.mu.Lock()
	l.sentDone = true
	l.mu.Unlock()
	if !l.finish(cb) {
		writePage(w, http.StatusConflict, pageAlreadyDone)
		return
	}
	if cb.err != nil {
		l.showDone(w, r, http.StatusBadRequest, pageFailed(cb.err.Error()))
		return
	}
	t := time.NewTimer(replyWait)
	defer t.Stop()
	select {
	case err := <-l.reply:
		if err != nil {
			l.showDone(w, r, http.StatusOK, pageFailed(err.Error()))
			return
		}
		l.showDone(w, r, http.StatusOK, pageSuccess)
	case <-t.C:
		l.showDone(w, r, http.StatusOK, pageFailed("Finishing the login takes longer than expected: see Credential Workbench for the result."))
	case <-r.Context().Done():
	}
}

// parse checks an authorization response whose state matched (RFC 6749
// 4.1.2, RFC 9207): it must come from the browser the login started in, and
// from the issuer it was sent to.
func (l *loopback) parse(q url.Values, r *http.Request) callback {
	c, err := r.Cookie(l.cookieName)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(l.cookieValue)) != 1 {
		return callback{err: &Failure{Category: CatLogin, Message: "The login response did not come from the browser " +
			"the login was started in (it lacks the cookie set by the login's start address), so the login was " +
			"stopped: someone else may have completed it with their own account. Start the login again in one " +
			"browser; if cookies are blocked for 127.0.0.1, allow them."}}
	}
	iss := q.Get("iss")
	switch {
	case iss == "" && l.issRequired:
		return callback{err: &Failure{Category: CatLogin, Message: "The login response has no iss parameter although the " +
			"IdP says it sends one (RFC 9207), so it was rejected: it may have been mixed up with another IdP's. " +
			"Start the login again."}}
	case iss != "" && l.issuer != "" && iss != l.issuer:
		// The iss value is not quoted: it is the sender's text.
		return callback{err: &Failure{Category: CatLogin, Message: fmt.Sprintf("The login response names another issuer "+
			"than %q that this login was sent to, so it was rejected (RFC 9207). Check the profile's issuer URL.", l.issuer)}}
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
