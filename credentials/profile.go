// Package credentials holds credential profiles: the record an administrator
// edits, its validation, the metadata file that stores it, the OS keyring that
// stores its secrets, and import/export. It knows nothing of HTTP or Fyne.
package credentials

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Type says who uses a profile.
type Type string

const (
	// TypeApplication is a machine-to-machine client (client credentials).
	TypeApplication Type = "application"
	// TypeUser is an interactive client (authorization code + PKCE).
	TypeUser Type = "user"
)

// Label is the human name of the type.
func (t Type) Label() string {
	switch t {
	case TypeApplication:
		return "Application"
	case TypeUser:
		return "User"
	}
	return string(t)
}

// GrantType is the OAuth grant a profile uses.
type GrantType string

const (
	GrantClientCredentials GrantType = "client_credentials"
	GrantAuthorizationCode GrantType = "authorization_code"
	// Derived profiles (#28): RFC 8693 token exchange, RFC 7523 JWT bearer.
	GrantTokenExchange GrantType = "urn:ietf:params:oauth:grant-type:token-exchange" // #nosec G101 -- a grant type name, not a credential
	GrantJWTBearer     GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"     // #nosec G101 -- a grant type name, not a credential
)

// Label is the human name of the grant.
func (g GrantType) Label() string {
	switch g {
	case GrantClientCredentials:
		return "Client Credentials"
	case GrantAuthorizationCode:
		return "Authorization Code"
	case GrantTokenExchange:
		return "Token Exchange"
	case GrantJWTBearer:
		return "JWT Bearer"
	}
	return string(g)
}

// DefaultGrant is the grant that goes with a profile type.
func (t Type) DefaultGrant() GrantType {
	if t == TypeUser {
		return GrantAuthorizationCode
	}
	return GrantClientCredentials
}

// AuthMethod is how the client authenticates at the token endpoint.
type AuthMethod string

const (
	AuthBasic AuthMethod = "client_secret_basic"
	AuthPost  AuthMethod = "client_secret_post"
	// Mutual TLS client authentication (RFC 8705 §2).
	AuthTLSClient     AuthMethod = "tls_client_auth"
	AuthSelfSignedTLS AuthMethod = "self_signed_tls_client_auth"
	// AuthPrivateKeyJWT signs a fresh JWT assertion with the profile's
	// private key for every token request (RFC 7523).
	AuthPrivateKeyJWT AuthMethod = "private_key_jwt"
)

// Algorithms of a private_key_jwt assertion; "" picks by key type (RSA:
// RS256, EC: ES256).
const (
	AlgRS256 = "RS256"
	AlgPS256 = "PS256"
	AlgES256 = "ES256"
)

// Thumbprint headers of an assertion: Entra wants x5t (SHA-1) or x5t#S256,
// and answers AADSTS700027 to a SHA-256 value in x5t, so both is the default.
const (
	HeadersBoth    = ""
	HeadersX5t     = "x5t"
	HeadersX5tS256 = "x5t#S256"
)

// Audiences of an assertion.
const (
	AudienceTokenURL = "" // the token endpoint (Entra, Okta, oidc-provider)
	AudienceIssuer   = "issuer"
)

// ProxyMode selects how a profile reaches its IdP.
type ProxyMode string

const (
	ProxyNone   ProxyMode = "none"
	ProxySystem ProxyMode = "system" // HTTPS_PROXY / HTTP_PROXY / NO_PROXY
	ProxyURL    ProxyMode = "url"
)

// Status is the last known state of a profile's credential.
type Status string

const (
	StatusUntested  Status = "Untested"
	StatusActive    Status = "Active"
	StatusExpired   Status = "Expired"
	StatusFailed    Status = "Failed"
	StatusLoggedOut Status = "Logged out"
)

// DefaultTenantHeader carries the tenant id on test requests.
const DefaultTenantHeader = "X-TENANT-ID"

// DefaultRefreshInterval is used when a profile does not set one.
const DefaultRefreshInterval = 5 * time.Minute

// MinRefreshInterval keeps profiles from hammering their IdP.
const MinRefreshInterval = 30 * time.Second

// Duration is a time.Duration that reads and writes as "5m0s" in JSON,
// so the file stays readable by people.
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	s, ok := plainJSONString(b)
	if !ok {
		if err := json.Unmarshal(b, &s); err != nil {
			return durationFromNumber(d, b)
		}
	}
	if s == "" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use a value like 30s, 5m or 1h", s)
	}
	*d = Duration(v)
	return nil
}

// plainJSONString is the text of a JSON string of printable ASCII without
// escapes ("5m0s", as this app writes durations): that needs no decoder, and
// every profile of a 10,000-profile file has one.
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	for _, c := range b[1 : len(b)-1] {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(b[1 : len(b)-1]), true
}

// durationFromNumber reads plain seconds, as people write them by hand.
func durationFromNumber(d *Duration, b []byte) error {
	var n float64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("duration must be a string like \"5m\" or a number of seconds")
	}
	*d = Duration(time.Duration(n * float64(time.Second)))
	return nil
}

// Proxy is how a profile reaches its IdP. The proxy password lives in the keyring.
type Proxy struct {
	Mode     ProxyMode `json:"mode,omitempty"`
	URL      string    `json:"url,omitempty"`
	Username string    `json:"username,omitempty"`
}

// TLS holds the optional trust settings of a profile.
type TLS struct {
	CAFile             string `json:"caFile,omitempty"`
	InsecureSkipVerify bool   `json:"insecureSkipVerify,omitempty"`
}

// Profile is one credential profile. Secrets are never part of it: they are
// kept in the keyring under the profile's ID, which survives renames.
type Profile struct {
	ID        string    `json:"id,omitempty"` // empty in exports
	Name      string    `json:"name"`
	Type      Type      `json:"type"`
	GrantType GrantType `json:"grantType"`

	IssuerURL     string `json:"issuerUrl,omitempty"`
	TokenURL      string `json:"tokenUrl,omitempty"`
	AuthURL       string `json:"authUrl,omitempty"`
	RevocationURL string `json:"revocationUrl,omitempty"`

	ClientID   string     `json:"clientId"`
	AuthMethod AuthMethod `json:"authMethod,omitempty"`
	Scope      string     `json:"scope,omitempty"`
	Audience   string     `json:"audience,omitempty"`
	Resource   string     `json:"resource,omitempty"`

	// private_key_jwt settings. The certificate is public (PEM); its private
	// key is in the keyring only.
	Certificate       string `json:"certificate,omitempty"`
	AssertionAlg      string `json:"assertionAlg,omitempty"`
	AssertionHeaders  string `json:"assertionHeaders,omitempty"`
	AssertionAudience string `json:"assertionAudience,omitempty"`

	// SecretExpiresAt is when the client secret expires, as the admin
	// entered it (IdPs rarely tell a client); zero = unknown. A certificate's
	// expiry is its NotAfter instead.
	SecretExpiresAt time.Time `json:"secretExpiresAt,omitzero"`

	RefreshInterval Duration `json:"refreshInterval,omitempty"`
	Proxy           Proxy    `json:"proxy"`
	TLS             TLS      `json:"tls"`

	UsernameClaim string `json:"usernameClaim,omitempty"`
	RolesClaim    string `json:"rolesClaim,omitempty"`
	TenantClaim   string `json:"tenantClaim,omitempty"`
	Tenant        string `json:"tenant,omitempty"`
	TenantHeader  string `json:"tenantHeader,omitempty"`
	RedirectPort  int    `json:"redirectPort,omitempty"`

	// GitHosts are the git remotes `credctl git-credential` serves with this
	// profile, space-separated ("dev.azure.com git.example.com/team/*"; a
	// string keeps Profile comparable); GitUsername is the username it
	// answers ("" = the one git asked for, else "oauth2").
	GitHosts    string `json:"gitHosts,omitempty"`
	GitUsername string `json:"gitUsername,omitempty"`

	// MFA is the multi-factor requirement of a User profile (mfa.go).
	MFA MFAPolicy `json:"mfa,omitzero"`

	// IdP secret lifecycle (#26): the profile whose token manages this
	// app at its IdP, which management API that is ("" = inferred from the
	// issuer) and its base URL ("" = the API's default).
	ManagementProfile string `json:"managementProfile,omitempty"`
	ManagementAPI     string `json:"managementApi,omitempty"`
	ManagementURL     string `json:"managementUrl,omitempty"`
	// RegistrationClientURI is the RFC 7592 client configuration endpoint
	// (its registration access token is in the keyring).
	RegistrationClientURI string `json:"registrationClientUri,omitempty"`
	// MaxSecretAge is the admin's limit for secrets the IdP gives no expiry (Okta).
	MaxSecretAge Duration `json:"maxSecretAge,omitempty"`

	// Sender-constrained tokens and modern login (#28): DPoP proofs
	// (RFC 9449; the key in the keyring), certificate-bound tokens
	// (RFC 8705), pushed authorization requests (RFC 9126) and signed
	// request objects (RFC 9101).
	DPoP                    bool `json:"dpop,omitempty"`
	BindTokensToCertificate bool `json:"bindTokensToCertificate,omitempty"`
	PAR                     bool `json:"par,omitempty"`
	RequestObject           bool `json:"requestObject,omitempty"`
	// Derived profiles (#28): token exchange (RFC 8693) of another
	// profile's token, or a JWT bearer assertion (RFC 7523) for a subject.
	SubjectProfile     string `json:"subjectProfile,omitempty"`
	ActorProfile       string `json:"actorProfile,omitempty"`
	RequestedTokenType string `json:"requestedTokenType,omitempty"`
	AssertionSubject   string `json:"assertionSubject,omitempty"`

	Bookkeeping
}

// Bookkeeping is what the app records about a profile; the administrator does
// not edit it, and exports leave it out.
type Bookkeeping struct {
	// Revision counts configuration saves; a save carrying an older revision
	// than the file's was made on stale data and is refused.
	Revision        int       `json:"revision,omitempty"`
	CreatedAt       time.Time `json:"createdAt,omitzero"`
	UpdatedAt       time.Time `json:"updatedAt,omitzero"`
	HasSecret       bool      `json:"hasSecret,omitempty"`
	SecretSetAt     time.Time `json:"secretSetAt,omitzero"`
	SecretRotatedAt time.Time `json:"secretRotatedAt,omitzero"`
	HasProxyPass    bool      `json:"hasProxyPassword,omitempty"`
	HasPrivateKey   bool      `json:"hasPrivateKey,omitempty"`
	LastStatus      Status    `json:"lastStatus,omitempty"`
	LastError       string    `json:"lastError,omitempty"`
	LastCategory    string    `json:"lastCategory,omitempty"`
	LastChecked     time.Time `json:"lastChecked,omitzero"`
	TokenExpiry     time.Time `json:"tokenExpiry,omitzero"`
	LoggedInAs      string    `json:"loggedInAs,omitempty"`
	// Subject is the ID token's sub of the logged-in user: a refresh must
	// keep it (OIDC Core §12.2), a new login may warn when it changes.
	Subject string `json:"subject,omitempty"`
	// LoginAt is when the current login session began (User profiles; zero
	// when logged out): tokens of an older session are stale.
	LoginAt time.Time `json:"loginAt,omitzero"`
	// LoginMFA is what the session's login proved about MFA ("MFA verified:
	// otp, pwd", "MFA not verifiable: …"); "" when MFA is not required.
	LoginMFA string `json:"loginMfa,omitempty"`

	// IdP secret lifecycle (#26): the key ID of the secret in use at the
	// IdP, where SecretExpiresAt came from (SecretExpiryFromIdP, or "" =
	// the admin) and when the IdP was last asked, when the IdP says the
	// secret was created, and a step still to do at the IdP.
	SecretKeyID           string       `json:"secretKeyId,omitempty"`
	SecretExpirySource    string       `json:"secretExpirySource,omitempty"`
	SecretExpiryCheckedAt time.Time    `json:"secretExpiryCheckedAt,omitzero"`
	SecretCreatedAt       time.Time    `json:"secretCreatedAt,omitzero"`
	PendingAtIdP          PendingAtIdP `json:"pendingAtIdp,omitzero"`
}

// Normalize trims whitespace and fills defaults that follow from other fields.
// It does not validate.
func (p *Profile) Normalize() {
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	for _, s := range []*string{&p.Name, &p.IssuerURL, &p.TokenURL, &p.AuthURL, &p.RevocationURL,
		&p.ClientID, &p.Audience, &p.Resource, &p.Proxy.URL, &p.Proxy.Username, &p.TLS.CAFile,
		&p.UsernameClaim, &p.RolesClaim, &p.TenantClaim, &p.Tenant, &p.TenantHeader, &p.Certificate,
		&p.AssertionAlg, &p.AssertionHeaders, &p.AssertionAudience, &p.GitUsername} {
		trim(s)
	}
	p.GitHosts = strings.Join(normalizeGitHosts(strings.Fields(p.GitHosts)), " ")
	p.Scope = strings.Join(strings.Fields(p.Scope), " ")
	p.MFA.normalize()
	p.AssertionAlg = strings.ToUpper(p.AssertionAlg)
	if p.Certificate != "" {
		p.Certificate += "\n"
	}
	if p.GrantType == "" {
		p.GrantType = p.Type.DefaultGrant()
	}
	if p.AuthMethod == "" {
		p.AuthMethod = AuthBasic
	}
	if p.RefreshInterval == 0 {
		p.RefreshInterval = Duration(DefaultRefreshInterval)
	}
	if p.Proxy.Mode == "" {
		if p.Proxy.URL != "" {
			p.Proxy.Mode = ProxyURL
		} else {
			p.Proxy.Mode = ProxyNone
		}
	}
	if p.TenantHeader == "" {
		p.TenantHeader = DefaultTenantHeader
	}
	if p.LastStatus == "" {
		p.LastStatus = StatusUntested
	}
}

// StatusAt is the recorded status as it stands at now: an Active token whose
// expiry has passed is Expired, and a profile never tested is Untested.
func (p Profile) StatusAt(now time.Time) Status {
	switch {
	case p.LastStatus == "":
		return StatusUntested
	case p.LastStatus == StatusActive && !p.TokenExpiry.IsZero() && !now.Before(p.TokenExpiry):
		return StatusExpired
	}
	return p.LastStatus
}

// Config returns the profile without its bookkeeping: what an export holds
// and what decides whether a saved profile changed.
func (p Profile) Config() Profile {
	p.Bookkeeping = Bookkeeping{}
	return p
}

// SameName compares profile names the way uniqueness is checked.
func SameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// CredentialExpiry is when the profile's client credential expires and what
// it is: the certificate's NotAfter for private_key_jwt, else the recorded
// secret expiry. Zero when unknown.
func (p Profile) CredentialExpiry() (time.Time, string) {
	if p.AuthMethod.UsesKey() {
		if c, err := ParseCertificatePEM(p.Certificate); err == nil {
			return c.NotAfter.UTC(), "certificate"
		}
		return time.Time{}, "certificate"
	}
	if !p.HasSecret && p.Type == TypeUser {
		return time.Time{}, "client secret" // a public client has none
	}
	if p.SecretExpiresAt.IsZero() && p.MaxSecretAge > 0 {
		// No expiry at the IdP (Okta): the admin's maximum age counts as one.
		created := p.SecretCreatedAt
		if created.IsZero() {
			created = p.SecretSetAt
		}
		if !created.IsZero() {
			return created.Add(p.MaxSecretAge.D()).UTC(), "client secret (maximum age)"
		}
	}
	return p.SecretExpiresAt, "client secret"
}

// sameSettings says whether two profiles configure the same token requests:
// the recorded secret expiry is a note about the secret, not a setting, so
// changing it keeps the last test result.
func sameSettings(a, b Profile) bool {
	a, b = a.Config(), b.Config()
	a.SecretExpiresAt, b.SecretExpiresAt = time.Time{}, time.Time{}
	// Which git remotes it serves changes no token request either.
	a.GitHosts, b.GitHosts, a.GitUsername, b.GitUsername = "", "", "", ""
	return a == b
}

// ParseExpiryDate reads a YYYY-MM-DD date as the end of that day in UTC
// (a secret "expires on" a day is still valid during it).
func ParseExpiryDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date: use YYYY-MM-DD, e.g. 2027-03-31", s)
	}
	return d.Add(24*time.Hour - time.Second).UTC(), nil
}
