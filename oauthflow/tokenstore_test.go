package oauthflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

func randomID(t testing.TB) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "tokenstore-" + hex.EncodeToString(b)
}

// What makes a stored token unusable: any change of settings, secret or
// login, a logout, too little life left.
func TestStoredTokenUsable(t *testing.T) {
	now := time.Now().UTC()
	p := credentials.Profile{ID: "p1", Type: credentials.TypeUser,
		Bookkeeping: credentials.Bookkeeping{Revision: 3, UpdatedAt: now, SecretSetAt: now, LoginAt: now, LastStatus: credentials.StatusActive}}
	tok := StoredToken{Version: storedTokenVersion, AccessToken: "at", Expiry: now.Add(time.Hour), ObtainedAt: now,
		Fingerprint: profileFingerprint(p)}
	if !tok.usable(p, now) {
		t.Fatal("a fresh token of the same state is not usable")
	}
	stale := map[string]func(*credentials.Profile){
		"edited":            func(q *credentials.Profile) { q.Revision++ },
		"updated":           func(q *credentials.Profile) { q.UpdatedAt = q.UpdatedAt.Add(time.Second) },
		"secret rotated":    func(q *credentials.Profile) { q.SecretSetAt = q.SecretSetAt.Add(time.Second) },
		"logged in again":   func(q *credentials.Profile) { q.LoginAt = q.LoginAt.Add(time.Second) },
		"logged out":        func(q *credentials.Profile) { q.LastStatus = credentials.StatusLoggedOut },
		"another profile":   func(q *credentials.Profile) { q.ID = "p2" },
		"logged out, clear": func(q *credentials.Profile) { q.LoginAt = time.Time{} },
	}
	for what, change := range stale {
		q := p
		change(&q)
		if tok.usable(q, now) {
			t.Errorf("the stored token was usable after the profile was %s", what)
		}
	}
	// A test result is not a change of state.
	q := p
	q.LastChecked, q.LastStatus = now.Add(time.Minute), credentials.StatusFailed
	if !tok.usable(q, now) {
		t.Error("a recorded test result made the token stale")
	}
	if tok.usable(p, tok.Expiry.Add(-MinTokenValidity)) {
		t.Error("a token with only the minimum validity left was handed out")
	}
	if !tok.usable(p, tok.Expiry.Add(-MinTokenValidity-time.Second)) {
		t.Error("a token with more than the minimum validity left was not handed out")
	}
}

// A token set larger than the keyring holds (simulated: Windows' 2560
// bytes) is cached AES-GCM-encrypted in the cache directory: the file holds
// no token in plain text, the keyring only its key, and it is gone after a
// delete; one within the limit leaves no file behind.
func TestOversizeTokenSealedOnDisk(t *testing.T) {
	testenv.RequireKeyring(t)
	dir := t.TempDir()
	secrets := credentials.NewSecrets(nil).WithLimit(credentials.PlatformSecretLimit("windows"))
	store := NewKeyringTokenStore(secrets, dir)
	id := randomID(t)
	t.Cleanup(func() { _ = store.Delete(id) })

	big := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.groups-", 150) // ~4 KB, like a JWT with many groups
	want := StoredToken{AccessToken: big, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour).UTC(), ObtainedAt: time.Now().UTC(), Fingerprint: "fp"}
	if err := store.Save(id, want); err != nil {
		t.Fatalf("save: %v", err)
	}
	file := filepath.Join(dir, id+".tok")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no sealed file: %v", err)
	}
	if strings.Contains(string(data), "groups-") || strings.Contains(string(data), "Bearer") {
		t.Fatal("the sealed file holds the token in plain text")
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("sealed file mode %v, want 0600", st.Mode().Perm())
	}
	entry, err := secrets.Get(id, credentials.TokenCache)
	if err != nil || strings.Contains(entry, "groups-") || len(entry) > secrets.Limit() {
		t.Fatalf("keyring entry (%d bytes, err %v) holds the token or is too big", len(entry), err)
	}
	got, ok, err := store.Load(id)
	if err != nil || !ok || got.AccessToken != big || !got.Expiry.Equal(want.Expiry) {
		t.Fatalf("load: ok=%v err=%v token match=%v", ok, err, got.AccessToken == big)
	}
	// Another key cannot open it (the file alone is worthless).
	other := &sealedFiles{dir: dir}
	if _, err := other.open(id, sealedRef{Key: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", File: id + ".tok"}); err == nil {
		t.Error("the sealed file opened with another key")
	}

	// A small token replaces it in the keyring and the file goes.
	small := want
	small.AccessToken = "small-token"
	if err := store.Save(id, small); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the sealed file survived a token that fits the keyring: %v", err)
	}
	if err := store.Save(id, want); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(id); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the sealed file survived Delete: %v", err)
	}
	if _, ok, _ := store.Load(id); ok {
		t.Error("a deleted token was loaded")
	}
}

// With the real IdP, keyring and a (simulated) small keyring limit: the
// token a Service fetched is sealed on disk, a second Service (another
// process) uses it without asking the IdP, and logout and delete remove the
// file.
func TestOversizeTokenSharedAndRemoved(t *testing.T) {
	testenv.RequireKeyring(t)
	idp := testidp.Start(t)
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
		ObtainedAt: time.Now(), Fingerprint: profileFingerprint(u)}); err != nil {
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
