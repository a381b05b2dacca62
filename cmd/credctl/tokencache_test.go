package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
)

// TestTokenCache checks the cache against the real keyring: what makes a
// cached token unusable, and that a token larger than the keyring's limit
// (Windows, macOS) is not cached and fails nothing.
func TestTokenCache(t *testing.T) {
	requireKeyring(t)
	repo := &credentials.Repository{
		Store:   credentials.NewStore(filepath.Join(t.TempDir(), "profiles.json")),
		Secrets: credentials.NewSecrets(nil),
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	now := time.Now().UTC()
	p := credentials.Profile{ID: "cachetest-" + hex.EncodeToString(b), Name: "cache test",
		Bookkeeping: credentials.Bookkeeping{Revision: 3, UpdatedAt: now, SecretSetAt: now, LastStatus: credentials.StatusActive}}
	t.Cleanup(func() { dropTokenCache(repo, p.ID) })
	tok := &oauth2.Token{AccessToken: strings.Repeat("a", 300), TokenType: "Bearer", Expiry: now.Add(time.Hour)}

	// Acting as a keyring with a 256-byte limit: not cached, no error.
	small := *repo
	small.Secrets = repo.Secrets.WithLimit(256)
	if stored, err := storeCachedToken(&small, p, tok); stored || err != nil {
		t.Fatalf("over the limit: stored=%v err=%v", stored, err)
	}
	if _, err := repo.Secrets.Get(p.ID, credentials.TokenCache); !errors.Is(err, credentials.ErrSecretNotFound) {
		t.Fatalf("keyring entry after a refused cache: %v", err)
	}
	if _, ok := loadCachedToken(repo, p, now); ok {
		t.Fatal("a token that was not cached was found")
	}

	if stored, err := storeCachedToken(repo, p, tok); !stored || err != nil {
		t.Fatalf("within the limit: stored=%v err=%v", stored, err)
	}
	c, ok := loadCachedToken(repo, p, now)
	if !ok || c.AccessToken != tok.AccessToken || !c.Expiry.Equal(tok.Expiry) {
		t.Fatalf("cached token not read back: %+v %v", c, ok)
	}
	stale := map[string]func(*credentials.Profile){
		"edited":     func(q *credentials.Profile) { q.Revision++ },
		"updated":    func(q *credentials.Profile) { q.UpdatedAt = q.UpdatedAt.Add(time.Second) },
		"rotated":    func(q *credentials.Profile) { q.SecretSetAt = q.SecretSetAt.Add(time.Second) },
		"logged out": func(q *credentials.Profile) { q.LastStatus = credentials.StatusLoggedOut },
	}
	for what, change := range stale {
		q := p
		change(&q)
		if _, ok := loadCachedToken(repo, q, now); ok {
			t.Errorf("the cached token was used after the profile was %s", what)
		}
	}
	if _, ok := loadCachedToken(repo, p, tok.Expiry.Add(-minCachedValidity)); ok {
		t.Error("a token with a minute left was handed out")
	}
	if _, ok := loadCachedToken(repo, p, tok.Expiry.Add(-minCachedValidity-time.Second)); !ok {
		t.Error("a token with more than a minute left was not handed out")
	}

	// Without a known expiry there is nothing to decide validity by.
	if stored, _ := storeCachedToken(repo, p, &oauth2.Token{AccessToken: "opaque"}); stored {
		t.Error("a token without expiry was cached")
	}
	dropTokenCache(repo, p.ID)
	if _, ok := loadCachedToken(repo, p, now); ok {
		t.Error("the cache survived dropTokenCache")
	}
}
