package testidp

import (
	"encoding/json"
	"net/http"
	"testing"
)

// Pushed authorization requests (RFC 9126) and signed request objects
// (RFC 9101): node/par.mjs.

// PARSettings switch the feature on (WithPAR).
type PARSettings struct {
	// Off runs the IdP without a PAR endpoint (oidc-provider has one by default).
	Off bool `json:"off,omitempty"`
	// Require makes discovery say require_pushed_authorization_requests and
	// refuses every plain authorization request.
	Require bool `json:"require,omitempty"`
	// RequireRequestObject refuses authorization requests without a signed request object.
	RequireRequestObject bool `json:"requireRequestObject,omitempty"`
}

// WithPAR configures PAR and request objects.
func WithPAR(s PARSettings) Option { return WithFeature("par", s) }

// Clients of the feature: one that must use PAR (public), one that must
// sign its request objects (private_key_jwt with jwks).
const (
	PARClientID           = "wb-par-user"
	RequestObjectClientID = "wb-ro-user"
)

// PARClient is a public User client the IdP serves only through PAR.
func PARClient() Client {
	return Client{ID: PARClientID, GrantTypes: []string{"authorization_code", "refresh_token"},
		RedirectURIs: []string{RedirectURI}, Scope: UserScopes,
		Metadata: map[string]any{"require_pushed_authorization_requests": true}}
}

// RequestObjectClient is a private_key_jwt User client (its public keys
// jwks) whose authorization requests must be signed request objects.
func RequestObjectClient(jwks ...json.RawMessage) Client {
	return Client{ID: RequestObjectClientID, GrantTypes: []string{"authorization_code", "refresh_token"},
		RedirectURIs: []string{RedirectURI}, Scope: UserScopes, JWKS: jwks,
		Metadata: map[string]any{"require_signed_request_object": true}}
}

// PARStats is what the PAR endpoint took since start.
type PARStats struct {
	Pushed      int `json:"pushed"`      // accepted pushed requests
	WithRequest int `json:"withRequest"` // of them, carrying a request object
	Refused     int `json:"refused"`
}

// PARStats reads the PAR counters (WithPAR only).
func (p *IdP) PARStats(t testing.TB) PARStats {
	t.Helper()
	var s PARStats
	if err := p.call(http.MethodGet, p.Issuer+"/__test/par", nil, &s); err != nil {
		t.Fatalf("testidp: par stats: %v", err)
	}
	return s
}
