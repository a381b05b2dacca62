// Package idpadmin speaks the management APIs of identity providers, to
// mint, list, identify and revoke an application's client secrets where
// they live: Microsoft Graph (Entra ID), the Okta management API, the
// Keycloak admin REST API and RFC 7592 client configuration management.
// One file per API (entra.go, okta.go, keycloak.go, rfc7592.go) keeps each
// request and answer shape beside its documentation link.
//
// RFC 7592: whether an update (PUT) issues a new client secret is up to
// the IdP. node oidc-provider 9 (the test IdP) KEEPS the secret on a PUT
// (lib/actions/registration.js copies the stored client_secret into the
// updated metadata), so Mint there fails with an *Error (Code
// "secret_kept") saying exactly that; other IdPs answer the PUT with a new
// client_secret, which Mint returns. The registration access token may be
// rotated on every use (oidc-provider's rotateRegistrationAccessToken):
// Conn.SaveRegistrationToken keeps the new one before anything else.
//
// Secrets and tokens never appear in an Error, a log or a String(): IdP
// text is sanitized and capped (failure.Sanitize), answers are read up to
// a size cap, and a secret the IdP echoes back is redacted.
package idpadmin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Kind names a management API.
type Kind string

const (
	Entra    Kind = "entra"    // Microsoft Graph applications
	Okta     Kind = "okta"     // Okta management API (apps)
	Keycloak Kind = "keycloak" // Keycloak admin REST API (clients)
	RFC7592  Kind = "rfc7592"  // OAuth 2.0 Dynamic Client Registration Management
)

// Kinds are the supported APIs, in the order they are offered.
var Kinds = []Kind{Entra, Okta, Keycloak, RFC7592}

// ParseKind reads a --management-api value.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Kinds {
		if k == known {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown management API %q: use one of entra, okta, keycloak, rfc7592", s)
}

// InferKind guesses the API from a profile's issuer (or token URL):
// login.microsoftonline.com and sts.windows.net are Entra, *.okta.com,
// *.oktapreview.com and *.okta-emea.com Okta, a path with /realms/{realm}
// Keycloak; "" when it cannot tell.
func InferKind(issuer string) Kind {
	u, err := url.Parse(strings.TrimSpace(issuer))
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case entraGraph[host] != "":
		return Entra
	case hasDomain(host, "okta.com"), hasDomain(host, "oktapreview.com"), hasDomain(host, "okta-emea.com"),
		hasDomain(host, "okta-gov.com"), hasDomain(host, "okta.mil"):
		return Okta
	case keycloakRealm(u.Path) != "":
		return Keycloak
	}
	return ""
}

func hasDomain(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

// keycloakRealm is the realm of a Keycloak issuer path (/realms/{r} or
// the legacy /auth/realms/{r}, optionally followed by more), "" otherwise.
func keycloakRealm(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "realms" && parts[i+1] != "" {
			return parts[i+1]
		}
	}
	return ""
}

// GraphURL is Microsoft Graph's v1.0 root (global cloud).
const GraphURL = "https://graph.microsoft.com/v1.0"

// entraGraph maps Entra login hosts to their cloud's Graph root
// (learn.microsoft.com/graph/deployments).
var entraGraph = map[string]string{
	"login.microsoftonline.com":        GraphURL,
	"sts.windows.net":                  GraphURL,
	"login.microsoftonline.us":         "https://graph.microsoft.us/v1.0", // US Government L4
	"login.chinacloudapi.cn":           "https://microsoftgraph.chinacloudapi.cn/v1.0",
	"login.partner.microsoftonline.cn": "https://microsoftgraph.chinacloudapi.cn/v1.0",
}

// DefaultBaseURL is the API's base URL when the profile names none: Graph
// for Entra (the national cloud's Graph for its login hosts; US Government
// L5/DoD needs --management-url), the issuer's origin for Okta,
// {origin}[/auth]/admin/realms/{realm} for Keycloak. RFC 7592 has no
// default (it needs the registration_client_uri).
func DefaultBaseURL(k Kind, issuer string) (string, error) {
	if k == Entra {
		if u, err := url.Parse(strings.TrimSpace(issuer)); err == nil && entraGraph[strings.ToLower(u.Hostname())] != "" {
			return entraGraph[strings.ToLower(u.Hostname())], nil
		}
		return GraphURL, nil
	}
	if k == RFC7592 {
		return "", errors.New("the RFC 7592 management URL is the client's registration_client_uri: set it with --management-url")
	}
	u, err := url.Parse(strings.TrimSpace(issuer))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("cannot derive the %s management URL from the issuer %q: set --management-url", k, issuer)
	}
	origin := u.Scheme + "://" + u.Host
	switch k {
	case Okta:
		return origin, nil
	case Keycloak:
		realm := keycloakRealm(u.Path)
		if realm == "" {
			return "", fmt.Errorf("the issuer %q has no /realms/{realm} path: set --management-url to https://HOST/admin/realms/REALM", issuer)
		}
		prefix := ""
		if i := strings.Index(u.Path, "/realms/"); i > 0 {
			prefix = strings.TrimRight(u.Path[:i], "/") // legacy /auth context path
		}
		return origin + prefix + "/admin/realms/" + realm, nil
	}
	return "", fmt.Errorf("unknown management API %q", k)
}

// Conn is how to reach one management API.
type Conn struct {
	Kind Kind
	// BaseURL: the Graph root, the Okta origin, the Keycloak admin realm
	// URL, or the RFC 7592 registration_client_uri.
	BaseURL string
	// Client is the management profile's HTTP client (proxy, CA); nil =
	// a client with a 30 s timeout.
	Client *http.Client
	// Token returns the Authorization scheme and credential: "Bearer" + a
	// management token, "SSWS" + an Okta API token, "Bearer" + the RFC 7592
	// registration access token.
	Token func(ctx context.Context) (scheme, token string, err error)
	// SaveRegistrationToken keeps a rotated RFC 7592 registration access
	// token (oidc-provider rotates it on every use). Required for RFC 7592
	// when the IdP rotates; an answer with a new token and no way to keep
	// it is an error (the old token no longer works).
	SaveRegistrationToken func(ctx context.Context, token string) error
}

// App is an application (client) at the IdP.
type App struct {
	ID       string // the IdP's object ID (Entra object id, Okta app id, Keycloak client UUID, RFC 7592 URI)
	ClientID string // the OAuth client_id
	Name     string
}

// CredentialKind says what a credential is.
type CredentialKind string

const (
	KindSecret      CredentialKind = "secret"
	KindCertificate CredentialKind = "certificate"
)

// Credential statuses.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
	// StatusRotated is Keycloak's previous secret that the
	// client-secret-rotation policy keeps valid for a while.
	StatusRotated = "rotated"
)

// Credential is one secret or certificate of an app (never its value).
type Credential struct {
	App         App
	Kind        CredentialKind
	KeyID       string // Entra keyId, Okta secret id, Keycloak "current"/"rotated", RFC 7592 "current"
	Hint        string // the first characters the IdP shows (Entra hint, Okta secret_hash prefix); may be ""
	DisplayName string
	Status      string // StatusActive, StatusInactive, StatusRotated
	// Created and Expires: zero = unknown or none (Okta secrets carry no expiry).
	Created, Expires time.Time
}

// MintOptions are wishes for a new secret; an IdP ignores what it cannot do.
type MintOptions struct {
	DisplayName string    // Entra displayName
	Expires     time.Time // Entra endDateTime; zero = the IdP's default
}

// Minted is a new secret. Value goes to the keyring only: never into an
// error, a log or a String() (String and GoString hide it).
type Minted struct {
	Credential
	Value string
	// PreviousKeyID is the key ID the secret in use before has now, when
	// minting renamed it (Keycloak: "current" becomes "rotated"); "" =
	// unchanged. Revoke the old secret by this ID.
	PreviousKeyID string
}

// String describes the minted credential without its value.
func (m Minted) String() string {
	return fmt.Sprintf("%s %s of %s (value hidden)", m.Kind, m.KeyID, m.App.ClientID)
}

// GoString hides the value from %#v too.
func (m Minted) GoString() string { return m.String() }

// LogValue hides the value from log/slog.
func (m Minted) LogValue() slog.Value { return slog.StringValue(m.String()) }

// MarshalJSON writes the credential without its value.
func (m Minted) MarshalJSON() ([]byte, error) { return json.Marshal(m.Credential) }

// Limits are what an API allows.
type Limits struct {
	// MaxSecrets is how many secrets an app may have at once; Mint fails
	// when it already has that many (Okta: 2: deactivate and delete one
	// first; inactive secrets count too). 0 = Mint never fails for the
	// count (no known limit, or a mint replaces the old secret).
	MaxSecrets int
	// MintReplacesOld: minting makes the old secret stop working at once
	// (RFC 7592; Keycloak without the client-secret-rotation policy), so
	// there is no overlap in which both work.
	MintReplacesOld bool
}

// Client is one management API connection. Every error is an *Error.
type Client interface {
	Kind() Kind
	Limits() Limits
	// FindApp finds the app of an OAuth client_id (Entra GET
	// /applications(appId='{id}'); Okta the app whose OAuth client_id it
	// is; Keycloak GET /clients?clientId=; RFC 7592 GET the registration
	// URI). Not there: an *Error with Code CodeNotFound (IsNotFound).
	FindApp(ctx context.Context, clientID string) (App, error)
	// Apps lists every app the connection sees (following the pages:
	// Graph @odata.nextLink, Okta Link rel="next", Keycloak first/max; only
	// on the base URL's origin).
	Apps(ctx context.Context) ([]App, error)
	// Credentials lists an app's secrets and certificates (Entra
	// passwordCredentials and keyCredentials; Okta secrets, no expiry;
	// Keycloak the current secret and the rotation policy's "rotated" one
	// with their expiry attributes; RFC 7592 client_secret_expires_at).
	Credentials(ctx context.Context, a App) ([]Credential, error)
	// Identify says which credential (KeyID) the secret is: Entra by the
	// hint (first 3 characters, unique among active secrets), Okta by
	// secret_hash, Keycloak "current" or "rotated" (constant-time compare),
	// RFC 7592 the one. An *Error with Code CodeUnidentified when it cannot
	// tell. Keycloak's key IDs are positions: after a Mint the old secret
	// is "rotated" (Minted.PreviousKeyID).
	Identify(ctx context.Context, a App, secret string) (keyID string, err error)
	// Mint creates a new secret (Entra addPassword with displayName and
	// endDateTime; Okta POST …/credentials/secrets, CodeLimit at two;
	// Keycloak POST …/client-secret; RFC 7592 PUT, CodeSecretKept when the
	// IdP keeps the secret). RFC 7592 only: a Minted with a Value AND an
	// error (Code "token_not_saved") means the new secret is issued (the
	// old one no longer works) but the rotated registration access token
	// could not be kept: keep the secret.
	Mint(ctx context.Context, a App, o MintOptions) (Minted, error)
	// Revoke removes a secret (Entra removePassword; Okta deactivate, then
	// DELETE; Keycloak DELETE …/client-secret/rotated — the current
	// secret cannot be revoked, CodeUnsupported). One already gone is not
	// an error.
	Revoke(ctx context.Context, a App, keyID string) error
}

// New returns the client of c.Kind.
func New(c Conn) (Client, error) {
	if c.Token == nil {
		return nil, errors.New("idpadmin: the connection has no token source")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("the management URL %q is not an http(s) URL: set --management-url", c.BaseURL)
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 30 * time.Second}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	h := &httpAPI{conn: c}
	switch c.Kind {
	case Entra:
		return &entra{h}, nil
	case Okta:
		return &okta{h}, nil
	case Keycloak:
		return &keycloak{httpAPI: h}, nil
	case RFC7592:
		return &rfc7592{httpAPI: h}, nil
	}
	return nil, fmt.Errorf("unknown management API %q: use one of entra, okta, keycloak, rfc7592", c.Kind)
}
