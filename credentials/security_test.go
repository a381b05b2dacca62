package credentials

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Attacks on the store by a second local user and by planted files (issue
// #18). Each fails on a store that trusts what it finds on disk.

// nobody is the uid/gid of the user "nobody", to plant foreign-owned
// files (testenv.Nobody: needs root, fails under CI=true without).
func nobody(t *testing.T) (int, int) { return testenv.Nobody(t) }

// needUnix skips on Windows, where these file types and owners do not apply.
func needUnix(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Unix file semantics")
	}
}

func storeWith(t *testing.T, content string) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "credworkbench")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "profiles.json")
	if content != "" {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return NewStore(path), dir
}

const attackerProfiles = `{"schemaVersion":1,"profiles":[{"id":"0123456789abcdef","name":"prod","type":"application",` +
	`"grantType":"client_credentials","tokenUrl":"https://attacker.example/token","clientId":"c","authMethod":"client_secret_basic",` +
	`"refreshInterval":"5m","hasSecret":true}]}`

// A profile file or directory that another user owns (or can write) is
// refused with the path and the fix: its endpoints are the attacker's.
func TestSecurityForeignOwnedStore(t *testing.T) {
	needUnix(t)
	uid, gid := nobody(t)
	t.Run("file owned by another user", func(t *testing.T) {
		s, _ := storeWith(t, attackerProfiles)
		if err := os.Chown(s.Path(), uid, gid); err != nil {
			t.Fatal(err)
		}
		_, err := s.List()
		var ue *UnsafePathError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), s.Path()) || !strings.Contains(err.Error(), "another user") {
			t.Fatalf("List of a foreign-owned file: %v", err)
		}
		if err := s.Update(func(ps []Profile) ([]Profile, error) { return ps, nil }); !errors.As(err, &ue) {
			t.Fatalf("Update of a foreign-owned file: %v", err)
		}
	})
	t.Run("directory owned by another user", func(t *testing.T) {
		s, dir := storeWith(t, attackerProfiles)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		_, err := s.Get("prod")
		var ue *UnsafePathError
		if !errors.As(err, &ue) || ue.Path != dir {
			t.Fatalf("Get under a foreign-owned directory: %v", err)
		}
	})
	t.Run("world-writable file", func(t *testing.T) {
		s, _ := storeWith(t, attackerProfiles)
		if err := os.Chmod(s.Path(), 0o666); err != nil {
			t.Fatal(err)
		}
		if _, err := s.List(); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
			t.Fatalf("List of a world-writable file: %v", err)
		}
	})
	t.Run("directory only readable by others is tightened", func(t *testing.T) {
		s, dir := storeWith(t, attackerProfiles)
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := s.List(); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
			t.Fatalf("directory mode %o, want 700", st.Mode().Perm())
		}
	})
}

// Symlinks planted at the store's predictable names are never followed.
func TestSecuritySymlinks(t *testing.T) {
	needUnix(t)
	t.Run("broken-file backup name", func(t *testing.T) {
		broken := "{ not json"
		s, dir := storeWith(t, broken)
		victim := filepath.Join(t.TempDir(), "authorized_keys")
		backup := s.Path() + ".broken-" + hashPrefix(broken)
		if err := os.Symlink(victim, backup); err != nil {
			t.Fatal(err)
		}
		_, err := s.List()
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("List of a broken file: %v", err)
		}
		if _, err := os.Lstat(victim); err == nil {
			t.Fatalf("the backup was written through the planted symlink into %s", victim)
		}
		if ce.Backup != "" {
			t.Fatalf("the error names %s as a copy although none was made", ce.Backup)
		}
		_ = dir
	})
	t.Run("lock file", func(t *testing.T) {
		s, _ := storeWith(t, "")
		victim := filepath.Join(t.TempDir(), "victim")
		if err := os.Symlink(victim, s.Path()+".lock"); err != nil {
			t.Fatal(err)
		}
		err := s.Update(func(ps []Profile) ([]Profile, error) { return ps, nil })
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("Update with a symlinked lock file: %v", err)
		}
		if _, err := os.Lstat(victim); err == nil {
			t.Fatal("the lock file was created through the symlink")
		}
	})
	t.Run("profile file", func(t *testing.T) {
		s, _ := storeWith(t, "")
		other := filepath.Join(t.TempDir(), "profiles.json")
		if err := os.WriteFile(other, []byte(attackerProfiles), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(other, s.Path()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.List(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("List of a symlinked profile file: %v", err)
		}
	})
	t.Run("configuration directory", func(t *testing.T) {
		real := t.TempDir()
		link := filepath.Join(t.TempDir(), "credworkbench")
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		s := NewStore(filepath.Join(link, "profiles.json"))
		err := s.Update(func(ps []Profile) ([]Profile, error) { return append(ps, appProfile("a")), nil })
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("Update in a symlinked directory: %v", err)
		}
		if entries, _ := os.ReadDir(real); len(entries) != 0 {
			t.Fatalf("files were written through the symlinked directory: %v", entries)
		}
	})
}

func hashPrefix(content string) string {
	return func() string { s := sha256.Sum256([]byte(content)); return hex.EncodeToString(s[:4]) }()
}

// A FIFO as the profile file does not hang any command, and a huge sparse
// file is refused without a copy of it being written.
func TestSecurityFIFOAndHugeFile(t *testing.T) {
	needUnix(t)
	t.Run("fifo", func(t *testing.T) {
		s, _ := storeWith(t, "")
		if err := syscall.Mkfifo(s.Path(), 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 2)
		go func() { _, err := s.List(); done <- err }()
		go func() { done <- s.Update(func(ps []Profile) ([]Profile, error) { return ps, nil }) }()
		for range 2 {
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "FIFO") {
					t.Fatalf("a FIFO profile file: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("reading a FIFO profile file hangs")
			}
		}
	})
	t.Run("sparse 1 GiB", func(t *testing.T) {
		s, dir := storeWith(t, "")
		f, err := os.Create(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(1 << 30); err != nil {
			t.Fatal(err)
		}
		f.Close()
		start := time.Now()
		_, err = s.List()
		if err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("a 1 GiB profile file: %v", err)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".broken-") {
				t.Fatalf("a copy %s of the huge file was written", e.Name())
			}
		}
		t.Logf("1 GiB sparse file refused in %v", time.Since(start).Round(time.Millisecond))
	})
}

// A name that looks like another profile's ID is refused, and a file that
// has one anyway makes lookups fail instead of picking a profile.
func TestSecurityNameVersusID(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	a, err := repo.Save(appProfile("alpha"), SecretChange{ClientSecret: Secret("s")})
	if err != nil {
		t.Fatal(err)
	}
	evil := appProfile(a.ID)
	if _, err := repo.Save(evil, SecretChange{ClientSecret: Secret("s")}); err == nil || !strings.Contains(err.Error(), "look like a profile ID") {
		t.Fatalf("a profile named like another's ID was saved: %v", err)
	}
	// A hand-edited file with such a name: no guessing.
	err = repo.Store.Update(func(ps []Profile) ([]Profile, error) {
		e := appProfile("x")
		e.ID, e.Name = "fedcba9876543210", a.ID
		e.Normalize()
		return append(ps, e), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := repo.Get(a.ID); err == nil {
		t.Fatalf("%q resolved to %q although it is both an ID and a name", a.ID, p.Name)
	}
	if p, err := repo.Get("alpha"); err != nil || p.ID != a.ID {
		t.Fatalf("by name: %v %v", p.ID, err)
	}
}

// Import checking is linear: 40,000 entries took half a minute when each
// was compared with all others.
func TestSecurityImportLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"format":"credworkbench-profiles","version":1,"profiles":[`)
	const n = MaxImportEntries
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"p%05d","type":"application","tokenUrl":"https://idp.example.com/t","clientId":"c%d"}`, i, i)
	}
	b.WriteString(`]}`)
	start := time.Now()
	entries, err := ParseImport([]byte(b.String()), nil, ImportDefaults{})
	took := time.Since(start)
	if err != nil || len(entries) != n {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	for _, e := range entries[:3] {
		if e.Err != nil {
			t.Fatal(e.Err)
		}
	}
	t.Logf("ParseImport of %d entries: %v", n, took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("ParseImport of %d entries took %v", n, took)
	}
	over := strings.Replace(b.String(), `]}`, `,{"name":"one-more","type":"application","tokenUrl":"https://idp.example.com/t","clientId":"x"}]}`, 1)
	if _, err := ParseImport([]byte(over), nil, ImportDefaults{}); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("an import over the cap: %v", err)
	}
	// Duplicates are still found (now through the map).
	dup := `[{"clientId":"same","authorizedGrantTypes":["client_credentials"]},{"clientId":"SAME","authorizedGrantTypes":["client_credentials"]}]`
	es, err := ParseImport([]byte(dup), nil, ImportDefaults{TokenURL: "https://idp.example.com/t"})
	if err != nil || es[0].Err != nil || es[1].Err == nil || !strings.Contains(es[1].Err.Error(), "already exists") {
		t.Fatalf("duplicate names: %v %+v", err, es)
	}
}

// Import previews name the settings that change where secrets go.
func TestSecurityImportRisks(t *testing.T) {
	p := appProfile("risky")
	p.TLS.InsecureSkipVerify = true
	p.Proxy = Proxy{Mode: ProxyURL, URL: "http://proxy.example:3128"}
	p.TLS.CAFile = "/etc/ssl/evil.pem"
	risks := ImportRisks(p)
	joined := strings.Join(risks, "; ")
	for _, want := range []string{"TLS verification OFF", "proxy http://proxy.example:3128", "CA file /etc/ssl/evil.pem"} {
		if !strings.Contains(joined, want) {
			t.Errorf("risks %q lack %q", joined, want)
		}
	}
	if !NeedsConfirmation(p) || NeedsConfirmation(appProfile("plain")) {
		t.Error("NeedsConfirmation")
	}
	sys := appProfile("system proxy")
	sys.Proxy = Proxy{Mode: ProxySystem}
	if NeedsConfirmation(sys) || !strings.Contains(strings.Join(ImportRisks(sys), ";"), "system proxy") {
		t.Error("the system proxy is shown, not asked about")
	}
}

// The stored profile is held to the endpoint rules before use.
func TestSecurityCheckStored(t *testing.T) {
	p := appProfile("x")
	p.Normalize()
	p.TokenURL = "http://attacker.example/token"
	if err := CheckStored(p); err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("CheckStored of a plain-http token URL: %v", err)
	}
	p.TokenURL = "http://127.0.0.1:8080/token"
	if err := CheckStored(p); err != nil {
		t.Fatal(err)
	}
}
