package idp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// The RFC 8252 loopback server, one for a login's callback (login.go) and a
// logout's return from the IdP (logout.go): it binds 127.0.0.1 only (never
// "localhost", which may resolve elsewhere, and never all interfaces),
// answers only its own Host (DNS rebinding), only GET, only its own
// addresses, and only sockets of this process's user (peerGuard, fail
// closed). The browser is sent to a one-time start address, which sends it
// on to the IdP, so the IdP address never appears on a command line.

const (
	startPrefix = "/start/"
	// maxCallbackHeader bounds the request line and headers: an authorization
	// response is a few hundred bytes; anything huge is not one.
	maxCallbackHeader = 16 << 10
)

// server is what a login's and a logout's loopback listener share.
type server struct {
	srv       *http.Server
	ln        net.Listener
	startPath string // "/start/<random>": the one-time address the browser is sent to
	// peers refuses every request that does not come from our own uid.
	peers *peerGuard
	// answer says how the flow answers; see serverHooks.
	answer serverHooks

	mu      sync.Mutex
	target  string // where the start address sends the browser
	started bool
}

// serverHooks is what differs between a login and a logout.
type serverHooks struct {
	paths       []string                                     // the addresses answered besides the start address
	maxQuery    int                                          // refuse longer queries (0: MaxHeaderBytes only)
	misdirected func(w http.ResponseWriter)                  // a request for another Host
	tooLarge    func(w http.ResponseWriter)                  // a query over maxQuery
	refused     func(reason string) pageData                 // a request of another user
	serve       func(w http.ResponseWriter, r *http.Request) // a GET to one of the addresses, from our own user
}

// listen opens 127.0.0.1:port (0 = a free one) before the browser is
// opened, so the redirect can never arrive at a closed port. With anyPort a
// busy fixed port falls back to a free one.
func listen(port int, anyPort bool) (net.Listener, error) {
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil && anyPort && port != 0 {
		ln, err = net.Listen("tcp4", "127.0.0.1:0")
		port = 0
	}
	if err != nil {
		return nil, listenFailure(port, err)
	}
	return ln, nil
}

// serve starts answering on ln.
func (s *server) serve(ln net.Listener, what string, writeTimeout time.Duration, h serverHooks) {
	s.ln, s.answer, s.peers = ln, h, newPeerGuard(what)
	s.startPath = startPrefix + RandomToken()
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    maxCallbackHeader,
	}
	go func() { _ = s.srv.Serve(ln) }() // returns ErrServerClosed on close
}

// StartURL is the one-time local address the browser opens. It is the only
// address of the flow that appears on a command line (the opener's), where
// every local user can read it; the IdP address with state, nonce, PKCE
// challenge or ID token hint stays inside this process and the browser.
func (s *server) StartURL() string { return "http://" + s.ln.Addr().String() + s.startPath }

// addr is the listener's address, e.g. 127.0.0.1:4711.
func (s *server) addr() string { return s.ln.Addr().String() }

// port is the bound port.
func (s *server) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// setTarget is where the start address sends the browser.
func (s *server) setTarget(u string) {
	s.mu.Lock()
	s.target = u
	s.mu.Unlock()
}

// takeStart uses up the start address: first is false when it was used
// before; target is "" when none is set.
func (s *server) takeStart() (target string, first bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	first, target = !s.started, s.target
	s.started = true
	return target, first
}

// sendOn redirects the browser, keeping the address out of caches and
// Referer headers.
func sendOn(w http.ResponseWriter, r *http.Request, target string, status int) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, status)
}

// shutdown gives a page being sent a moment, then stops.
func (s *server) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// DNS rebinding: a page on another site whose name resolves to
	// 127.0.0.1 sends its own Host. Only our own address is served.
	if r.Host != s.addr() {
		s.answer.misdirected(w)
		return
	}
	if s.answer.maxQuery > 0 && len(r.URL.RawQuery) > s.answer.maxQuery {
		s.answer.tooLarge(w)
		return
	}
	// Anything but our paths (favicon.ico, a probe) is not the answer we
	// wait for and must not end the wait.
	if r.URL.Path != s.startPath && !contains(s.answer.paths, r.URL.Path) {
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
	// it can neither complete nor stop the flow, nor learn where the start
	// address leads.
	if !s.peers.allow(w, r, s.answer.refused) {
		return
	}
	s.answer.serve(w, r)
}

func contains(paths []string, p string) bool {
	for _, q := range paths {
		if q == p {
			return true
		}
	}
	return false
}

// Warnings say what the listener refused, for a flow that went on.
func (s *server) Warnings() []string { return s.peers.warnings() }

// RefusedSummary is the sentence that leads the failure of a flow that did
// not complete after another user was refused ("" when none was).
func (s *server) RefusedSummary() string { return s.peers.refusedSummary() }

// Lead puts RefusedSummary in front of f's message (f itself unchanged).
func (s *server) Lead(f *failure.Failure) *failure.Failure { return s.peers.lead(f) }

// listenFailure explains why the port could not be opened.
func listenFailure(port int, err error) *failure.Failure {
	if port == 0 {
		return &failure.Failure{Category: failure.CatNetwork, Err: err,
			Message: fmt.Sprintf("Cannot open a local port on 127.0.0.1 for the login redirect: %v.", err)}
	}
	if isAddrInUse(err) {
		return &failure.Failure{Category: failure.CatConfig, Err: err, Message: fmt.Sprintf(
			"Port %d on 127.0.0.1 is already in use, so the login redirect cannot be received. "+
				"Close the program using it (another login may still be waiting), or set the profile's "+
				"redirect port to 0 (any free port) or another port the IdP allows.", port)}
	}
	if errors.Is(err, syscall.EACCES) {
		return &failure.Failure{Category: failure.CatConfig, Err: err, Message: fmt.Sprintf(
			"Not allowed to open port %d on 127.0.0.1 (ports below 1024 need special rights): "+
				"use redirect port 0 (any free port) or one above 1023.", port)}
	}
	return &failure.Failure{Category: failure.CatNetwork, Err: err,
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

// RandomToken is 32 bytes from crypto/rand, base64url: state, nonce and
// the start address's secret part.
func RandomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
