package tokens

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

func randomID(t testing.TB) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "tokenstore-" + hex.EncodeToString(b)
}

// What makes a stored token unusable: any change of settings, secret or
// login, a logout, too little life left.
func TestStoredUsable(t *testing.T) {
	now := time.Now().UTC()
	p := credentials.Profile{ID: "p1", Type: credentials.TypeUser,
		Bookkeeping: credentials.Bookkeeping{Revision: 3, UpdatedAt: now, SecretSetAt: now, LoginAt: now, LastStatus: credentials.StatusActive}}
	tok := Stored{Version: Version, AccessToken: "at", Expiry: now.Add(time.Hour), ObtainedAt: now,
		Fingerprint: Fingerprint(p)}
	if !tok.Usable(p, now) {
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
		if tok.Usable(q, now) {
			t.Errorf("the stored token was usable after the profile was %s", what)
		}
	}
	// A test result is not a change of state.
	q := p
	q.LastChecked, q.LastStatus = now.Add(time.Minute), credentials.StatusFailed
	if !tok.Usable(q, now) {
		t.Error("a recorded test result made the token stale")
	}
	if tok.Usable(p, tok.Expiry.Add(-MinValidity)) {
		t.Error("a token with only the minimum validity left was handed out")
	}
	if !tok.Usable(p, tok.Expiry.Add(-MinValidity-time.Second)) {
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
	store := NewKeyringStore(secrets, dir)
	id := randomID(t)
	t.Cleanup(func() { _ = store.Delete(id) })

	big := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.groups-", 150) // ~4 KB, like a JWT with many groups
	want := Stored{AccessToken: big, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour).UTC(), ObtainedAt: time.Now().UTC(), Fingerprint: "fp"}
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
