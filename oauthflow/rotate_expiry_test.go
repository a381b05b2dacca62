package oauthflow

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// A rotation takes the new secret's expiry in the same change of the
// profile (#24.1): never silently cleared, and the token the rotation
// shared stays valid for every process (no IdP request afterwards).
func TestRotateSecretKeepsExpiryAndSharedToken(t *testing.T) {
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, "old-secret", "new-secret", "newer-secret"))
	kr := testenv.NewMemKeyring()
	s := ccService(t, kr)
	s.Tokens = NewKeyringTokenStore(s.repo.Secrets, filepath.Join(t.TempDir(), "tokens"))
	app := ccApp("expiring", idp.TokenURL)
	oldExpiry, _ := credentials.ParseExpiryDate("2026-12-31")
	app.SecretExpiresAt = oldExpiry
	p := ccSave(t, s, app, "old-secret")
	ctx := context.Background()

	// No choice about the expiry: refused before the IdP is asked.
	idp.Reset(t)
	_, err := s.RotateSecret(ctx, p.Name, "new-secret", RotateOptions{})
	var re *RotateError
	if !errors.As(err, &re) || re.Step != RotateStepCheck {
		t.Fatalf("rotation without an expiry choice: %v, want a refusal at the check step", err)
	}
	if got, _ := s.repo.Secrets.Get(p.ID, credentials.ClientSecret); got != "old-secret" || idp.Stats(t).Token != 0 {
		t.Fatalf("a refused rotation changed the secret (%q) or asked the IdP", got)
	}

	newExpiry, _ := credentials.ParseExpiryDate("2027-06-30")
	res, err := s.RotateSecret(ctx, p.Name, "new-secret", RotateOptions{SecretExpiresAt: newExpiry})
	if err != nil || !res.Active() {
		t.Fatalf("rotation: %v %+v", err, res.Failure)
	}
	stored, _ := s.repo.Get(p.ID)
	if !stored.SecretExpiresAt.Equal(newExpiry) {
		t.Fatalf("secret expires %v after the rotation, want %v", stored.SecretExpiresAt, newExpiry)
	}
	if stored.Revision != p.Revision {
		t.Errorf("the rotation bumped the revision %d → %d", p.Revision, stored.Revision)
	}
	// Another process takes the rotation's token.
	idp.Reset(t)
	other := NewService(s.repo, nil, nil)
	other.Tokens = s.Tokens
	defer other.Close()
	if _, cached, err := other.FetchToken(ctx, p.Name, TokenOptions{}); err != nil || !cached || idp.Stats(t).Token != 0 {
		t.Fatalf("after the rotation another process fetched a token (cached %v, %d IdP requests): %v", cached, idp.Stats(t).Token, err)
	}

	// Saying the new secret has no expiry clears the date.
	if _, err := s.RotateSecret(ctx, p.Name, "newer-secret", RotateOptions{NoSecretExpiry: true}); err != nil {
		t.Fatal(err)
	}
	if stored, _ := s.repo.Get(p.ID); !stored.SecretExpiresAt.IsZero() {
		t.Fatalf("--no-secret-expiry kept %v", stored.SecretExpiresAt)
	}
}
