// Package testmgmt runs one HTTP server that follows the documented shapes
// of three IdP management APIs — Microsoft Graph applications (Entra ID),
// the Okta apps API and the Keycloak admin REST API — for tests of the IdP
// secret lifecycle (#26). Each file (entra.go, okta.go, keycloak.go) keeps
// its API's shapes beside their documentation links.
//
// Its apps are the test IdP's configured clients (testidp), and it REALLY
// mints and revokes through the test IdP (testidp.IdP.SetClientSecrets): a
// secret minted here is accepted by the IdP's token endpoint at once, a
// revoked one is refused. The management token is checked as the real
// APIs do: a JWT from the test IdP verified against its JWKS, audience
// testidp.ManagementResource, and the permission each API requires (Graph
// roles Application.ReadWrite.All / .OwnedBy / Application.Read.All; Okta
// scopes okta.apps.manage / okta.apps.read, or an SSWS API token; Keycloak
// realm-management roles manage-clients / view-clients). Start the IdP
// with testidp.WithManagement and take tokens as testidp.ManagerClientID
// (all rights) or testidp.AuditorClientID (read only).
//
// Faults (SetFault) make one step of one API refuse with that IdP's real
// error body or answer slowly. RFC 7592 needs no server here: the test IdP
// itself manages registrations (testidp.IdP.RegisterClient).
//
// End-to-end tests that run bin/credctl use the server in the test
// process: the management profile is a client_credentials profile of
// testidp.ManagerClientID / ManagerClientSecret at the IdP's token URL with
// scope testidp.ManagementScopes; the managed profile names it with
// --management-profile, --management-api entra|okta|keycloak (the
// 127.0.0.1 issuer says nothing about the kind) and --management-url
// BaseURL(kind). For RFC 7592 use testidp.IdP.RegisterClient: its
// registration_client_uri and registration access token.
//
// What it does not do: Graph's $filter/$select (answers carry every
// field), Okta's rate limits, Keycloak's other admin resources, and the
// Keycloak rotated secret's expiry is enforced when the harness is next
// called, not by a timer; the test IdP does not refuse an Entra secret
// past its endDateTime (the harness only lists the date).
package testmgmt

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// KeycloakRealm is the realm in the Keycloak admin URL.
const KeycloakRealm = "test"

// App is a test IdP client shown by one management API.
type App struct {
	Kind     idpadmin.Kind // Entra, Okta or Keycloak
	ClientID string        // a client configured in the test IdP, with secrets
	Name     string        // display name (default: the client ID)
	// SecretExpires is the expiry of the secrets the client already has
	// (Entra endDateTime, Keycloak with the rotation policy); zero =
	// Entra: 180 days from Start, Keycloak: the policy's, Okta: none.
	SecretExpires time.Time
	// Certificates are listed beside the secrets (Entra keyCredentials).
	Certificates []Certificate
}

// Certificate is an Entra keyCredential (metadata only).
type Certificate struct {
	KeyID       string
	DisplayName string
	Expires     time.Time
}

// Option configures Start.
type Option func(*Server)

// WithApp shows a test IdP client in one API.
func WithApp(a App) Option { return func(s *Server) { s.pending = append(s.pending, a) } }

// WithKeycloakRotation turns on Keycloak's client-secret-rotation policy:
// a new secret expires after expiration, the previous one stays valid as
// the "rotated" secret for rotatedExpiration.
func WithKeycloakRotation(expiration, rotatedExpiration time.Duration) Option {
	return func(s *Server) { s.kcExpiration, s.kcRotatedExpiration = expiration, rotatedExpiration }
}

// WithPageSize sets how many apps one page of a list holds (default 2, so
// paging is exercised).
func WithPageSize(n int) Option { return func(s *Server) { s.pageSize = max(1, n) } }

// Op is a step that a fault can hit.
type Op string

const (
	OpFind        Op = "find"        // Entra GET /applications(appId=…), Okta GET /apps/{id}, Keycloak GET /clients?clientId=
	OpList        Op = "list"        // the app lists
	OpCredentials Op = "credentials" // Okta GET …/secrets, Keycloak GET …/client-secret[/rotated], Entra GET /applications/{id}
	OpMint        Op = "mint"
	OpRevoke      Op = "revoke" // Entra removePassword, Okta deactivate and DELETE, Keycloak DELETE rotated
)

// Fault is what SetFault injects.
type Fault struct {
	// Deny answers 403 with the IdP's real permission error body (Graph
	// Authorization_RequestDenied, Okta E0000006, Keycloak HTTP 403 Forbidden).
	Deny bool
	// Status answers with this status and the IdP's generic error body
	// (e.g. 500, 503); ignored with Deny.
	Status int
	Delay  time.Duration // wait before answering (or before the fault)
	Count  int           // requests affected; 0 = until ClearFaults
	// After lets that many requests of the step pass first (Okta's revoke
	// is two requests: After 1 fails the DELETE after the deactivation).
	After int
}

// Request is what the server saw (never a token or secret).
type Request struct {
	Kind   idpadmin.Kind
	Op     Op
	Method string
	Path   string
	Status int
}

// Server is the running management API server.
type Server struct {
	URL string // root; BaseURL gives each API's --management-url
	// OktaAPIToken is accepted as "SSWS <token>" with all rights.
	OktaAPIToken string

	idp      *testidp.IdP
	verifier *testapi.Verifier
	pageSize int
	started  time.Time

	kcExpiration, kcRotatedExpiration time.Duration

	mu       sync.Mutex
	held     map[Op]int // requests a Delay fault holds right now (Held)
	pending  []App
	apps     []*app
	faults   map[faultKey]*Fault
	requests []Request
}

type faultKey struct {
	kind idpadmin.Kind
	op   Op
}

// Start runs the server for the test; idp must run with testidp.WithManagement.
func Start(t testing.TB, idp *testidp.IdP, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		idp: idp, pageSize: 2, started: time.Now().UTC().Truncate(time.Second),
		OktaAPIToken: "00" + randomString(20), faults: map[faultKey]*Fault{},
	}
	for _, o := range opts {
		o(s)
	}
	s.verifier = testapi.NewVerifier(testapi.Config{
		Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.ManagementResource, Client: idp.HTTPClient(),
	})
	for _, a := range s.pending {
		if err := s.addApp(a); err != nil {
			t.Fatalf("testmgmt: %v", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.URL = "http://" + ln.Addr().String()
	return s
}

// BaseURL is the --management-url of an API: the Graph root, the Okta
// origin, the Keycloak admin realm URL.
func (s *Server) BaseURL(k idpadmin.Kind) string {
	switch k {
	case idpadmin.Entra:
		return s.URL + "/graph/v1.0"
	case idpadmin.Okta:
		return s.URL + "/okta"
	case idpadmin.Keycloak:
		return s.URL + "/keycloak/admin/realms/" + KeycloakRealm
	}
	return ""
}

// SetFault makes one step of one API fail or wait (until ClearFaults or
// Count requests).
func (s *Server) SetFault(k idpadmin.Kind, op Op, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[faultKey{k, op}] = &f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[faultKey]*Fault{}
}

// Requests returns what the server saw so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ServeHTTP routes to the three APIs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	var kind idpadmin.Kind
	var op Op
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/graph/v1.0/"):
		kind, op = idpadmin.Entra, s.entra(rec, r, strings.TrimPrefix(p, "/graph/v1.0"))
	case strings.HasPrefix(p, "/okta/"):
		kind, op = idpadmin.Okta, s.okta(rec, r, strings.TrimPrefix(p, "/okta"))
	case strings.HasPrefix(p, "/keycloak/admin/realms/"+KeycloakRealm+"/"):
		kind, op = idpadmin.Keycloak, s.keycloak(rec, r, strings.TrimPrefix(p, "/keycloak/admin/realms/"+KeycloakRealm))
	default:
		http.NotFound(rec, r)
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Kind: kind, Op: op, Method: r.Method, Path: r.URL.Path, Status: rec.status})
	s.mu.Unlock()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// fault returns the fault for a step (counting it down) after its delay;
// nil = answer normally.
func (s *Server) fault(r *http.Request, k idpadmin.Kind, op Op) *Fault {
	s.mu.Lock()
	f := s.faults[faultKey{k, op}]
	var hit Fault
	if f != nil && f.After > 0 {
		f.After--
		f = nil
	}
	if f != nil {
		hit = *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				delete(s.faults, faultKey{k, op})
			}
		}
	}
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	if hit.Delay > 0 {
		s.hold(op, 1)
		select {
		case <-time.After(hit.Delay):
		case <-r.Context().Done():
		}
		s.hold(op, -1)
	}
	if !hit.Deny && hit.Status == 0 {
		return nil
	}
	return &hit
}

func (s *Server) hold(op Op, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[Op]int{}
	}
	s.held[op] += n
}

// Held reports whether a request of op is being held by a Delay fault now:
// its client has sent it and waits for the answer.
func (s *Server) Held(op Op) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[op] > 0
}

func randomString(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// guid is a random GUID in Graph's form.
func guid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
