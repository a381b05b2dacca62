package testidp

import (
	"fmt"
	"net/url"
	"time"
)

// Option configures Start.
type Option func(*config)

// WithTLS serves https with a certificate for 127.0.0.1 and localhost signed
// by a fresh test CA (IdP.CAFile / IdP.CAPool).
func WithTLS() Option { return func(c *config) { c.tlsMode = tlsValid } }

// WithTLSWrongHost serves https with a CA-signed certificate that is only
// valid for "wrong.credworkbench.test": hostname mismatch for 127.0.0.1.
func WithTLSWrongHost() Option { return func(c *config) { c.tlsMode = tlsWrongHost } }

// WithTLSExpired serves https with a CA-signed certificate that has expired.
func WithTLSExpired() Option { return func(c *config) { c.tlsMode = tlsExpired } }

// WithClientSecrets replaces the secrets of an existing client; every one of
// them authenticates it.
func WithClientSecrets(clientID string, secrets ...string) Option {
	return func(c *config) {
		for i := range c.clients {
			if c.clients[i].ID == clientID {
				c.clients[i].Secrets = secrets
				return
			}
		}
		c.problems = append(c.problems, fmt.Sprintf("WithClientSecrets: no client %q", clientID))
	}
}

// WithClient adds a client or replaces the one with the same ID.
func WithClient(cl Client) Option {
	return func(c *config) {
		for i := range c.clients {
			if c.clients[i].ID == cl.ID {
				c.clients[i] = cl
				return
			}
		}
		c.clients = append(c.clients, cl)
	}
}

// WithUser adds a user or replaces the one with the same username.
func WithUser(u User) Option {
	return func(c *config) {
		for i := range c.Users {
			if c.Users[i].Username == u.Username {
				c.Users[i] = u
				return
			}
		}
		c.Users = append(c.Users, u)
	}
}

// WithAccessTokenTTL sets the lifetime of access and ID tokens (whole seconds).
func WithAccessTokenTTL(d time.Duration) Option {
	return func(c *config) { c.AccessTokenTTL = max(1, int(d/time.Second)) }
}

// WithRefreshTokenTTL sets the lifetime of refresh tokens (whole seconds).
func WithRefreshTokenTTL(d time.Duration) Option {
	return func(c *config) { c.RefreshTokenTTL = max(1, int(d/time.Second)) }
}

// WithDeviceCodeTTL sets the lifetime of device and user codes (whole
// seconds; default 10 minutes).
func WithDeviceCodeTTL(d time.Duration) Option {
	return func(c *config) { c.DeviceCodeTTL = max(1, int(d/time.Second)) }
}

// WithPort listens on a fixed port instead of a free one (e.g. to restart an
// IdP at the same address).
func WithPort(port int) Option { return func(c *config) { c.Port = port } }

func defaultConfig() *config {
	userGrants := []string{"authorization_code", "refresh_token", DeviceCodeGrant}
	return &config{
		Resource:        Resource,
		ResourceScopes:  ResourceScopes,
		AccessTokenTTL:  3600,
		RefreshTokenTTL: 86400,
		DeviceInterval:  1, // fast tests; x/oauth2 honours what the IdP says
		DeviceCodeTTL:   600,
		Users: []User{
			{Username: Username, Password: Password, Name: "Alice Liddell", Email: "alice@credworkbench.test", Roles: UserRoles, TenantID: TenantID},
			{Username: Username2, Password: Password2, Name: "Bob Builder", Email: "bob@credworkbench.test", Roles: []string{"viewer"}, TenantID: TenantID},
		},
		clients: []Client{
			{
				ID: AppClientID, Secrets: []string{AppClientSecret}, GrantTypes: []string{"client_credentials"}, Scope: AppScopes,
				ServiceAccount: &User{Username: AppUsername, Roles: AppRoles, TenantID: TenantID},
			},
			{ID: PublicClientID, GrantTypes: userGrants, RedirectURIs: []string{RedirectURI}, Scope: UserScopes},
			{ID: ConfidentialClientID, Secrets: []string{ConfidentialClientSecret}, GrantTypes: userGrants, RedirectURIs: []string{RedirectURI}, Scope: UserScopes},
		},
	}
}

func (cl Client) metadata() jsClient {
	m := jsClient{
		ID: cl.ID, Secrets: cl.Secrets, GrantTypes: cl.GrantTypes, RedirectURIs: cl.RedirectURIs,
		Scope: cl.Scope, ServiceAccount: cl.ServiceAccount, ResponseTypes: []string{},
	}
	for _, g := range cl.GrantTypes {
		if g == "authorization_code" {
			m.ResponseTypes = []string{"code"}
		}
	}
	if m.RedirectURIs == nil {
		m.RedirectURIs = []string{}
	}
	if len(m.RedirectURIs) > 0 {
		m.ApplicationType = "native" // loopback redirects with any port
	}
	for _, r := range m.RedirectURIs {
		if u, err := url.Parse(r); err == nil {
			u.Path, u.RawQuery = "/logged-out", ""
			m.PostLogoutRedirectURIs = append(m.PostLogoutRedirectURIs, u.String())
		}
	}
	if len(cl.JWKS) > 0 {
		m.JWKS = &jsJWKS{Keys: cl.JWKS}
		if len(cl.Secrets) == 0 {
			m.TokenEndpointAuthMethod = "private_key_jwt"
		}
	}
	if !cl.SecretExpiresAt.IsZero() {
		m.SecretExpiresAt = cl.SecretExpiresAt.Unix()
	}
	m.Extra = cl.Metadata
	return m
}

// WithFeature passes settings to one of server.mjs's feature modules (its
// configure and attach functions read cfg.features[name]).
func WithFeature(name string, settings any) Option {
	return func(c *config) {
		if c.Features == nil {
			c.Features = map[string]any{}
		}
		c.Features[name] = settings
	}
}
