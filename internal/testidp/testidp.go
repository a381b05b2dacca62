// Package testidp runs a real OpenID Connect identity provider (node's
// oidc-provider), a real forward proxy (tinyproxy) and real browsers (a
// net/http one and headless Chromium) for tests.
//
// Prerequisites (the helpers fail the test with these commands when missing):
//
//	npm ci --prefix internal/testidp/node     # from the module root
//	apt-get install -y tinyproxy chromium     # StartProxy, ChromiumLogin
//
// Set TESTIDP_VERBOSE=1 to stream the IdP's log to stderr.
package testidp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of the IdP started by Start.
const (
	// Resource is the API audience of every access token (all are JWTs).
	Resource = "https://api.credworkbench.test"
	// ResourceScopes are the known API scopes.
	ResourceScopes = "api:read api:write api:admin"

	// AppClientID is a confidential client_credentials client allowed AppScopes.
	AppClientID     = "app"
	AppClientSecret = "app-secret"
	AppScopes       = "api:read api:write"
	// DisallowedScope is known to the IdP but not allowed for AppClientID:
	// requesting it gives invalid_scope.
	DisallowedScope = "api:admin"
	// AppUsername and AppRoles are the claims of AppClientID's access tokens.
	AppUsername = "service-account-app"

	// DeviceCodeGrant is the device authorization grant (RFC 8628); both
	// user clients may use it (device_authorization_endpoint in discovery).
	DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

	// PublicClientID is a public (auth method "none", PKCE S256 required)
	// authorization_code + refresh_token client with a loopback redirect URI.
	PublicClientID = "public-user"
	// ConfidentialClientID is the same with a client secret.
	ConfidentialClientID     = "confidential-user"
	ConfidentialClientSecret = "confidential-secret"
	// UserScopes are allowed for both user clients.
	UserScopes = "openid profile email offline_access api:read api:write"
	// RedirectURI is registered for both user clients; since they are native
	// clients, any port is accepted (RFC 8252), e.g. http://127.0.0.1:43210/callback.
	RedirectURI = "http://127.0.0.1/callback"

	// Username and Password log in; UserRoles and TenantID are in its tokens.
	Username = "alice"
	Password = "wonderland"
	TenantID = "tenant-42"
	// Username2 / Password2 is a second user with only the "viewer" role.
	Username2 = "bob"
	Password2 = "builder"
)

// UserRoles are the roles of Username; AppRoles those of AppClientID.
var (
	UserRoles = []string{"admin", "viewer"}
	AppRoles  = []string{"service"}
)

// User is an account that can log in. Roles appear as "roles" and
// "realm_access.roles", TenantID as "TenantID", Username as
// "preferred_username" in ID tokens and JWT access tokens.
type User struct {
	Username string   `json:"username"`
	Password string   `json:"password,omitempty"`
	Name     string   `json:"name,omitempty"`
	Email    string   `json:"email,omitempty"`
	Roles    []string `json:"roles"`
	TenantID string   `json:"tenant,omitempty"`
	// OTP is the user's one-time code: a login that enters it (WithOTP) did
	// MFA (amr pwd+otp, the requested acr); one without did not (amr pwd).
	OTP string `json:"otp,omitempty"`
	// HideAuthContext: the IdP puts neither acr nor amr into the tokens.
	HideAuthContext bool `json:"hideAuthContext,omitempty"`
}

// Client is a registered OAuth client. Both client_secret_basic and
// client_secret_post are accepted for any client with secrets.
type Client struct {
	ID string
	// Secrets are all accepted (secret rotation); none makes a public client.
	Secrets []string
	// GrantTypes: client_credentials, authorization_code, refresh_token,
	// DeviceCodeGrant.
	GrantTypes []string
	// RedirectURIs; loopback http URIs match any port.
	RedirectURIs []string
	// Scope is the allowlist of known scopes; "" allows all.
	Scope string
	// ServiceAccount supplies the claims of client_credentials tokens.
	ServiceAccount *User
	// JWKS are the client's public keys (JWKs as JSON objects); with them
	// and no Secrets the client authenticates with private_key_jwt, and
	// oidc-provider rejects a reused assertion jti.
	JWKS []json.RawMessage
	// SecretExpiresAt sets client_secret_expires_at: after it the IdP
	// refuses the secret ("its client secret is expired").
	SecretExpiresAt time.Time
	// Metadata is further oidc-provider client metadata (e.g.
	// dpop_bound_access_tokens, tls_client_auth_subject_dn); it wins over
	// what the fields above produce.
	Metadata map[string]any
}

// Stats counts what the IdP saw since start or the last Reset.
type Stats struct {
	Authorization  int            `json:"authorization"` // GET /auth (login started)
	Token          int            `json:"token"`         // token endpoint requests, any outcome
	Revocation     int            `json:"revocation"`
	Introspection  int            `json:"introspection"`
	Userinfo       int            `json:"userinfo"`
	Discovery      int            `json:"discovery"`
	JWKS           int            `json:"jwks"`
	EndSession     int            `json:"endSession"` // RP-initiated logout requests (/session/end)
	LoginSucceeded int            `json:"loginSucceeded"`
	LoginFailed    int            `json:"loginFailed"`
	Grants         map[string]int `json:"grants"`      // successful token responses by grant_type
	TokenErrors    map[string]int `json:"tokenErrors"` // token endpoint errors by OAuth error code
}

// IdP is a running identity provider. Its endpoints are read from discovery.
type IdP struct {
	Issuer           string
	DiscoveryURL     string
	AuthURL          string
	TokenURL         string
	RevocationURL    string
	IntrospectionURL string
	UserinfoURL      string
	JWKSURL          string
	DeviceAuthURL    string // RFC 8628 device authorization endpoint

	// CAFile (PEM) and CAPool trust the IdP's certificate; empty/nil without TLS.
	CAFile string
	CAPool *x509.CertPool

	// admin talks to the test endpoints; it skips certificate checks so it
	// also works with the deliberately broken TLS variants.
	admin *http.Client
}

type config struct {
	Port            int        `json:"port"`
	TLS             *tlsFiles  `json:"tls,omitempty"`
	Resource        string     `json:"resource"`
	ResourceScopes  string     `json:"resourceScopes"`
	AccessTokenTTL  int        `json:"accessTokenTTL"`
	RefreshTokenTTL int        `json:"refreshTokenTTL"`
	DeviceInterval  int        `json:"deviceInterval"` // seconds between device-code polls (RFC 8628 interval)
	DeviceCodeTTL   int        `json:"deviceCodeTTL"`  // lifetime of device and user codes (seconds)
	Users           []User     `json:"users"`
	Clients         []jsClient `json:"clients"`
	// Features configure the feature modules of server.mjs (featureModules),
	// by module name (WithFeature).
	Features map[string]any `json:"features,omitempty"`

	tlsMode  tlsMode
	clients  []Client
	problems []string
}

type tlsFiles struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// jsClient is a Client as oidc-provider client metadata (see server.mjs).
type jsClient struct {
	ID            string   `json:"client_id"`
	Secrets       []string `json:"secrets,omitempty"`
	GrantTypes    []string `json:"grant_types"`
	ResponseTypes []string `json:"response_types"`
	RedirectURIs  []string `json:"redirect_uris"`
	// PostLogoutRedirectURIs: each redirect URI's origin with /logged-out,
	// the app's RP-initiated logout return address (any port, as native).
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	ApplicationType        string   `json:"application_type,omitempty"`
	Scope                  string   `json:"scope,omitempty"`
	ServiceAccount         *User    `json:"service_account,omitempty"`

	JWKS                    *jsJWKS `json:"jwks,omitempty"`
	TokenEndpointAuthMethod string  `json:"token_endpoint_auth_method,omitempty"`
	SecretExpiresAt         int64   `json:"client_secret_expires_at,omitempty"`
	// Extra is Client.Metadata, merged over the rest by server.mjs.
	Extra map[string]any `json:"extra,omitempty"`
}

type jsJWKS struct {
	Keys []json.RawMessage `json:"keys"`
}

// nodeDir is internal/testidp/node, found from this source file so that
// tests of any package can start the IdP.
func nodeDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "node")
}

// checkNode returns the node binary, or an error telling how to install what
// is missing.
func checkNode(module string) (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("testidp: node not found on PATH (install Node.js >= 20): %v", err)
	}
	if _, err := os.Stat(filepath.Join(nodeDir(), "node_modules", module, "package.json")); err != nil {
		return "", fmt.Errorf("testidp: %s is not installed; run from the module root: npm ci --prefix internal/testidp/node", module)
	}
	return node, nil
}

// Start runs an IdP for the duration of the test.
func Start(t testing.TB, opts ...Option) *IdP {
	t.Helper()
	idp, stop, err := Launch(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if log := stop(); t.Failed() {
			t.Logf("testidp server log:\n%s", log)
		}
	})
	return idp
}

// Launch runs an IdP outside a test (make demo). Its files go to dir; stop
// ends the server and returns its log.
func Launch(dir string, opts ...Option) (idp *IdP, stop func() (log string), err error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(cfg)
	}
	if len(cfg.problems) > 0 {
		return nil, nil, fmt.Errorf("testidp: %s", strings.Join(cfg.problems, "; "))
	}
	for _, cl := range cfg.clients {
		cfg.Clients = append(cfg.Clients, cl.metadata())
	}
	node, err := checkNode("oidc-provider")
	if err != nil {
		return nil, nil, err
	}

	idp = &IdP{}
	if cfg.tlsMode != tlsNone {
		files, err := writeCerts(dir, cfg.tlsMode)
		if err != nil {
			return nil, nil, fmt.Errorf("testidp: certificates: %v", err)
		}
		cfg.TLS = &tlsFiles{Cert: files.cert, Key: files.key}
		idp.CAFile, idp.CAPool = files.caFile, files.caPool
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	cfgFile := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		return nil, nil, err
	}

	// A start that does not report within the deadline is killed and tried
	// once more: on a loaded 2-core CI machine node has been seen to stall
	// at start-up; a second stall is reported with both logs.
	var ready readyLine
	var firstLog string
	for attempt := 1; ; attempt++ {
		ready, stop, err = startServer(node, cfgFile, 45*time.Second)
		if err == nil {
			break
		}
		if !errors.Is(err, errStartTimeout) || attempt == 2 {
			return nil, nil, fmt.Errorf("%w%s", err, firstLog)
		}
		firstLog = "\n(first attempt also timed out)"
	}
	fail := func(format string, args ...any) (*IdP, func() string, error) {
		log := stop()
		return nil, nil, fmt.Errorf(format+"\nstderr:\n%s", append(args, log)...)
	}

	idp.Issuer = ready.Issuer
	idp.admin = &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, // #nosec G402 -- test-only admin client, see IdP.admin
	}
	idp.DiscoveryURL = idp.Issuer + "/.well-known/openid-configuration"
	var disc struct {
		Auth          string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		Revocation    string `json:"revocation_endpoint"`
		Introspection string `json:"introspection_endpoint"`
		Userinfo      string `json:"userinfo_endpoint"`
		JWKS          string `json:"jwks_uri"`
		Device        string `json:"device_authorization_endpoint"`
	}
	if err := idp.call(http.MethodGet, idp.DiscoveryURL, nil, &disc); err != nil {
		return fail("testidp: discovery: %v", err)
	}
	idp.AuthURL, idp.TokenURL, idp.RevocationURL = disc.Auth, disc.Token, disc.Revocation
	idp.IntrospectionURL, idp.UserinfoURL, idp.JWKSURL = disc.Introspection, disc.Userinfo, disc.JWKS
	idp.DeviceAuthURL = disc.Device
	// Discovery is not the caller's own traffic.
	if err := idp.call(http.MethodPost, idp.Issuer+"/__test/reset", nil, nil); err != nil {
		return fail("testidp: reset: %v", err)
	}
	return idp, stop, nil
}

type readyLine struct {
	Issuer string `json:"issuer"`
	Port   int    `json:"port"`
}

var errStartTimeout = errors.New("testidp: server did not start in time (is the machine overloaded?)")

// startServer runs server.mjs and waits for its ready line.
func startServer(node, cfgFile string, timeout time.Duration) (ready readyLine, stop func() string, err error) {
	cmd := exec.Command(node, "server.mjs", cfgFile) // #nosec G204 -- test harness: node and its own config file
	cmd.Dir = nodeDir()
	setProcessGroup(cmd)
	stdout := newFirstLine()
	stderr := &syncBuffer{}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	if os.Getenv("TESTIDP_VERBOSE") != "" {
		cmd.Stderr = io.MultiWriter(stderr, os.Stderr)
	}
	// server.mjs exits when its stdin closes: no orphan if the test binary dies.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return ready, nil, err
	}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return ready, nil, fmt.Errorf("testidp: starting node: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	stop = func() string {
		once.Do(func() {
			_ = stdin.Close()
			_ = killProcessGroup(cmd)
			<-exited
		})
		return stderr.String()
	}
	failed := func(err error) (readyLine, func() string, error) {
		return ready, nil, fmt.Errorf("%w\nstderr:\n%s", err, stop())
	}
	select {
	case <-stdout.done:
		if err := json.Unmarshal(stdout.line(), &ready); err != nil || ready.Issuer == "" {
			return failed(fmt.Errorf("testidp: bad ready line %q: %v", stdout.line(), err))
		}
	case err := <-exited:
		exited <- err // for stop
		return failed(fmt.Errorf("testidp: server exited before listening: %v", err))
	case <-time.After(timeout):
		return failed(errStartTimeout)
	}
	return ready, stop, nil
}

// HTTPClient returns a client that trusts the IdP's CA when TLS is on.
func (p *IdP) HTTPClient() *http.Client {
	if p.CAPool == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.CAPool}},
	}
}

// Stats returns the request counters.
func (p *IdP) Stats(t testing.TB) Stats {
	t.Helper()
	var s Stats
	if err := p.call(http.MethodGet, p.Issuer+"/__test/stats", nil, &s); err != nil {
		t.Fatalf("testidp: stats: %v", err)
	}
	return s
}

// Browser returns a login function for this IdP (trusting its CA) in the
// shape the oauthflow code uses to "open the browser".
func (p *IdP) Browser(user, password string) func(ctx context.Context, authURL string) error {
	return func(ctx context.Context, authURL string) error {
		return BrowserLogin(ctx, authURL, user, password, WithRootCAs(p.CAPool))
	}
}

func (p *IdP) call(method, u string, form url.Values, out any) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := p.admin.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, u, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// firstLine is an io.Writer that captures the first line written to it.
type firstLine struct {
	mu   sync.Mutex
	buf  []byte
	done chan struct{}
	seen bool
}

func newFirstLine() *firstLine { return &firstLine{done: make(chan struct{})} }

func (w *firstLine) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen {
		w.buf = append(w.buf, b...)
		if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
			w.buf, w.seen = w.buf[:i], true
			close(w.done)
		}
	}
	return len(b), nil
}

func (w *firstLine) line() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
