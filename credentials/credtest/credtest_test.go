package credtest_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
)

// A temporary repository keeps its files in the test's directory, its
// secrets in the in-memory keyring, and takes its times from the clock.
func TestRepository(t *testing.T) {
	kr := credtest.NewKeyring()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	repo := credtest.Repository(t, kr, credtest.InDir(dir), credtest.WithClock(func() time.Time { return now }))
	p, err := repo.Save(credentials.Profile{Name: "api", Type: credentials.TypeApplication,
		TokenURL: "https://idp.example.com/token", ClientID: "c"}, credentials.SecretChange{ClientSecret: credentials.Secret("s3cret")})
	if err != nil {
		t.Fatal(err)
	}
	if repo.Store.Path() != filepath.Join(dir, "profiles.json") || !p.CreatedAt.Equal(now) {
		t.Fatalf("store %s, created %v", repo.Store.Path(), p.CreatedAt)
	}
	if got, err := repo.Secrets.Get(p.ID, credentials.ClientSecret); err != nil || got != "s3cret" || kr.Len() != 1 {
		t.Fatalf("secret %q, %v; %d entries", got, err, kr.Len())
	}
	if other := credtest.Repository(t, nil); filepath.Dir(other.Store.Path()) == dir {
		t.Error("a second repository shares the first one's directory")
	}
}
