package idp

import (
	"crypto/subtle"
	"net/http"
	"sync"
	"time"
)

// LoggedOutPath is the post_logout_redirect_uri's path. With a native
// (loopback) client the IdP accepts it on any port, like /callback; IdPs
// that match exactly need http://127.0.0.1:PORT/logged-out registered.
const LoggedOutPath = "/logged-out"

// Logout is the loopback end of an IdP logout (OpenID Connect RP-Initiated
// Logout): a one-time start address that sends the browser on to the IdP
// (so the ID token hint stays off the opener's command line), and the
// post-logout redirect target.
type Logout struct {
	server
	// RedirectURI is the post_logout_redirect_uri, http://127.0.0.1:PORT/logged-out.
	RedirectURI string
	state       string

	emu   sync.Mutex
	ended bool
	done  chan struct{}
}

// ListenLogout starts a logout's listener on the login's port, or any free
// one when that is taken or not a port: a loopback client's post-logout
// address is usually accepted on any port.
func ListenLogout(port int, state string) (*Logout, error) {
	if port < 0 || port > 65535 {
		port = 0
	}
	ln, err := listen(port, true)
	if err != nil {
		return nil, err
	}
	l := &Logout{state: state, done: make(chan struct{})}
	l.RedirectURI = "http://" + ln.Addr().String() + LoggedOutPath
	l.serve(ln, "IdP logout", 30*time.Second, serverHooks{
		paths: []string{LoggedOutPath},
		misdirected: func(w http.ResponseWriter) { // as for the login listener
			http.Error(w, "wrong address", http.StatusMisdirectedRequest)
		},
		// Another uid must neither get the ID token hint from the start
		// address nor make us report an ended IdP session by calling the
		// return address.
		refused: pageLogoutFailed,
		serve:   l.route,
	})
	return l, nil
}

// SetTarget is the IdP's end-session address the start address sends the
// browser to.
func (l *Logout) SetTarget(u string) { l.setTarget(u) }

// Ended is closed when the IdP sent our own user's browser back.
func (l *Logout) Ended() <-chan struct{} { return l.done }

// Close gives the signed-out page a moment to be sent, then stops.
func (l *Logout) Close() { l.shutdown() }

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

func (l *Logout) route(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == l.startPath {
		target, first := l.takeStart()
		if !first || target == "" {
			writePage(w, http.StatusConflict, pageLogoutUsed)
			return
		}
		sendOn(w, r, target, http.StatusFound)
		return
	}
	// The IdP returns the state it was given: anything else is not this logout.
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("state")), []byte(l.state)) != 1 {
		writePage(w, http.StatusBadRequest, pageLogoutFailed("This address does not belong to the pending logout (its state "+
			"parameter is missing or does not match). It may come from an older browser tab."))
		return
	}
	writePage(w, http.StatusOK, pageSignedOut)
	l.emu.Lock()
	defer l.emu.Unlock()
	if !l.ended {
		l.ended = true
		close(l.done)
	}
}
