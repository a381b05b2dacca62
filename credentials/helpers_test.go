package credentials

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// hookKeyring passes every call to a real keyring, records the entries it
// set, and runs afterSet once a Set succeeded (to stage a race at that moment).
type hookKeyring struct {
	Keyring
	mu       sync.Mutex
	users    []string
	afterSet func()
}

func (h *hookKeyring) Set(service, user, secret string) error {
	if err := h.Keyring.Set(service, user, secret); err != nil {
		return err
	}
	h.mu.Lock()
	h.users = append(h.users, user)
	hook := h.afterSet
	h.mu.Unlock()
	if hook != nil {
		hook()
	}
	return nil
}

// blockingKeyring never answers, like a Secret Service that fails to start.
type blockingKeyring struct{ release chan struct{} }

func (b blockingKeyring) Get(string, string) (string, error) {
	<-b.release
	return "", errors.New("released")
}
func (b blockingKeyring) Set(string, string, string) error {
	<-b.release
	return errors.New("released")
}
func (b blockingKeyring) Delete(string, string) error { <-b.release; return errors.New("released") }

// realKeyring is the OS keyring when the suite runs against a real Secret
// Service (make test sets CREDWB_KEYRING=real), else the test is skipped.
func realKeyring(t *testing.T) Keyring {
	t.Helper()
	if !testenv.RealKeyring() {
		testenv.Unavailable(t, "needs the real Secret Service: run inside dbus-run-session with an unlocked gnome-keyring and CREDWB_KEYRING=real (make test does this)")
	}
	return SystemKeyring{}
}

// cleanupKeyring removes every entry a profile may have left in kr.
func cleanupKeyring(t *testing.T, kr Keyring, id string) {
	t.Helper()
	t.Cleanup(func() {
		for _, k := range AllSecretKinds {
			_ = kr.Delete(KeyringService, entry(id, k))
		}
	})
}

// tempConfig points os.UserConfigDir at a fresh directory and returns it.
func tempConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	return dir
}

// newRepo returns a repository on a store under a fresh config directory.
func newRepo(t *testing.T, kr Keyring) *Repository {
	t.Helper()
	tempConfig(t)
	path, err := DefaultStorePath()
	if err != nil {
		t.Fatal(err)
	}
	return &Repository{Store: NewStore(path), Secrets: NewSecrets(kr), Now: time.Now}
}

// token returns a recognisable random string for secrets that tests search for.
func token(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func appProfile(name string) Profile {
	return Profile{
		Name:     name,
		Type:     TypeApplication,
		TokenURL: "https://idp.example.com/oauth2/token",
		ClientID: "client-" + name,
		Scope:    "api://backend/.default",
	}
}

func userProfile(name string) Profile {
	return Profile{
		Name:      name,
		Type:      TypeUser,
		IssuerURL: "https://idp.example.com/realms/main",
		ClientID:  "app-" + name,
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fileSnapshot returns every regular file under dir with its content.
func fileSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = string(b)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}
