package oauthflow

import (
	"encoding/json"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// A private_key_jwt client with DPoP-bound tokens at an IdP that demands
// nonces: the first token request of a process is answered use_dpop_nonce,
// and its retry must carry a fresh client assertion (the IdP refuses a
// reused jti).
func TestDPoPWithPrivateKeyJWT(t *testing.T) {
	km := pkGenerateEC(t)
	idp := testidp.Start(t, testidp.WithDPoP(testidp.DPoPSettings{}), testidp.WithClient(testidp.Client{
		ID: pkjwtClientID, GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
		ServiceAccount: &testidp.User{Username: "svc-pkjwt", Roles: []string{"service"}},
		JWKS:           []json.RawMessage{pkJWK(t, km)},
		Metadata:       map[string]any{"dpop_bound_access_tokens": true},
	}))
	ccRequireRealKeyring(t)
	s := ccService(t, nil)
	p := pkSave(t, s, "pk dpop", "", km, func(p *credentials.Profile) { p.IssuerURL, p.DPoP = idp.Issuer, true })
	t.Cleanup(func() { _ = s.repo.Secrets.Delete(p.ID, credentials.DPoPKey) })
	dpopNonces.Set(idp.TokenURL, "") // no nonce known yet (ignored: ""), as in a fresh process
	for range 2 {
		if res := ccTest(t, s, p.Name); !res.Active() {
			t.Fatalf("status %s: %v", res.Status, res.Failure)
		}
	}
}
