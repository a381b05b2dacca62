package testidp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// IdP secret lifecycle (#26): management clients, dynamic client
// registration (RFC 7591) and client configuration management (RFC 7592).
// See node/management.mjs.
const (
	// ManagementResource is the audience of management clients' access
	// tokens (the management API: "Graph", Okta's org, Keycloak's admin API).
	ManagementResource = "https://manage.credworkbench.test"
	// ManagementScopes are its scopes (OAuth for Okta).
	ManagementScopes = "okta.apps.read okta.apps.manage"

	// ManagerClientID may manage apps in every harness API: roles
	// Application.ReadWrite.All (Graph application permission) and
	// manage-clients + view-clients (Keycloak realm-management), scopes
	// okta.apps.read okta.apps.manage.
	ManagerClientID     = "manager"
	ManagerClientSecret = "manager-secret"
	// AuditorClientID may only read: Application.Read.All, view-clients,
	// okta.apps.read. Its writes are refused as the real APIs refuse them.
	AuditorClientID     = "auditor"
	AuditorClientSecret = "auditor-secret"
)

// ManagerRoles and AuditorRoles are the management clients' roles claims.
var (
	ManagerRoles = []string{"Application.ReadWrite.All", "manage-clients", "view-clients"}
	AuditorRoles = []string{"Application.Read.All", "view-clients"}
)

// Management configures WithManagement.
type Management struct {
	// IssueSecretOnUpdate: an RFC 7592 PUT issues a new client_secret and
	// the old one stops working (some IdPs do); oidc-provider keeps it.
	// Changeable later with SetIssueSecretOnUpdate.
	IssueSecretOnUpdate bool
	// SecretTTL: dynamically registered secrets expire after it
	// (client_secret_expires_at); 0 = never.
	SecretTTL time.Duration
}

type managementSettings struct {
	Resource            string   `json:"resource"`
	Scopes              string   `json:"scopes"`
	Clients             []string `json:"clients"`
	IssueSecretOnUpdate bool     `json:"issueSecretOnUpdate"`
	SecretTTL           int      `json:"secretTTL,omitempty"`
}

// WithManagement adds the management clients (ManagerClientID,
// AuditorClientID) and switches on dynamic client registration with an
// initial access token (RegisterClient) and RFC 7592 management, which
// rotates the registration access token on every update.
func WithManagement(m Management) Option {
	return func(c *config) {
		WithClient(Client{
			ID: ManagerClientID, Secrets: []string{ManagerClientSecret}, GrantTypes: []string{"client_credentials"},
			Scope: ManagementScopes, ServiceAccount: &User{Username: "service-account-manager", Roles: ManagerRoles},
		})(c)
		WithClient(Client{
			ID: AuditorClientID, Secrets: []string{AuditorClientSecret}, GrantTypes: []string{"client_credentials"},
			Scope: "okta.apps.read", ServiceAccount: &User{Username: "service-account-auditor", Roles: AuditorRoles},
		})(c)
		WithFeature("management", managementSettings{
			Resource: ManagementResource, Scopes: ManagementScopes,
			Clients:             []string{ManagerClientID, AuditorClientID},
			IssueSecretOnUpdate: m.IssueSecretOnUpdate, SecretTTL: int(m.SecretTTL / time.Second),
		})(c)
	}
}

// ClientSecrets returns the secrets a configured client is accepted with now.
func (p *IdP) ClientSecrets(clientID string) ([]string, error) {
	var out struct {
		Secrets []string `json:"secrets"`
	}
	err := p.call(http.MethodGet, p.Issuer+"/__test/client-secrets?"+url.Values{"client_id": {clientID}}.Encode(), nil, &out)
	return out.Secrets, err
}

// SetClientSecrets changes the secrets a configured client is accepted
// with: add and remove (either may be empty). It is how the management
// harness (internal/testmgmt) really mints and revokes.
func (p *IdP) SetClientSecrets(clientID string, add, remove []string) error {
	form := url.Values{"client_id": {clientID}, "add": add, "remove": remove}
	return p.call(http.MethodPost, p.Issuer+"/__test/client-secrets", form, nil)
}

// SetIssueSecretOnUpdate switches whether an RFC 7592 PUT issues a new secret.
func (p *IdP) SetIssueSecretOnUpdate(t testing.TB, on bool) {
	t.Helper()
	if err := p.call(http.MethodPost, p.Issuer+"/__test/registration", url.Values{"issueSecretOnUpdate": {fmt.Sprint(on)}}, nil); err != nil {
		t.Fatalf("testidp: registration setting: %v", err)
	}
}

// Registration is an RFC 7591 registration response.
type Registration struct {
	ClientID                string `json:"client_id"`
	ClientSecret            string `json:"client_secret"`
	ClientSecretExpiresAt   int64  `json:"client_secret_expires_at"`
	RegistrationClientURI   string `json:"registration_client_uri"`
	RegistrationAccessToken string `json:"registration_access_token"`
}

// RegisterClient registers a confidential client_credentials client
// (client_secret_basic, scope AppScopes) by RFC 7591 with the initial
// access token; metadata (may be nil) is added to the request.
func (p *IdP) RegisterClient(t testing.TB, metadata map[string]any) Registration {
	t.Helper()
	var iat struct {
		Token string `json:"initialAccessToken"`
	}
	if err := p.call(http.MethodGet, p.Issuer+"/__test/registration", nil, &iat); err != nil {
		t.Fatalf("testidp: initial access token (is WithManagement set?): %v", err)
	}
	body := map[string]any{
		"client_name": "registered", "grant_types": []string{"client_credentials"}, "response_types": []string{},
		"redirect_uris": []string{}, "token_endpoint_auth_method": "client_secret_basic", "scope": AppScopes,
	}
	for k, v := range metadata {
		body[k] = v
	}
	data, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, p.Issuer+"/reg", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+iat.Token)
	resp, err := p.admin.Do(req)
	if err != nil {
		t.Fatalf("testidp: registration: %v", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var reg Registration
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(out, &reg) != nil || reg.ClientSecret == "" {
		t.Fatalf("testidp: registration: HTTP %d: %s", resp.StatusCode, out)
	}
	return reg
}
