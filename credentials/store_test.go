package credentials

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

func TestStoreLocationAndPermissions(t *testing.T) {
	cfg := tempConfig(t)
	path, err := DefaultStorePath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cfg, "credworkbench", "profiles.json"); path != want {
		t.Fatalf("DefaultStorePath = %s, want %s", path, want)
	}
	s := NewStore(path)
	if s.Path() != path {
		t.Fatalf("Path() = %s", s.Path())
	}
	// A missing file is an empty store, and reading creates nothing.
	if ps, err := s.List(); err != nil || len(ps) != 0 {
		t.Fatalf("List on a fresh machine = %v, %v", ps, err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("reading created the directory: %v", err)
	}

	repo := &Repository{Store: s, Secrets: NewSecrets(testenv.NewMemKeyring())}
	if _, err := repo.Save(userProfile("first"), SecretChange{}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(readFile(t, path), &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["schemaVersion"]) != "1" {
		t.Fatalf("schemaVersion = %s, want 1", raw["schemaVersion"])
	}
	// No temp files are left behind by a successful save.
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestStoreUpdateErrorWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "profiles.json")
	s := NewStore(path)
	if err := s.Update(func([]Profile) ([]Profile, error) { return []Profile{fullProfile()}, nil }); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)
	boom := errors.New("boom")
	err := s.Update(func(ps []Profile) ([]Profile, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the callback's error", err)
	}
	if after := readFile(t, path); string(after) != string(before) {
		t.Fatal("a failed Update changed the file")
	}
}

func TestStoreCorruptFile(t *testing.T) {
	cases := []struct {
		name, content string
		msg           string // part of the error text
	}{
		{"garbage", "garbage\n", "line 1, column 1: invalid character 'g'"},
		{"syntax error on line 4", "{\n  \"schemaVersion\": 1,\n  \"profiles\": [\n    {\"name\": \"a\",}\n  ]\n}\n",
			"line 4, column 18: invalid character '}'"},
		{"truncated", `{"schemaVersion": 1, "profiles": [{"id": "a", "name": "x"`, "line 1, column 58: unexpected end of JSON input"},
		{"empty", "", "line 1, column 1: unexpected end of JSON input"},
		{"trailing data", `{"schemaVersion": 1, "profiles": []} {"schemaVersion": 1}`, "line 1, column 38"},
		{"profiles not a list", "{\"schemaVersion\": 1,\n \"profiles\": {\"id\": 3}}", `line 2, column 14: "profiles" must be a list`},
		// Go 1.27 names the element too ("profiles.0.name"): two checks.
		{"name not a string", "{\"schemaVersion\": 1,\n\"profiles\": [{\"name\": 12345}]}", `line 2, column 27: "profiles.`},
		{"name not a string, the field", "{\"schemaVersion\": 1,\n\"profiles\": [{\"name\": 12345}]}", `name" must be a string, not number`},
		{"bad duration", `{"schemaVersion": 1, "profiles": [{"refreshInterval": true}]}`, "number of seconds"},
		{"no schema", `{"profiles": []}`, "no valid schemaVersion"},
		{"not an object", `[1, 2]`, "cannot unmarshal array"},
		{"schema from the future", `{"schemaVersion": 99, "profiles": [{"id": "x", "name": "future", "newField": 1}]}`, "newer Credential Workbench (schema 99"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempConfig(t)
			path, _ := DefaultStorePath()
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s := NewStore(path)
			_, err := s.List()
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("List: want *CorruptError, got %v", err)
			}
			if ce.Path != path || !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file %s: %v", path, err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
			if ce.Backup == "" || !strings.Contains(err.Error(), ce.Backup) {
				t.Fatalf("no backup named in %v", err)
			}
			if b := readFile(t, ce.Backup); string(b) != c.content {
				t.Fatalf("backup holds %q, want the broken content %q", b, c.content)
			}
			if !strings.Contains(err.Error(), "Nothing will be written") {
				t.Errorf("error does not say the file is left alone: %v", err)
			}

			// Every way of writing refuses, and the file keeps its bytes.
			before := fileSnapshot(t, dir)
			repo := &Repository{Store: s, Secrets: NewSecrets(testenv.NewMemKeyring())}
			if _, err := repo.Save(userProfile("new"), SecretChange{}); !errors.As(err, &ce) {
				t.Errorf("Save on a corrupt file: %v", err)
			}
			if err := s.Update(func(ps []Profile) ([]Profile, error) { return ps, nil }); !errors.As(err, &ce) {
				t.Errorf("Update on a corrupt file: %v", err)
			}
			if err := repo.Record("x", func(b *Bookkeeping) { b.LastStatus = StatusActive }); !errors.As(err, &ce) {
				t.Errorf("Record on a corrupt file: %v", err)
			}
			if _, err := repo.Import([]ImportEntry{{Profile: userProfile("imp")}}, false); !errors.As(err, &ce) {
				t.Errorf("Import on a corrupt file: %v", err)
			}
			if _, err := s.Get("x"); !errors.As(err, &ce) {
				t.Errorf("Get on a corrupt file: %v", err)
			}
			after := fileSnapshot(t, dir)
			delete(after, path+".lock") // the lock file is the only thing allowed to appear
			if len(after) != len(before) {
				t.Errorf("files changed while corrupt: before %d, after %d", len(before), len(after))
			}
			for p, b := range before {
				if after[p] != b {
					t.Errorf("%s changed while the store was corrupt", p)
				}
			}

			// Repeated reads keep one backup, not a pile.
			_, _ = s.List()
			matches, _ := filepath.Glob(path + ".broken-*")
			if len(matches) != 1 {
				t.Errorf("backups after two reads: %v", matches)
			}

			// The user's decision: start with an empty list, the copy stays.
			kept, err := s.StartFresh()
			if err != nil {
				t.Fatal(err)
			}
			if b := readFile(t, kept); string(b) != c.content {
				t.Fatalf("StartFresh kept %q, want the broken content", b)
			}
			ps, err := s.List()
			if err != nil || len(ps) != 0 {
				t.Fatalf("after StartFresh: %v, %v", ps, err)
			}
			if _, err := repo.Save(userProfile("new"), SecretChange{}); err != nil {
				t.Fatalf("Save after StartFresh: %v", err)
			}
		})
	}
}

// A file that cannot be read at all (here: a directory where the file should
// be, which stops root too) is reported, and nothing replaces it.
func TestStoreUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "profiles.json")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(path, "keep")
	if err := os.WriteFile(marker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewStore(path)
	_, err := s.List()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Path != path || !strings.Contains(err.Error(), path) {
		t.Fatalf("want *CorruptError naming %s, got %v", path, err)
	}
	repo := &Repository{Store: s, Secrets: NewSecrets(testenv.NewMemKeyring())}
	if _, err := repo.Save(userProfile("new"), SecretChange{}); !errors.As(err, &ce) {
		t.Fatalf("Save: %v", err)
	}
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		t.Fatal("the unreadable path was replaced")
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatal(err)
	}

	// Starting fresh moves the unreadable thing aside whole; nothing is lost.
	kept, err := s.StartFresh()
	if err != nil {
		t.Fatal(err)
	}
	if kept == "" || !strings.HasPrefix(kept, path+".broken-") {
		t.Fatalf("StartFresh kept %q", kept)
	}
	if b, err := os.ReadFile(filepath.Join(kept, "keep")); err != nil || string(b) != "x" {
		t.Fatalf("the moved-aside content is gone: %v", err)
	}
	if ps, err := s.List(); err != nil || len(ps) != 0 {
		t.Fatalf("after StartFresh: %v, %v", ps, err)
	}
}

// Without root, plain permissions make the file unreadable too.
func TestStoreUnreadablePermissions(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file; TestStoreUnreadableFile covers this case for root")
	}
	path := filepath.Join(t.TempDir(), "profiles.json")
	content := []byte(`{"schemaVersion": 1, "profiles": []}`)
	if err := os.WriteFile(path, content, 0o000); err != nil {
		t.Fatal(err)
	}
	s := NewStore(path)
	var ce *CorruptError
	if _, err := s.List(); !errors.As(err, &ce) || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("want *CorruptError saying permission denied, got %v", err)
	}
	if err := s.Update(func(ps []Profile) ([]Profile, error) { return ps, nil }); !errors.As(err, &ce) {
		t.Fatalf("Update: %v", err)
	}
	kept, err := s.StartFresh()
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(kept, 0o600)
	if b := readFile(t, kept); string(b) != string(content) {
		t.Fatal("the unreadable file was not kept by StartFresh")
	}
}

func TestRevisionConflict(t *testing.T) {
	kr := testenv.NewMemKeyring()
	repo := newRepo(t, kr)
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Revision != 1 || p.ID == "" || p.CreatedAt.IsZero() || !p.HasSecret || p.LastStatus != StatusUntested {
		t.Fatalf("saved profile bookkeeping: %+v", p.Bookkeeping)
	}
	a, _ := repo.Get("api")
	b, _ := repo.Get("API")

	a.Scope = "first-edit"
	a2, err := repo.Save(a, SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	if a2.Revision != 2 {
		t.Fatalf("revision after edit = %d, want 2", a2.Revision)
	}

	// The second window still holds revision 1: its edit (with a new secret) is refused.
	b.Scope = "stale-edit"
	_, err = repo.Save(b, SecretChange{ClientSecret: Secret("s2")})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("stale edit: want ErrConflict, got %v", err)
	}
	if !strings.Contains(err.Error(), "reload") {
		t.Errorf("conflict error does not say what to do: %v", err)
	}
	got, _ := repo.Get(p.ID)
	if got.Scope != "first-edit" || got.Revision != 2 {
		t.Fatalf("stored after conflict: scope %q rev %d", got.Scope, got.Revision)
	}
	if v, _ := repo.Secrets.Get(p.ID, ClientSecret); v != "s1" {
		t.Fatalf("stale edit changed the secret to %q", v)
	}

	// Record never conflicts and does not move the revision.
	if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus = StatusActive }); err != nil {
		t.Fatal(err)
	}
	got, _ = repo.Get(p.ID)
	if got.LastStatus != StatusActive || got.Revision != 2 {
		t.Fatalf("after Record: %+v", got.Bookkeeping)
	}
	// An edit made after Record, from the revision read before it, is fine.
	a2.Scope = "second-edit"
	if _, err := repo.Save(a2, SecretChange{}); err != nil {
		t.Fatalf("edit after Record: %v", err)
	}

	// Saving an edit of a profile deleted elsewhere says so.
	if err := repo.Delete(p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Save(a2, SecretChange{}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "reload") {
		t.Fatalf("edit of a deleted profile: %v", err)
	}
}

// A save made on a stale copy (another process edited the profile since it
// was read) is refused before the keyring is touched. The keyring writes of
// a save happen under the store's file lock, so two processes saving the
// same profile cannot interleave them (a hook that tried to save from
// inside the keyring write would wait for the lock).
func TestStaleSaveKeepsSecret(t *testing.T) {
	mem := testenv.NewMemKeyring()
	repo := newRepo(t, mem)
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("old")})
	if err != nil {
		t.Fatal(err)
	}
	other := &Repository{Store: NewStore(repo.Store.Path()), Secrets: NewSecrets(mem)}
	q, _ := other.Get(p.ID)
	q.Scope = "edited elsewhere"
	if _, err := other.Save(q, SecretChange{}); err != nil {
		t.Fatal(err)
	}
	p.Scope = "mine"
	if _, err := repo.Save(p, SecretChange{ClientSecret: Secret("new")}); !errors.Is(err, ErrConflict) {
		t.Fatalf("want ErrConflict, got %v", err)
	}
	if v, _ := repo.Secrets.Get(p.ID, ClientSecret); v != "old" {
		t.Fatalf("secret after the failed save = %q, want the old one", v)
	}
	got, _ := repo.Get(p.ID)
	if got.Scope != "edited elsewhere" {
		t.Fatalf("the other edit was lost: %q", got.Scope)
	}
}

// A second profile named like an existing one (any case) is refused, also
// when the name was taken by another process after this one read the file.
func TestDuplicateNameRace(t *testing.T) {
	hk := &hookKeyring{Keyring: testenv.NewMemKeyring()}
	repo := newRepo(t, hk)
	other := &Repository{Store: NewStore(repo.Store.Path()), Secrets: NewSecrets(testenv.NewMemKeyring())}
	if _, err := repo.Save(userProfile("Taken"), SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Save(userProfile("tAKEN"), SecretChange{}); !IsValidation(err) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := other.Save(userProfile("Race"), SecretChange{}); err != nil {
		t.Fatal(err)
	}
	_, err := repo.Save(appProfile("RACE"), SecretChange{ClientSecret: Secret("s")})
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.For(FieldName), "already exists") {
		t.Fatalf("want a name error, got %v", err)
	}
	if hk.Keyring.(*testenv.MemKeyring).Len() != 0 {
		t.Fatal("the refused profile left its secret in the keyring")
	}
	ps, _ := repo.List()
	if len(ps) != 2 {
		t.Fatalf("profiles: %+v", ps)
	}
}
