package oauthflow

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/tokens"
)

// With the real IdP, keyring and a (simulated) small keyring limit: the
// token a Service fetched is sealed on disk, a second Service (another
// process) uses it without asking the IdP, and logout and delete remove the
// file.
func TestOversizeTokenSharedAndRemoved(t *testing.T) {
	testenv.RequireKeyring(t)
	idp := testidp.Shared(t)
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	cache := filepath.Join(dir, "cache")
	newSvc := func() *Service {
		repo := credtest.Repository(t, nil, credtest.InDir(dir))
		repo.Secrets = repo.Secrets.WithLimit(300)
		s := NewService(repo, nil, nil)
		s.Tokens = NewKeyringTokenStore(repo.Secrets, cache)
		t.Cleanup(s.Close)
		return s
	}
	a, b := newSvc(), newSvc()
	p, err := a.Save(ccApp("big", idp.TokenURL), credentials.SecretChange{ClientSecret: credentials.Secret(testidp.AppClientSecret)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.repo.Delete(p.ID) })
	idp.Reset(t)
	ctx := context.Background()
	tokA, err := a.Token(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tokA.AccessToken) < 300 {
		t.Fatalf("the test IdP's token (%d bytes) does not exceed the simulated limit", len(tokA.AccessToken))
	}
	file := filepath.Join(cache, p.ID+".tok")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the oversize token was not cached on disk: %v", err)
	}
	if strings.Contains(string(data), tokA.AccessToken[:40]) {
		t.Fatal("the cache file holds the token in plain text")
	}
	tokB, cached, err := b.FetchToken(ctx, p.Name, TokenOptions{})
	if err != nil || !cached || tokB.AccessToken != tokA.AccessToken {
		t.Fatalf("second process: cached=%v err=%v same=%v", cached, err, tokB != nil && tokB.AccessToken == tokA.AccessToken)
	}
	if n := idp.Stats(t).Token; n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if err := b.Delete(p.ID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the sealed token file survived the profile's deletion: %v", err)
	}

	// Logout of a User profile removes it too.
	u, err := a.Save(credentials.Profile{Name: "portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid"}, credentials.SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.repo.Delete(u.ID) })
	if err := a.Tokens.Save(u.ID, StoredToken{AccessToken: strings.Repeat("x", 1000), Expiry: time.Now().Add(time.Hour),
		ObtainedAt: time.Now(), Fingerprint: tokens.Fingerprint(u)}); err != nil {
		t.Fatal(err)
	}
	ufile := filepath.Join(cache, u.ID+".tok")
	if _, err := os.Stat(ufile); err != nil {
		t.Fatal(err)
	}
	if err := b.Logout(ctx, u.ID); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if _, err := os.Stat(ufile); !os.IsNotExist(err) {
		t.Errorf("the sealed token file survived logout: %v", err)
	}
}
