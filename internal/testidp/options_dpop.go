package testidp

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// DPoP (RFC 9449): node/dpop.mjs.
const (
	// DPoPClientID is a client_credentials client (AppScopes) whose access
	// tokens are DPoP-bound (dpop_bound_access_tokens): a token request
	// without a proof is refused.
	DPoPClientID     = "dpop-app"
	DPoPClientSecret = "dpop-app-secret" // #nosec G101 -- the test IdP's fixed test secret
	// DPoPUserClientID is a public user client (like PublicClientID) with
	// DPoP-bound tokens.
	DPoPUserClientID = "dpop-user"
)

// DPoPSettings configure the IdP's DPoP feature.
type DPoPSettings struct {
	// NoNonce: proofs need no nonce (by default every proof must carry the
	// IdP's current nonce: the first request gets use_dpop_nonce).
	NoNonce bool
	// Algs replaces dpop_signing_alg_values_supported (default ES256,
	// Ed25519, EdDSA).
	Algs []string
}

// WithDPoP switches DPoP on, with nonces, and adds DPoPClientID and
// DPoPUserClientID.
func WithDPoP(s DPoPSettings) Option {
	return func(c *config) {
		WithFeature("dpop", map[string]any{"requireNonce": !s.NoNonce, "algs": s.Algs})(c)
		WithClient(Client{
			ID: DPoPClientID, Secrets: []string{DPoPClientSecret}, GrantTypes: []string{"client_credentials"}, Scope: AppScopes,
			ServiceAccount: &User{Username: AppUsername, Roles: AppRoles, TenantID: TenantID},
			Metadata:       map[string]any{"dpop_bound_access_tokens": true},
		})(c)
		WithClient(Client{
			ID: DPoPUserClientID, GrantTypes: []string{"authorization_code", "refresh_token", DeviceCodeGrant},
			RedirectURIs: []string{RedirectURI}, Scope: UserScopes,
			Metadata: map[string]any{"dpop_bound_access_tokens": true},
		})(c)
	}
}

// WithoutDPoP switches oidc-provider's DPoP off (its default is on,
// without nonces): a proof is ignored and a Bearer token comes back, as
// from an IdP that does not support DPoP.
func WithoutDPoP() Option { return WithFeature("dpop", map[string]any{"off": true}) }

// SetDPoPFaults makes the token endpoint answer the next insist requests
// that carry a proof with use_dpop_nonce (and a new nonce each time), and
// the next refuse ones with invalid_dpop_proof (until Reset of these
// counters by another call).
func (p *IdP) SetDPoPFaults(t testing.TB, insist, refuse int) {
	t.Helper()
	form := url.Values{"insist": {fmt.Sprint(insist)}, "refuse": {fmt.Sprint(refuse)}}
	if err := p.call(http.MethodPost, p.Issuer+"/__test/dpop", form, nil); err != nil {
		t.Fatalf("testidp: dpop faults: %v", err)
	}
}
