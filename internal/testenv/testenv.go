// Package testenv holds what the tests of several packages share: the one
// in-memory keyring for unit tests, and the rule that a test needing the
// real keyring, the test IdP or a display fails instead of skipping when
// CI=true (a skipped check is not a passed check).
package testenv

import (
	"os"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"
)

// InCI reports whether the tests run in CI (CI=true), where every check
// must run.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips t with reason outside CI and fails it in CI.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatal("CI=true, so this check must run: " + reason)
	}
	t.Skip(reason)
}

// RealKeyring reports whether the tests may use the OS keyring
// (scripts/test.sh provides a private unlocked gnome-keyring and sets
// CREDWB_KEYRING=real).
func RealKeyring() bool { return os.Getenv("CREDWB_KEYRING") == "real" }

// RequireKeyring skips (fails in CI) unless the real Secret Service is there.
func RequireKeyring(t testing.TB) {
	t.Helper()
	if !RealKeyring() {
		Unavailable(t, "needs the real Secret Service: run via `make test` or scripts/test.sh (sets CREDWB_KEYRING=real)")
	}
}

// RequireDisplay skips unless an X display is there; it fails instead in CI
// and under scripts/test.sh (CREDWB_KEYRING=real), which provide Xvfb.
func RequireDisplay(t testing.TB) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		const reason = "DISPLAY is not set: run under Xvfb (make test / scripts/test.sh do)"
		if InCI() || RealKeyring() {
			t.Fatal(reason)
		}
		t.Skip(reason)
	}
}

// MemKeyring is the in-memory keyring (credentials.Keyring's shape) for
// unit tests where the keyring is not what is tested, and to inject
// failures the real Secret Service cannot produce on demand.
type MemKeyring struct {
	mu   sync.Mutex
	data map[string]string
	// SetErr, when it returns an error for an entry, fails that Set.
	SetErr func(user string) error
	GetErr error // fails every Get
	DelErr error // fails every Delete
	// Sets and Deletes count the successful calls.
	Sets, Deletes int
}

// NewMemKeyring returns an empty keyring.
func NewMemKeyring() *MemKeyring { return &MemKeyring{data: map[string]string{}} }

func (m *MemKeyring) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.GetErr != nil {
		return "", m.GetErr
	}
	v, ok := m.data[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (m *MemKeyring) Set(service, user, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.SetErr != nil {
		if err := m.SetErr(user); err != nil {
			return err
		}
	}
	if m.data == nil {
		m.data = map[string]string{}
	}
	m.Sets++
	m.data[service+"\x00"+user] = secret
	return nil
}

func (m *MemKeyring) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.DelErr != nil {
		return m.DelErr
	}
	k := service + "\x00" + user
	if _, ok := m.data[k]; !ok {
		return keyring.ErrNotFound
	}
	m.Deletes++
	delete(m.data, k)
	return nil
}

// Len is the number of entries.
func (m *MemKeyring) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.data)
}

// Values lists every stored value (to check that none holds a secret).
func (m *MemKeyring) Values() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.data))
	for _, v := range m.data {
		out = append(out, v)
	}
	return out
}

// FailGets makes every Get fail with err (nil: work again); safe while
// other goroutines use the keyring.
func (m *MemKeyring) FailGets(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.GetErr = err
}
