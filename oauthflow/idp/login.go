package idp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// The login's loopback listener: it takes exactly one authorization
// response at /callback, shows the login's outcome at /done and then goes
// away.

const (
	callbackPath = "/callback"
	donePath     = "/done"
	// maxCallbackQuery is checked by the handler too: how net/http applies
	// MaxHeaderBytes to the request line differs between Go releases.
	maxCallbackQuery = 12 << 10
	// replyWait is how long the callback page waits for the code exchange
	// before it tells the browser to look in the app.
	replyWait = 60 * time.Second
	// MaxBadCallbacks is how many callbacks that do not belong to this login
	// (wrong or no state, another local user) are answered 400 before the
	// login gives up: a stale browser tab sends one, an attack sends many.
	MaxBadCallbacks = 5
	// DoneLinger is how long the listener stays up after the callback's
	// redirect to /done, so the browser can load the clean result page.
	DoneLinger = 5 * time.Second
)

// Callback is the one authorization response the listener accepted: a
// code, or the reason there is none.
type Callback struct {
	Code string
	Err  *failure.Failure
}

// Login is the loopback listener of one authorization-code login.
type Login struct {
	server
	// RedirectURI is the redirect_uri of the login, http://127.0.0.1:PORT/callback.
	RedirectURI string
	cookieName  string
	cookieValue string // set on the start redirect, required on the callback
	state       string
	issuer      string // expected RFC 9207 "iss"; "" when unknown
	// IssRequired: the IdP advertises authorization_response_iss_parameter_supported.
	IssRequired bool
	// Linger, when set, counts the background wait for the browser to load
	// /done, so a process about to exit (credctl) can let it finish.
	Linger *sync.WaitGroup

	lmu       sync.Mutex
	bad       int
	donePage  *pageData
	doneCode  int
	doneSeen  chan struct{}
	sentDone  bool
	doneClose sync.Once

	accepted atomic.Bool
	got      chan Callback // capacity 1: only one callback is ever accepted
	reply    chan error    // capacity 1: the login's outcome, for the page
	closing  sync.Once
}

// ListenLogin starts a login's listener on port (0 = a free one) before the
// browser is opened, so the redirect can never arrive at a closed port.
func ListenLogin(port int, state, issuer string) (*Login, error) {
	if port < 0 || port > 65535 {
		return nil, &failure.Failure{Category: failure.CatConfig,
			Message: fmt.Sprintf("Redirect port %d is not a TCP port: use 0 (any free port) or 1-65535.", port)}
	}
	ln, err := listen(port, false)
	if err != nil {
		return nil, err
	}
	l := &Login{
		state:       state,
		issuer:      issuer,
		cookieValue: RandomToken(),
		doneSeen:    make(chan struct{}),
		got:         make(chan Callback, 1),
		reply:       make(chan error, 1),
	}
	// Cookies are not told apart by port: the name carries it, so two
	// logins in one browser do not overwrite each other's binding.
	l.cookieName = "cwb_login_" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	l.RedirectURI = "http://" + ln.Addr().String() + callbackPath
	l.serve(ln, "login", replyWait+15*time.Second, serverHooks{
		paths:    []string{callbackPath, donePath},
		maxQuery: maxCallbackQuery,
		misdirected: func(w http.ResponseWriter) {
			writePage(w, http.StatusMisdirectedRequest, pageData{Title: "Wrong address", Heading: "Wrong address",
				Lines: []string{"This local login page answers only at " + l.addr() + "."}})
		},
		tooLarge: func(w http.ResponseWriter) {
			writePage(w, http.StatusRequestHeaderFieldsTooLarge, pageFailed("This request is far larger than a login response; it was ignored and the login is still waiting."))
		},
		refused: pageFailed,
		serve:   l.route,
	})
	return l, nil
}

// SetAuthURL is where the start address sends the browser.
func (l *Login) SetAuthURL(u string) { l.setTarget(u) }

// finish ends the wait with cb unless a callback was accepted already.
func (l *Login) finish(cb Callback) bool {
	if !l.accepted.CompareAndSwap(false, true) {
		return false
	}
	l.got <- cb
	return true
}

// Wait returns the accepted callback, or ctx's error.
func (l *Login) Wait(ctx context.Context) (Callback, error) {
	select {
	case cb := <-l.got:
		return cb, nil
	case <-ctx.Done():
		return Callback{}, ctx.Err()
	}
}

// Respond hands the login's outcome to the waiting callback page. Only the
// first call counts.
func (l *Login) Respond(err error) {
	select {
	case l.reply <- err:
	default:
	}
}

// Close stops the listener, giving the callback page a moment to be sent.
// When the browser was sent on to /done, the listener stays up until it
// loaded that page (at most DoneLinger), in the background (counted in
// Linger, which Service.Close waits for).
func (l *Login) Close() {
	l.closing.Do(func() {
		l.Respond(errors.New("the login was stopped before it completed"))
		l.lmu.Lock()
		linger := l.sentDone
		l.lmu.Unlock()
		if linger {
			select {
			case <-l.doneSeen: // the browser has its page already
				linger = false
			default:
			}
		}
		if !linger {
			l.shutdown()
			return
		}
		if l.Linger != nil {
			l.Linger.Add(1)
		}
		go func() {
			if l.Linger != nil {
				defer l.Linger.Done()
			}
			t := time.NewTimer(DoneLinger)
			defer t.Stop()
			select {
			case <-l.doneSeen: // Shutdown lets its handler finish
			case <-t.C:
			}
			l.shutdown()
		}()
	})
}

func (l *Login) route(w http.ResponseWriter, r *http.Request) {
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
func (l *Login) serveStart(w http.ResponseWriter, r *http.Request) {
	target, first := l.takeStart()
	if !first || target == "" {
		f := &failure.Failure{Category: failure.CatLogin, Message: "The login's one-time start address was opened a second time, so the " +
			"login was stopped: someone else on this computer may have tried to use it. Start the login again; if it " +
			"keeps happening, tell your administrator."}
		if l.finish(Callback{Err: f}) {
			writePage(w, http.StatusConflict, pageFailed(f.Message))
			return
		}
		writePage(w, http.StatusConflict, pageFailed("This one-time login address was used already. Start a new login in Credential Workbench."))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: l.cookieName, Value: l.cookieValue, Path: callbackPath, // #nosec G124 -- plain-http loopback listener: Secure cannot apply; HttpOnly and SameSite=Lax are set
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
	sendOn(w, r, target, http.StatusFound)
}

// serveDone shows the login's outcome at an address without the code.
func (l *Login) serveDone(w http.ResponseWriter) {
	l.lmu.Lock()
	page, status := l.donePage, l.doneCode
	l.lmu.Unlock()
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
func (l *Login) showDone(w http.ResponseWriter, r *http.Request, status int, page pageData) {
	l.lmu.Lock()
	l.donePage, l.doneCode = &page, status
	l.lmu.Unlock()
	sendOn(w, r, donePath, http.StatusSeeOther)
}

func (l *Login) serveCallback(w http.ResponseWriter, r *http.Request) {
	if l.accepted.Load() {
		writePage(w, http.StatusConflict, pageAlreadyDone)
		return
	}
	q := r.URL.Query()
	// The state is checked first and in constant time; a response without
	// the right one is answered but does not use up the login's one slot.
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(l.state)) != 1 {
		l.lmu.Lock()
		l.bad++
		giveUp := l.bad >= MaxBadCallbacks
		l.lmu.Unlock()
		if giveUp {
			l.finish(Callback{Err: &failure.Failure{Category: failure.CatLogin, Message: fmt.Sprintf("The login received %d responses "+
				"that do not belong to it (their state parameter is missing or wrong), so it was stopped. Start the "+
				"login again; if it keeps happening, the IdP does not return the state it is given, or something on "+
				"this computer is sending fake responses.", MaxBadCallbacks)}})
		}
		writePage(w, http.StatusBadRequest, pageFailed("This response does not belong to the pending login (its state "+
			"parameter is missing or does not match). It may come from an older browser tab; the login is still waiting."))
		return
	}
	cb := l.parse(q, r)
	// Set before the login can see the callback (and close the listener):
	// the browser will be sent on to /done, which must still answer.
	l.lmu.Lock()
	l.sentDone = true
	l.lmu.Unlock()
	if !l.finish(cb) {
		writePage(w, http.StatusConflict, pageAlreadyDone)
		return
	}
	if cb.Err != nil {
		l.showDone(w, r, http.StatusBadRequest, pageFailed(cb.Err.Error()))
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
func (l *Login) parse(q url.Values, r *http.Request) Callback {
	c, err := r.Cookie(l.cookieName)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(l.cookieValue)) != 1 {
		return Callback{Err: &failure.Failure{Category: failure.CatLogin, Message: "The login response did not come from the browser " +
			"the login was started in (it lacks the cookie set by the login's start address), so the login was " +
			"stopped: someone else may have completed it with their own account. Start the login again in one " +
			"browser; if cookies are blocked for 127.0.0.1, allow them."}}
	}
	iss := q.Get("iss")
	switch {
	case iss == "" && l.IssRequired:
		return Callback{Err: &failure.Failure{Category: failure.CatLogin, Message: "The login response has no iss parameter although the " +
			"IdP says it sends one (RFC 9207), so it was rejected: it may have been mixed up with another IdP's. " +
			"Start the login again."}}
	case iss != "" && l.issuer != "" && iss != l.issuer:
		// The iss value is not quoted: it is the sender's text.
		return Callback{Err: &failure.Failure{Category: failure.CatLogin, Message: fmt.Sprintf("The login response names another issuer "+
			"than %q that this login was sent to, so it was rejected (RFC 9207). Check the profile's issuer URL.", l.issuer)}}
	}
	if e := q.Get("error"); e != "" {
		return Callback{Err: AuthorizationError(e, q.Get("error_description"))}
	}
	code := q.Get("code")
	if code == "" {
		return Callback{Err: &failure.Failure{Category: failure.CatRedirect, Message: "The login response has no authorization code. " +
			"Check that the authorization code flow is enabled for this client at the IdP."}}
	}
	return Callback{Code: code}
}

// AuthorizationError turns an error redirect from the IdP into a Failure.
func AuthorizationError(code, desc string) *failure.Failure {
	f := &failure.Failure{IdPError: failure.Sanitize(code, 100), IdPDescription: failure.Sanitize(desc, 500)}
	switch code {
	case "access_denied":
		f.Category, f.Message = failure.CatLogin, "The login was refused or cancelled at the IdP."
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		f.Category, f.Message = failure.CatLogin, "The IdP needs the user to sign in or consent, and the login did not complete."
	case "invalid_scope":
		f.Category, f.Message = failure.CatScope, "The IdP refused the requested scope."
	case "unauthorized_client", "unsupported_response_type", "invalid_request", "invalid_request_uri", "invalid_client":
		f.Category, f.Message = failure.CatRedirect, "The IdP refused the login request for this client."
	case "server_error", "temporarily_unavailable":
		f.Category, f.Message = failure.CatOther, "The IdP had a problem with the login; try again later."
	default:
		f.Category, f.Message = failure.CatLogin, "The IdP ended the login with an error."
	}
	failure.DiagnoseAuthorizeError(f, code, desc) // AADSTS codes, MFA, consent
	return f
}
