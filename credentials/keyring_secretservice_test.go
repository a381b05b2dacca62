//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// itemPaths lists the Secret Service items another process (dbus-send)
// finds for an entry, in every collection.
func itemPaths(t *testing.T, user string) []string {
	t.Helper()
	out, err := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
		"/org/freedesktop/secrets", "org.freedesktop.Secret.Service.SearchItems",
		"dict:string:string:service,"+KeyringService+",username,"+user).CombinedOutput()
	if err != nil {
		t.Fatalf("dbus-send SearchItems: %v: %s", err, out)
	}
	return regexp.MustCompile(`/org/freedesktop/secrets/collection/[^"]+`).FindAllString(string(out), -1)
}

// Cached access tokens live in the in-memory session collection (never on
// disk), where another process of the session finds them; secrets that must
// survive a logout stay in the login collection, where go-keyring finds them.
func TestTokenCacheLivesInTheSessionCollection(t *testing.T) {
	kr := realKeyring(t)
	s := NewSecrets(kr)
	id := "ss-" + token("id")
	cleanupKeyring(t, kr, id)
	filledIndex(t, systemSecretService)
	tok, sec := token("LEAKCANARY-access"), token("LEAKCANARY-secret")
	if err := s.Set(id, TokenCache, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(id, ClientSecret, sec); err != nil {
		t.Fatal(err)
	}
	paths := itemPaths(t, entry(id, TokenCache))
	if len(paths) != 1 || !strings.Contains(paths[0], "/collection/session/") {
		t.Fatalf("token cache items %v, want one in the session collection", paths)
	}
	if v, found, _ := secretToolLookup(t, entry(id, TokenCache)); !found || v != tok {
		t.Fatalf("another process reads %q (found %v)", v, found)
	}
	paths = itemPaths(t, entry(id, ClientSecret))
	if len(paths) != 1 || !strings.Contains(paths[0], "/collection/login/") {
		t.Fatalf("client secret items %v, want one in the login collection", paths)
	}
	if v, err := keyring.Get(KeyringService, entry(id, ClientSecret)); err != nil || v != sec {
		t.Fatalf("go-keyring reads the client secret as %q, %v", v, err)
	}
	// Replacing updates the item in place (cheaper for the keyring than
	// re-creating it); deleting removes it.
	before := itemPaths(t, entry(id, TokenCache))
	if err := s.Set(id, TokenCache, tok+"2"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(id, TokenCache); err != nil || v != tok+"2" {
		t.Fatalf("after replacing: %q, %v", v, err)
	}
	if after := itemPaths(t, entry(id, TokenCache)); len(after) != 1 || after[0] != before[0] {
		t.Fatalf("items after replacing %v, before %v", after, before)
	}
	if err := s.Delete(id, TokenCache); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(id, TokenCache); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// A token cached by an earlier release (go-keyring, login collection) is
// still read; once a newer one is in the session collection, the old copy
// is removed from the login keyring the next time the entry is read.
func TestTokenCacheOfEarlierReleases(t *testing.T) {
	kr := realKeyring(t)
	s := NewSecrets(kr)
	id := "ss-old-" + token("id")
	cleanupKeyring(t, kr, id)
	filledIndex(t, systemSecretService) // as in a long-running process
	if err := keyring.Set(KeyringService, entry(id, TokenCache), "old-token"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(id, TokenCache); err != nil || v != "old-token" {
		t.Fatalf("the earlier release's token reads as %q, %v", v, err)
	}
	if err := s.Set(id, TokenCache, "new-token"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(id, TokenCache); err != nil || v != "new-token" {
		t.Fatalf("with both copies: %q, %v", v, err)
	}
	paths := itemPaths(t, entry(id, TokenCache))
	if len(paths) != 1 || !strings.Contains(paths[0], "/collection/session/") {
		t.Fatalf("items after the read %v, want only the session one", paths)
	}
}

// keyringRestartHelper runs in its own D-Bus session: the Secret Service is
// killed and started again while the process holds a session with the old
// one. The next calls open a new session by themselves; the client secret
// (login keyring, on disk) is still there, the cached token (session
// collection) is gone, as a logout would leave it.
func keyringRestartHelper(repo *Repository, fail func(string, ...any)) {
	waitForSecretService(fail)
	a, err := repo.Save(appProfile("restart-a"), SecretChange{ClientSecret: Secret(secretFor("restart-a", 1))})
	if err != nil {
		fail("save: %v", err)
	}
	if err := repo.Secrets.Set(a.ID, TokenCache, "LEAKCANARY-token"); err != nil {
		fail("cache a token: %v", err)
	}
	// The entry map filled: the restart must drop it.
	x := fillEntryMap(repo, a.ID, fail)
	pid, err := secretServicePID()
	if err != nil {
		fail("find the daemon: %v", err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		fail("kill %d: %v", pid, err)
	}
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			fail("daemon %d did not die", pid)
		}
	}
	start := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets")
	start.Stdin = strings.NewReader("fault-test")
	if out, err := start.CombinedOutput(); err != nil {
		fail("start the daemon again: %v %s", err, out)
	}
	waitForSecretService(fail)
	for deadline := time.After(10 * time.Second); ; { // NameOwnerChanged closes the map
		x.mu.Lock()
		closed, next := x.closed, x.notify
		x.mu.Unlock()
		if closed {
			break
		}
		select {
		case <-next:
		case <-deadline:
			fail("the entry map outlived the daemon")
		}
	}
	if v, err := repo.Secrets.Get(a.ID, ClientSecret); err != nil || v != secretFor("restart-a", 1) {
		fail("client secret after the restart: %v", err)
	}
	if _, err := repo.Secrets.Get(a.ID, TokenCache); !errors.Is(err, ErrSecretNotFound) {
		fail("cached token after the restart: %v, want not found", err)
	}
	if err := repo.Secrets.Set(a.ID, TokenCache, "LEAKCANARY-token-2"); err != nil {
		fail("cache a token after the restart: %v", err)
	}
	fmt.Println("restarted and reconnected")
	fmt.Println("ok")
}

// fillEntryMap reads id's client secret until the process's entry map is
// filled, and returns the map.
func fillEntryMap(repo *Repository, id string, fail func(string, ...any)) *ssIndex {
	for range ssFillAfter {
		if _, err := repo.Secrets.Get(id, ClientSecret); err != nil {
			fail("read: %v", err)
		}
	}
	conn, err := systemSecretService.open()
	if err != nil {
		fail("open: %v", err)
	}
	<-conn.filled
	x := conn.idx.Load()
	if x == nil {
		fail("the entry map was not filled")
	}
	return x
}

// waitForSecretService waits until a daemon owns the Secret Service name
// (it claims it a moment after it forks; nothing activates it here).
func waitForSecretService(fail func(string, ...any)) {
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := secretServicePID(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			fail("the private Secret Service never came up")
		}
	}
}

func TestSecretServiceRestarted(t *testing.T) { runKeyringFault(t, "restarted") }
