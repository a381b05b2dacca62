package oauthflow

import (
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// A secret that expired at the IdP (oidc-provider's client_secret_expires_at)
// is refused for real; with the expiry recorded in the profile the failure
// says so first, without it the IdP's answer is all there is.
func TestExpiredSecretSaidFirst(t *testing.T) {
	idp := testidp.Start(t, testidp.WithClient(testidp.Client{
		ID: "expired-app", Secrets: []string{"expired-secret"}, GrantTypes: []string{"client_credentials"},
		Scope: testidp.AppScopes, SecretExpiresAt: time.Now().Add(-48 * time.Hour),
	}))
	var kr credentials.Keyring
	if !ccRealKeyring(t) {
		kr = testenv.NewMemKeyring()
	}
	s := ccService(t, kr)
	expired := time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC)

	p := ccApp("recorded", idp.TokenURL)
	p.ClientID, p.SecretExpiresAt = "expired-app", expired
	ccSave(t, s, p, "expired-secret")
	f := ccWantFailed(t, ccTest(t, s, p.Name), CatCredentials)
	if !strings.HasPrefix(f.Message, "the client secret expired on 2026-01-31") || f.IdPError != "invalid_client" {
		t.Errorf("recorded expiry not said first: %v", f)
	}

	p = ccApp("unrecorded", idp.TokenURL)
	p.ClientID = "expired-app"
	ccSave(t, s, p, "expired-secret")
	f = ccWantFailed(t, ccTest(t, s, p.Name), CatCredentials)
	if strings.Contains(f.Message, "expired on") {
		t.Errorf("an expiry was invented: %v", f)
	}

	// A future expiry is no cause.
	p = ccApp("future", idp.TokenURL)
	p.ClientID, p.SecretExpiresAt = "expired-app", time.Now().Add(24*time.Hour)
	ccSave(t, s, p, "expired-secret")
	if f := ccWantFailed(t, ccTest(t, s, p.Name), CatCredentials); strings.Contains(f.Message, "expired on") {
		t.Errorf("future expiry blamed: %v", f)
	}
}
