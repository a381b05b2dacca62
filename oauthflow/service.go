package oauthflow

import (
	"log/slog"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
)

// Clock is the time source, swapped in tests.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Browser opens a URL in the user's browser.
type Browser interface {
	Open(url string) error
}

// Result is the outcome of testing, renewing or logging in with a profile.
type Result struct {
	ProfileID string
	Name      string
	Status    credentials.Status
	Expiry    time.Time  // when the token stops being valid (zero if unknown)
	Token     *TokenInfo // what the token says, when there is one
	Failure   *Failure   // why not Active, when Status is Failed
	Warnings  []string   // e.g. TLS verification is off
	CheckedAt time.Time
}

// Active reports whether the result carries a valid token.
func (r Result) Active() bool { return r.Status == credentials.StatusActive }

// TokenInfo is what an access token (and, for logins, the ID token) tells.
// It never holds the token itself.
type TokenInfo struct {
	Opaque    bool           // not a JWT: nothing to decode
	Header    map[string]any // JWT header
	Claims    map[string]any // JWT claims (access token; ID token claims merged for logins)
	Username  string
	Subject   string // the verified ID token's sub; "" without one
	MFA       string // what a login proved about MFA (login_mfa.go); "" when not required
	Roles     []string
	Tenant    string
	Scopes    []string
	Issuer    string
	Audience  []string
	Expiry    time.Time
	TokenType string
}

// EventKind names what happened to a profile.
type EventKind string

const (
	EventSaved     EventKind = "saved"
	EventDeleted   EventKind = "deleted"
	EventTesting   EventKind = "testing" // work started (show progress)
	EventTested    EventKind = "tested"
	EventRenewed   EventKind = "renewed"
	EventFailed    EventKind = "failed"
	EventExpired   EventKind = "expired"
	EventLoggedIn  EventKind = "logged in"
	EventLoggedOut EventKind = "logged out"
	EventRotated   EventKind = "secret rotated"

	// A saved transport was added or edited, or deleted (Event.Transport
	// names it; ProfileID is empty).
	EventTransportSaved   EventKind = "transport saved"
	EventTransportDeleted EventKind = "transport deleted"
)

// Event is published to subscribers (the GUI table, credctl) whenever a
// profile's state changes.
type Event struct {
	ProfileID string
	Name      string
	Kind      EventKind
	// Transport and TransportID name the transport of a transport event.
	Transport   string
	TransportID string
	Result      *Result // for tested / renewed / failed / logged in
	Time        time.Time
}

// RequestSpec is a test request made with a profile's token; see apicall.RequestSpec.
type RequestSpec = apicall.RequestSpec

// Response is what a test request got back; see apicall.Response.
type Response = apicall.Response

// LoginOptions tune an interactive login.
type LoginOptions struct {
	// Timeout for the whole login (default 5 minutes).
	Timeout time.Duration
	// NoBrowser skips opening the browser; OnURL must show the URL.
	NoBrowser bool
	// OnURL is called with the login URL as soon as the listener is ready,
	// so the GUI can offer "Copy login URL" and the CLI can print it. It is
	// the one-time local start address (http://127.0.0.1:PORT/start/…),
	// which sends the browser on to the IdP once and is dead afterwards.
	// browserErr is non-nil when the browser could not be opened.
	OnURL func(authURL string, browserErr error)
	// AnotherUser asks the IdP to show its login page even when the browser
	// still has a session there (prompt=select_account where discovery
	// advertises it, else prompt=login), so a different user can log in;
	// without it the IdP silently logs the same user in again.
	AnotherUser bool
	// Device logs in with the device authorization grant (RFC 8628)
	// instead of the browser and loopback redirect: the user approves a
	// code on any other device. OnDeviceCode must show it.
	Device bool
	// OnDeviceCode is called once the IdP has issued the user code, with
	// what the user must see (login_device.go).
	OnDeviceCode func(DeviceCode)
	// StepUp asks the IdP for what an API's RFC 9470 challenge named (acr
	// values, max_age) and checks the login's ID token meets it (login_stepup.go).
	StepUp *StepUp
}

// Service is the one set of operations the GUI and credctl share.
// Build it with NewService.
type Service struct {
	repo    *credentials.Repository
	Clock   Clock
	Browser Browser
	// HTTPTimeout bounds each call to an IdP or API (0 = DefaultHTTPTimeout).
	HTTPTimeout time.Duration
	// Log receives one line per event and every problem that does not stop
	// an operation (never a secret or token); nil discards.
	Log *slog.Logger
	// Tokens is the access-token store shared by every process of the user
	// (NewService: the OS keyring, with encrypted overflow files in the user
	// cache directory); nil keeps tokens in memory only.
	Tokens TokenStore
	// OneShot is a process that runs one command and exits (credctl): it
	// fetches tokens when asked but renews none in the background.
	OneShot bool
	// LockTimeout bounds the wait for another process's fetch or logout of
	// the same profile (0 = credentials.DefaultProfileLockTimeout).
	LockTimeout time.Duration

	mgr    *Manager       // in-memory tokens, renewal, status (manager.go)
	events *eventHub      // subscribers (events.go)
	logins *loginSessions // pending interactive logins (login_sessions.go)
	own    ownWrites      // what this process wrote and announced (watch.go)
	passes watchPasses    // the watcher's passes (watch.go)
	// pages counts loopback listeners still serving a login's or logout's
	// result page to the browser (idp.Login).
	pages sync.WaitGroup
}

// NewService wires the operations to a repository. browser may be nil (the
// system browser), clock may be nil (the system clock).
func NewService(repo *credentials.Repository, browser Browser, clock Clock) *Service {
	if clock == nil {
		clock = systemClock{}
	}
	if browser == nil {
		browser = SystemBrowser{}
	}
	s := &Service{repo: repo, Clock: clock, Browser: browser}
	if repo != nil && repo.Secrets != nil {
		s.Tokens = NewKeyringTokenStore(repo.Secrets, "")
	}
	s.events = newEventHub()
	s.mgr = newManager(s)
	s.logins = newLoginSessions()
	return s
}

// Close stops background renewal. A token request already sent to an IdP
// is waited for (at most the HTTP timeout) and its outcome kept: a
// redeemed refresh token is gone at the IdP whether or not the answer is
// read.
func (s *Service) Close() {
	s.mgr.Close()
	// A process that exits right after a login (credctl) would otherwise
	// take the result page away before the browser loaded it.
	s.pages.Wait()
}

// Open builds the service on the user's own profile store and keyring, as
// both binaries run it. browser and clock may be nil (the system's).
func Open(browser Browser, clock Clock) (*Service, error) {
	repo, err := credentials.NewRepository()
	if err != nil {
		return nil, err
	}
	return NewService(repo, browser, clock), nil
}
