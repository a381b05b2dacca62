// Package credtest gives tests an in-memory keyring and a temporary
// repository (store, state and transports files in a test's temporary
// directory), so a test that needs profiles but does not test the keyring
// runs in a plain `go test`, and every package builds its test repository
// the one way. Tests of the keyring itself use the OS keyring (a nil
// Keyring here) under scripts/test.sh.
package credtest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Keyring is the in-memory keyring (credentials.Keyring's shape): entries
// in a map, failures injectable (SetErr, GetErr, DelErr, FailGets), calls
// counted. It is internal/testenv's, which the tests of credentials itself
// use (they cannot import this package).
type Keyring = testenv.MemKeyring

// NewKeyring returns an empty in-memory keyring.
func NewKeyring() *Keyring { return testenv.NewMemKeyring() }

type config struct {
	dir string
	now func() time.Time
}

// Option changes a temporary repository.
type Option func(*config)

// InDir puts the repository's files (profiles.json and the files beside
// it) in dir instead of a fresh temporary directory.
func InDir(dir string) Option { return func(c *config) { c.dir = dir } }

// WithClock makes now the repository's clock (CreatedAt, UpdatedAt,
// SecretSetAt, transports' times) instead of time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Repository is a repository on profiles.json in a fresh t.TempDir() (see
// InDir), its secrets in kr: an in-memory Keyring, or nil for the OS
// keyring (the caller checks it is there: testenv.RequireKeyring).
func Repository(t testing.TB, kr credentials.Keyring, opts ...Option) *credentials.Repository {
	t.Helper()
	c := config{now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if c.dir == "" {
		c.dir = t.TempDir()
	}
	return &credentials.Repository{
		Store:   credentials.NewStore(filepath.Join(c.dir, "profiles.json")),
		Secrets: credentials.NewSecrets(kr),
		Now:     c.now,
	}
}
