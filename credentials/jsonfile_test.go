package credentials

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// storeFile is one of the store's JSON files and a write that goes to it.
type storeFile struct {
	name  string
	path  string
	write func() error
}

// storeFiles returns the profile, state and transport files of a fresh
// repository (the state write needs a profile, which is saved first).
func storeFiles(t *testing.T) []storeFile {
	t.Helper()
	repo := newRepo(t, testenv.NewMemKeyring())
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s")})
	if err != nil {
		t.Fatal(err)
	}
	ts := repo.Transports()
	return []storeFile{
		{"profile", repo.Store.Path(), func() error {
			return repo.Store.Update(func(ps []Profile) ([]Profile, error) { return ps, nil })
		}},
		{"state", repo.Store.StatePath(), func() error {
			return repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus = StatusActive })
		}},
		{"transport", ts.Path(), func() error { _, err := ts.Save(apiTransport("orders", ""), nil); return err }},
	}
}

// The profile, state and transport files share one set of guards (one
// jsonFile): a temp file left by a killed writer is cleared by the next
// write, and neither the file nor its lock file is ever written through a
// planted link. (The transport file used to keep such temp files.)
func TestEveryStoreFileHasTheGuards(t *testing.T) {
	needUnix(t)
	for _, f := range storeFiles(t) {
		t.Run(f.name, func(t *testing.T) {
			dir := filepath.Dir(f.path)
			stale := filepath.Join(dir, "."+filepath.Base(f.path)+".tmp-12345")
			if err := os.WriteFile(stale, []byte("half a file"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := f.write(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the temp file of a killed writer is still there: %v", err)
			}
			for _, planted := range []string{f.path + ".lock", f.path} {
				victim := filepath.Join(t.TempDir(), "victim")
				if err := os.Rename(planted, planted+".away"); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
				if err := os.Symlink(victim, planted); err != nil {
					t.Fatal(err)
				}
				if err := f.write(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
					t.Errorf("write with %s a link: %v", filepath.Base(planted), err)
				}
				if _, err := os.Lstat(victim); err == nil {
					t.Errorf("written through the link at %s", filepath.Base(planted))
				}
				if err := os.Remove(planted); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(planted+".away", planted); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
		})
	}
}

// Starting fresh keeps the broken file where its CorruptError said a copy
// was kept, for the profile and the transport file alike, and then works.
func TestStartFreshKeepsTheNamedCopy(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	ts := repo.Transports()
	const broken = `{"schemaVersion": 1, "profiles": [`
	for _, c := range []struct {
		path  string
		list  func() error
		fresh func() (string, error)
	}{
		{repo.Store.Path(), func() error { _, err := repo.List(); return err }, repo.Store.StartFresh},
		{ts.Path(), func() error { _, err := ts.List(); return err }, ts.StartFresh},
	} {
		if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.path, []byte(broken), 0o600); err != nil {
			t.Fatal(err)
		}
		var ce *CorruptError
		if err := c.list(); !errors.As(err, &ce) || ce.Backup == "" {
			t.Fatalf("%s: %v, want a CorruptError with a copy", c.path, err)
		}
		kept, err := c.fresh()
		if err != nil || kept != ce.Backup {
			t.Fatalf("%s: StartFresh kept %q, %v; the error named %q", c.path, kept, err, ce.Backup)
		}
		if got := string(readFile(t, kept)); got != broken {
			t.Fatalf("the kept copy holds %q", got)
		}
		if err := c.list(); err != nil {
			t.Fatalf("%s after StartFresh: %v", c.path, err)
		}
	}
}
