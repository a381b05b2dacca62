package credentials

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/zalando/go-keyring"
)

// secretToolLookup asks the Secret Service through libsecret's own CLI, a
// second opinion independent of go-keyring. ok is false when the tool is missing.
func secretToolLookup(t *testing.T, user string) (value string, found, ok bool) {
	t.Helper()
	if _, err := exec.LookPath("secret-tool"); err != nil {
		return "", false, false
	}
	out, err := exec.Command("secret-tool", "lookup", "service", KeyringService, "username", user).Output()
	if err != nil {
		return "", false, true // exit status 1: no such item
	}
	return string(out), true, true
}

// assertNotInFiles fails if any file under dir holds any of the secrets.
func assertNotInFiles(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	files := fileSnapshot(t, dir)
	if len(files) == 0 {
		t.Fatalf("no files under %s: the check would prove nothing", dir)
	}
	for path, content := range files {
		for _, s := range secrets {
			if strings.Contains(content, s) {
				t.Errorf("secret %q found in %s", s, path)
			}
		}
	}
}

func TestSecretsRealKeyring(t *testing.T) {
	kr := realKeyring(t)
	repo := newRepo(t, kr)
	cfg := os.Getenv("XDG_CONFIG_HOME")
	clientSecret, proxyPass := token("client-secret"), token("proxy-pass")

	p := appProfile("Real keyring")
	p.Proxy = Proxy{Mode: ProxyURL, URL: "http://proxy.example.com:3128", Username: "bob"}
	saved, err := repo.Save(p, SecretChange{ClientSecret: &clientSecret, ProxyPassword: &proxyPass})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, saved.ID)
	if !saved.HasSecret || !saved.HasProxyPass || saved.SecretSetAt.IsZero() {
		t.Fatalf("bookkeeping does not record the secrets: %+v", saved.Bookkeeping)
	}

	want := map[SecretKind]string{ClientSecret: clientSecret, ProxyPassword: proxyPass}
	for kind, v := range want {
		if got, err := repo.Secrets.Get(saved.ID, kind); err != nil || got != v {
			t.Fatalf("Secrets.Get(%s) = %q, %v", kind, got, err)
		}
		// Straight from go-keyring, under the documented service and entry name.
		if got, err := keyring.Get(KeyringService, saved.ID+"/"+string(kind)); err != nil || got != v {
			t.Fatalf("keyring.Get(%s) = %q, %v", kind, got, err)
		}
		if got, found, ok := secretToolLookup(t, saved.ID+"/"+string(kind)); ok && (!found || got != v) {
			t.Fatalf("secret-tool lookup %s = %q (found %v)", kind, got, found)
		}
	}
	assertNotInFiles(t, cfg, clientSecret, proxyPass)

	// Rename and edit without touching secrets: they stay.
	saved.Name, saved.Scope = "Renamed keyring", "other-scope"
	renamed, err := repo.Save(saved, SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	if renamed.ID != saved.ID || !renamed.HasSecret || !renamed.HasProxyPass {
		t.Fatalf("rename lost the ID or secret flags: %+v", renamed)
	}
	for kind, v := range want {
		if got, err := repo.Secrets.Get(renamed.ID, kind); err != nil || got != v {
			t.Fatalf("after rename %s = %q, %v", kind, got, err)
		}
	}

	// A new client secret replaces the old; removing the proxy password deletes it.
	rotated := token("rotated")
	after, err := repo.Save(renamed, SecretChange{ClientSecret: &rotated, ProxyPassword: Secret("")})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.Secrets.Get(after.ID, ClientSecret); got != rotated {
		t.Fatalf("client secret after change = %q", got)
	}
	if _, err := repo.Secrets.Get(after.ID, ProxyPassword); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("proxy password after removal: %v", err)
	}
	if after.HasProxyPass {
		t.Fatal("HasProxyPass still set after removal")
	}
	if err := repo.ReplaceClientSecret(after.ID, clientSecret); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.Secrets.Get(after.ID, ClientSecret); got != clientSecret {
		t.Fatalf("after ReplaceClientSecret = %q", got)
	}
	if r, _ := repo.Get(after.ID); r.SecretRotatedAt.IsZero() || !r.HasSecret {
		t.Fatalf("rotation not recorded: %+v", r.Bookkeeping)
	}
	assertNotInFiles(t, cfg, clientSecret, proxyPass, rotated)

	// Delete removes every entry, including the ones other parts of the app write.
	for _, k := range []SecretKind{ProxyPassword, RefreshToken, TokenCache} {
		if err := repo.Secrets.Set(after.ID, k, token(string(k))); err != nil {
			t.Fatal(err)
		}
	}
	if err := repo.Delete("renamed KEYRING"); err != nil {
		t.Fatal(err)
	}
	for _, k := range AllSecretKinds {
		if _, err := repo.Secrets.Get(after.ID, k); !errors.Is(err, ErrSecretNotFound) {
			t.Errorf("%s still in the keyring after Delete: %v", k, err)
		}
		if _, found, ok := secretToolLookup(t, after.ID+"/"+string(k)); ok && found {
			t.Errorf("secret-tool still finds %s after Delete", k)
		}
	}
	if _, err := repo.Get(after.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("profile still listed after Delete: %v", err)
	}
	// Deleting a secret that is not there is fine.
	if err := repo.Secrets.Delete(after.ID, ClientSecret); err != nil {
		t.Fatal(err)
	}
}

// A User profile may drop its client secret (a public client).
func TestSecretRemovedFromUserProfile(t *testing.T) {
	kr := testenv.NewMemKeyring() // repository logic: the keyring itself is not what is tested
	repo := newRepo(t, kr)
	p, err := repo.Save(userProfile("public"), SecretChange{ClientSecret: Secret(token("s"))})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, p.ID)
	p, err = repo.Save(p, SecretChange{ClientSecret: Secret("")})
	if err != nil {
		t.Fatal(err)
	}
	if p.HasSecret {
		t.Fatal("HasSecret still set")
	}
	if _, err := repo.Secrets.Get(p.ID, ClientSecret); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("secret still stored: %v", err)
	}
	// An Application profile cannot drop its secret.
	a, err := repo.Save(appProfile("m2m"), SecretChange{ClientSecret: Secret("x")})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, a.ID)
	_, err = repo.Save(a, SecretChange{ClientSecret: Secret("")})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.For(FieldClientSecret) == "" {
		t.Fatalf("removing an application's secret: %v", err)
	}
	if v, _ := repo.Secrets.Get(a.ID, ClientSecret); v != "x" {
		t.Fatalf("refused change still removed the secret: %q", v)
	}
}

// The keyring refuses the write: the file keeps its old content and the
// keyring its old values.
func TestKeyringSetFailsLeavesFileUnchanged(t *testing.T) {
	mem := testenv.NewMemKeyring()
	repo := newRepo(t, mem)
	cfg := os.Getenv("XDG_CONFIG_HOME")
	ap := appProfile("api")
	ap.Proxy = Proxy{Mode: ProxyURL, URL: "http://proxy.example:3128", Username: "u"}
	p, err := repo.Save(ap, SecretChange{ClientSecret: Secret("old-secret"), ProxyPassword: Secret("old-pass")})
	if err != nil {
		t.Fatal(err)
	}
	before := fileSnapshot(t, cfg)
	newSecret := token("new-secret")

	// The second secret fails: the first goes back to its old value.
	mem.SetErr = func(user string) error {
		if strings.HasSuffix(user, "/"+string(ProxyPassword)) {
			return errors.New("The name org.freedesktop.secrets was not provided by any .service files")
		}
		return nil
	}
	p.Scope = "changed"
	_, err = repo.Save(p, SecretChange{ClientSecret: &newSecret, ProxyPassword: Secret("new-pass")})
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Kind != ProxyPassword || ke.Op != "store" {
		t.Fatalf("want a KeyringError storing the proxy password, got %v", err)
	}
	if strings.Contains(err.Error(), newSecret) || strings.Contains(err.Error(), "new-pass") {
		t.Fatalf("error text holds a secret: %v", err)
	}
	after := fileSnapshot(t, cfg)
	delete(after, repo.Store.Path()+".lock")
	delete(before, repo.Store.Path()+".lock")
	if len(after) != len(before) || after[repo.Store.Path()] != before[repo.Store.Path()] {
		t.Fatal("the file changed although the keyring failed")
	}
	for kind, want := range map[SecretKind]string{ClientSecret: "old-secret", ProxyPassword: "old-pass"} {
		if got, _ := repo.Secrets.Get(p.ID, kind); got != want {
			t.Errorf("%s = %q after the failed save, want %q", kind, got, want)
		}
	}

	// A new profile whose secret cannot be stored is not saved at all.
	mem.SetErr = func(string) error {
		return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	}
	if _, err := repo.Save(appProfile("second"), SecretChange{ClientSecret: Secret("s")}); !IsKeyringError(err) {
		t.Fatalf("want a keyring error, got %v", err)
	}
	if ps, _ := repo.List(); len(ps) != 1 {
		t.Fatalf("a half-saved profile appeared: %+v", ps)
	}
}

// The file cannot be written after the keyring was: the keyring is put back.
// The write fails through the store's test hook (a full disk), which stops
// root as well (permissions would not).
func TestFileWriteFailsRestoresKeyring(t *testing.T) {
	kr := testenv.NewMemKeyring() // repository logic: the keyring itself is not what is tested
	hk := &hookKeyring{Keyring: kr}
	repo := newRepo(t, hk)
	p, err := repo.Save(appProfile("restore"), SecretChange{ClientSecret: Secret("old-secret")})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, p.ID)
	fileBefore := readFile(t, repo.Store.Path())

	// The disk fills up: the file cannot be written once the keyring has been.
	repo.Store.failWrite = func() error { return errors.New("no space left on device") }
	p.Scope = "changed"
	if _, err := repo.Save(p, SecretChange{ClientSecret: Secret("new-secret"), ProxyPassword: Secret("new-pass")}); err == nil {
		t.Fatal("Save succeeded although the store cannot be written")
	}
	if got, err := repo.Secrets.Get(p.ID, ClientSecret); err != nil || got != "old-secret" {
		t.Fatalf("client secret after the failed write = %q, %v; want the old one", got, err)
	}
	if _, err := repo.Secrets.Get(p.ID, ProxyPassword); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("proxy password stayed after the failed write: %v", err)
	}
	if got := readFile(t, repo.Store.Path()); !bytes.Equal(got, fileBefore) {
		t.Fatal("file changed")
	}

	// A new profile: whatever it stored in the keyring is removed again.
	hk.users = nil
	if _, err := repo.Save(appProfile("brand new"), SecretChange{ClientSecret: Secret("s")}); err == nil {
		t.Fatal("Save succeeded although the store cannot be written")
	}
	if len(hk.users) == 0 {
		t.Fatal("the keyring was not written first; the test proves nothing")
	}
	for _, u := range hk.users {
		t.Cleanup(func() { _ = kr.Delete(KeyringService, u) })
		if _, err := kr.Get(KeyringService, u); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("entry %s left in the keyring: %v", u, err)
		}
	}

	// ReplaceClientSecret puts the old secret back the same way.
	if err := repo.ReplaceClientSecret(p.ID, "rotated"); err == nil {
		t.Fatal("ReplaceClientSecret succeeded although the store cannot be written")
	}
	if got, _ := repo.Secrets.Get(p.ID, ClientSecret); got != "old-secret" {
		t.Fatalf("after failed rotation = %q", got)
	}

	// Delete: the keyring entries come back when the file cannot be updated.
	if err := repo.Delete(p.ID); err == nil {
		t.Fatal("Delete succeeded although the store cannot be written")
	}
	if got, _ := repo.Secrets.Get(p.ID, ClientSecret); got != "old-secret" {
		t.Fatalf("after failed delete = %q", got)
	}
}

// Delete writes the file before it clears the keyring (a crash in between
// must not leave a profile without its secret). When the keyring refuses the
// removal afterwards, the error says so and how to clean up: the entry is
// left behind, never hidden.
func TestDeleteKeyringFailsReportsLeftovers(t *testing.T) {
	mem := testenv.NewMemKeyring()
	repo := newRepo(t, mem)
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s"), ProxyPassword: Secret("pp")})
	if err != nil {
		t.Fatal(err)
	}
	mem.DelErr = errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	err = repo.Delete(p.ID)
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Op != "delete" || ke.Problem != KeyringLocked {
		t.Fatalf("want a locked-keyring error, got %v", err)
	}
	for _, want := range []string{`"api" was deleted`, "secret-tool clear service credworkbench username " + p.ID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := repo.Get(p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("profile still there after Delete: %v", err)
	}
}

// A keyring that cannot even be read stops Delete before anything changes.
func TestDeleteUnreadableKeyringKeepsProfile(t *testing.T) {
	mem := testenv.NewMemKeyring()
	repo := newRepo(t, mem)
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s")})
	if err != nil {
		t.Fatal(err)
	}
	mem.GetErr = errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	if err := repo.Delete(p.ID); !IsKeyringError(err) {
		t.Fatalf("want a keyring error, got %v", err)
	}
	mem.GetErr = nil
	if _, err := repo.Get(p.ID); err != nil {
		t.Fatalf("profile gone although the keyring was unreadable: %v", err)
	}
	if got, _ := repo.Secrets.Get(p.ID, ClientSecret); got != "s" {
		t.Fatalf("secret = %q, want it kept", got)
	}
}

func TestKeyringErrorsAreExplained(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		problem KeyringProblem
		hint    string
	}{
		{"no D-Bus session", errors.New(`exec: "dbus-launch": executable file not found in $PATH`), KeyringUnavailable, "gnome-keyring"},
		{"dead bus socket", errors.New("dial unix /run/user/1000/bus: connect: no such file or directory"), KeyringUnavailable, "gnome-keyring"},
		{"no provider", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), KeyringUnavailable, "gnome-keyring"},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), KeyringLocked, "unlock"},
		{"activation timeout", errors.New("Failed to activate service 'org.freedesktop.secrets': timed out"), KeyringTimeout, "gnome-keyring"},
		{"too big", keyring.ErrSetDataTooBig, KeyringTooBig, "larger than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := testenv.NewMemKeyring()
			mem.SetErr = func(string) error { return c.err }
			mem.GetErr = c.err
			repo := newRepo(t, mem)
			secret := token("never-shown")
			_, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: &secret})
			var ke *KeyringError
			if !errors.As(err, &ke) {
				t.Fatalf("want *KeyringError, got %v", err)
			}
			if ke.Problem != c.problem {
				t.Errorf("Problem = %q, want %q", ke.Problem, c.problem)
			}
			if !strings.Contains(ke.Hint, c.hint) || !strings.Contains(err.Error(), ke.Hint) {
				t.Errorf("hint %q does not mention %q (error: %v)", ke.Hint, c.hint, err)
			}
			if !strings.Contains(err.Error(), "client secret") {
				t.Errorf("error does not say which secret: %v", err)
			}
			if !errors.Is(err, c.err) {
				t.Errorf("the keyring's own error is not wrapped: %v", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error text holds the secret: %v", err)
			}
			if _, serr := os.Stat(repo.Store.Path()); !errors.Is(serr, os.ErrNotExist) {
				t.Fatalf("the profile was half-saved to %s", repo.Store.Path())
			}
			// Reading fails the same way.
			if _, err := repo.Secrets.Get("id", ClientSecret); !errors.As(err, &ke) || ke.Problem != c.problem || ke.Op != "read" {
				t.Errorf("Get: %v", err)
			}
		})
	}
}

// go-keyring cannot be cancelled; a Secret Service that never answers must
// not hang the caller past the deadline.
func TestKeyringTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	repo := newRepo(t, blockingKeyring{release})
	repo.Secrets = repo.Secrets.WithTimeout(100 * time.Millisecond)
	start := time.Now()
	_, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s")})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Save took %v with a 100ms keyring deadline", d)
	}
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Problem != KeyringTimeout {
		t.Fatalf("want a timeout KeyringError, got %v", err)
	}
	if !strings.Contains(err.Error(), "100ms") || !strings.Contains(ke.Hint, "gnome-keyring") {
		t.Errorf("timeout error does not say how long it waited and what to do: %v", err)
	}
	if _, err := os.Stat(repo.Store.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("profile half-saved after a keyring timeout")
	}
}

// Windows' 2560-byte limit, enforced before the keyring is asked, against the real one.
func TestSecretSizeLimit(t *testing.T) {
	if PlatformSecretLimit("windows") != 2560 || PlatformSecretLimit("darwin") == 0 || PlatformSecretLimit("linux") != 0 {
		t.Fatal("platform limits changed")
	}
	kr := realKeyring(t)
	hk := &hookKeyring{Keyring: kr}
	repo := newRepo(t, hk)
	repo.Secrets = repo.Secrets.WithLimit(2560)
	if repo.Secrets.Limit() != 2560 {
		t.Fatal("WithLimit not applied")
	}

	_, err := repo.Save(appProfile("too big"), SecretChange{ClientSecret: Secret(strings.Repeat("x", 2561))})
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Problem != KeyringTooBig {
		t.Fatalf("want KeyringTooBig, got %v", err)
	}
	if !strings.Contains(err.Error(), "2561") || !strings.Contains(err.Error(), "2560") {
		t.Errorf("error does not give the sizes: %v", err)
	}
	if len(hk.users) != 0 {
		t.Fatalf("an oversized secret reached the keyring: %v", hk.users)
	}
	if _, err := os.Stat(repo.Store.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("profile saved although its secret was refused")
	}

	exact := strings.Repeat("y", 2560)
	p, err := repo.Save(appProfile("fits"), SecretChange{ClientSecret: &exact})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, p.ID)
	if got, err := repo.Secrets.Get(p.ID, ClientSecret); err != nil || got != exact {
		t.Fatalf("2560-byte secret read back as %d bytes, %v", len(got), err)
	}
}

// Check is quiet for a working keyring (an absent probe entry is fine) and
// reports a missing Secret Service as a typed, actionable error.
func TestSecretsCheck(t *testing.T) {
	mem := testenv.NewMemKeyring()
	if err := NewSecrets(mem).Check(); err != nil {
		t.Fatalf("working keyring: %v", err)
	}
	mem.GetErr = errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	err := NewSecrets(mem).Check()
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Problem != KeyringUnavailable || !strings.Contains(err.Error(), "gnome-keyring") {
		t.Fatalf("unavailable keyring: %v", err)
	}
}

// While a call hangs past its deadline, the next ones fail at once instead of
// each waiting (and leaving another goroutine blocked); once the hung call
// returns, the keyring is asked again.
func TestKeyringHungCallFailsFastUntilItReturns(t *testing.T) {
	release := make(chan struct{})
	sec := NewSecrets(blockingKeyring{release}).WithTimeout(100 * time.Millisecond)
	if _, err := sec.Get("p", ClientSecret); !IsKeyringError(err) || !strings.Contains(err.Error(), "100ms") {
		t.Fatalf("first call: %v", err)
	}
	start := time.Now()
	_, err := sec.Get("p", ClientSecret)
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("second call waited %v although an earlier one still hangs", d)
	}
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Problem != KeyringTimeout || !strings.Contains(err.Error(), "earlier request") {
		t.Fatalf("second call: %v", err)
	}
	close(release) // the hung call returns
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := sec.Get("p", ClientSecret)
		if err != nil && strings.Contains(err.Error(), "released") {
			break // the keyring was asked again (and answered)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the keyring is never asked again after the hung call returned: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
