package credentials

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// A test result goes to the small state file: the profile file (the
// definitions) is not rewritten, and the result reads back merged.
func TestRecordWritesOnlyTheStateFile(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s1")})
	if err != nil {
		t.Fatal(err)
	}
	before := readFile(t, repo.Store.Path())
	infoBefore, _ := os.Stat(repo.Store.Path())
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if err := repo.Record(p.ID, func(b *Bookkeeping) {
		b.LastStatus, b.LastChecked, b.TokenExpiry = StatusActive, now, now.Add(time.Hour)
		b.Revision = 99 // not an outcome field: not kept
	}); err != nil {
		t.Fatal(err)
	}
	infoAfter, _ := os.Stat(repo.Store.Path())
	if !bytes.Equal(before, readFile(t, repo.Store.Path())) || !os.SameFile(infoBefore, infoAfter) {
		t.Fatal("Record rewrote the profile file")
	}
	if filepath.Base(repo.Store.StatePath()) != "state.json" {
		t.Fatalf("state file %s, want state.json beside profiles.json", repo.Store.StatePath())
	}
	if st, err := os.Stat(repo.Store.StatePath()); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", st, err)
	}
	got, err := repo.Get(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastStatus != StatusActive || !got.LastChecked.Equal(now) || got.Revision != 1 {
		t.Fatalf("merged bookkeeping %+v", got.Bookkeeping)
	}
	// A fresh Store (another process) sees the same.
	other, err := NewStore(repo.Store.Path()).Get(p.ID)
	if err != nil || other.LastStatus != StatusActive {
		t.Fatalf("another store reads %+v, %v", other.Bookkeeping, err)
	}
}

// Files of earlier releases keep the results inside profiles.json: they load
// as before, and the first result recorded goes to the state file.
func TestStateMigratesFromOldProfileFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "profiles.json")
	old := `{"schemaVersion": 1, "profiles": [{"id": "0123456789abcdef", "name": "legacy", "type": "application",
 "grantType": "client_credentials", "tokenUrl": "https://idp.example/token", "clientId": "c", "proxy": {}, "tls": {},
 "revision": 3, "hasSecret": true, "lastStatus": "Failed", "lastError": "invalid_client", "lastCategory": "credentials",
 "lastChecked": "2026-01-02T03:04:05Z"}]}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	repo := &Repository{Store: NewStore(path), Secrets: NewSecrets(testenv.NewMemKeyring())}
	p, err := repo.Get("legacy")
	if err != nil {
		t.Fatal(err)
	}
	if p.LastStatus != StatusFailed || p.LastError != "invalid_client" || p.Revision != 3 {
		t.Fatalf("old bookkeeping not read: %+v", p.Bookkeeping)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if err := repo.Record(p.ID, func(b *Bookkeeping) {
		b.LastStatus, b.LastError, b.LastCategory, b.LastChecked = StatusActive, "", "", now
	}); err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, path)) != old {
		t.Fatal("recording a result rewrote the old profile file")
	}
	if p, _ = repo.Get("legacy"); p.LastStatus != StatusActive || p.LastError != "" {
		t.Fatalf("after Record: %+v", p.Bookkeeping)
	}
	// A save writes the merged results into the profile file too, so a
	// release without the state file (a downgrade) still sees them.
	p.Scope = "x"
	if _, err := repo.Save(p, SecretChange{}); err != nil {
		t.Fatal(err)
	}
	var d fileData
	if err := json.Unmarshal(readFile(t, path), &d); err != nil {
		t.Fatal(err)
	}
	if d.SchemaVersion != 1 {
		t.Fatalf("schema %d: the profile file must stay readable by older releases", d.SchemaVersion)
	}
}

// An entry belongs to a revision: a save that changes the settings resets
// the status, whatever the state file still says about the old settings.
func TestStateEntryOfOlderRevisionIsIgnored(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus, b.LastChecked = StatusActive, time.Now().UTC() }); err != nil {
		t.Fatal(err)
	}
	p, _ = repo.Get(p.ID)
	p.Scope = "other"
	if _, err := repo.Save(p, SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.Get(p.ID); got.LastStatus != StatusUntested || got.Revision != 2 {
		t.Fatalf("after a settings change: %+v", got.Bookkeeping)
	}
}

// A release without the state file, run in between, records its results
// in the profile file: a newer check there wins over an older entry.
func TestStateNewerResultInProfileFileWins(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s1")})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus, b.LastChecked = StatusActive, t0 }); err != nil {
		t.Fatal(err)
	}
	// What an older release does: rewrite the profile file with its result.
	var d fileData
	if err := json.Unmarshal(readFile(t, repo.Store.Path()), &d); err != nil {
		t.Fatal(err)
	}
	d.Profiles[0].LastStatus, d.Profiles[0].LastError, d.Profiles[0].LastChecked = StatusFailed, "old release", t0.Add(time.Minute)
	b, _ := json.Marshal(d)
	if err := os.WriteFile(repo.Store.Path(), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.Get(p.ID); got.LastStatus != StatusFailed || got.LastError != "old release" {
		t.Fatalf("the newer result in the profile file lost: %+v", got.Bookkeeping)
	}
}

// Entries of deleted profiles do not pile up, nor do entries equal to
// what the profile file holds.
func TestStateFileStaysSmall(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	var ids []string
	for _, n := range []string{"a", "b", "c"} {
		p, err := repo.Save(appProfile(n), SecretChange{ClientSecret: Secret("s")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	for _, id := range ids {
		if err := repo.Record(id, func(b *Bookkeeping) { b.LastStatus, b.LastChecked = StatusActive, time.Now().UTC() }); err != nil {
			t.Fatal(err)
		}
	}
	if err := repo.Delete(ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := repo.Record(ids[1], func(b *Bookkeeping) { b.LastError = "x" }); err != nil {
		t.Fatal(err)
	}
	var d stateFileData
	if err := json.Unmarshal(readFile(t, repo.Store.StatePath()), &d); err != nil {
		t.Fatal(err)
	}
	// Delete rewrote the profile file with b's and c's results inline, so
	// only b's newer error differs from it.
	if len(d.Profiles) != 1 || d.Profiles[ids[1]].LastError != "x" {
		t.Fatalf("state entries %+v", d.Profiles)
	}
}

// A broken state file costs the results recorded since the last save, never
// the profiles: it is kept aside and the next result replaces it.
func TestStateFileCorrupt(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(repo.Store.StatePath(), []byte(`{"schemaVersion": 1, "profiles": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, err := NewStore(repo.Store.Path()).List()
	if err != nil || len(ps) != 1 || ps[0].LastStatus != StatusUntested {
		t.Fatalf("List with a broken state file: %v %v", ps, err)
	}
	kept, _ := filepath.Glob(repo.Store.StatePath() + ".broken-*")
	if len(kept) != 1 {
		t.Fatalf("no copy of the broken state file kept: %v", kept)
	}
	if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus = StatusActive }); err != nil {
		t.Fatal(err)
	}
	if got, _ := NewStore(repo.Store.Path()).Get(p.ID); got.LastStatus != StatusActive {
		t.Fatalf("after a new result: %+v", got.Bookkeeping)
	}
}

// A state file of a newer release is never overwritten (that would drop
// what it keeps), and recording says why it cannot.
func TestStateFileFromTheFuture(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s1")})
	if err != nil {
		t.Fatal(err)
	}
	future := `{"schemaVersion": 2, "profiles": {}}`
	if err := os.WriteFile(repo.Store.StatePath(), []byte(future), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.List(); err != nil {
		t.Fatalf("List: %v", err)
	}
	err = repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus = StatusActive })
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Record over a newer state file: %v", err)
	}
	if string(readFile(t, repo.Store.StatePath())) != future {
		t.Fatal("the newer state file was overwritten")
	}
}

// The state file gets the profile file's guards: never read through a
// planted symlink, never written through one.
func TestStateFileSymlink(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	p, err := repo.Save(appProfile("api"), SecretChange{ClientSecret: Secret("s1")})
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, repo.Store.StatePath()); err != nil {
		t.Fatal(err)
	}
	var unsafe *UnsafePathError
	if _, err := NewStore(repo.Store.Path()).List(); !errors.As(err, &unsafe) {
		t.Fatalf("List with a symlinked state file: %v", err)
	}
	if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus = StatusActive }); !errors.As(err, &unsafe) {
		t.Fatalf("Record with a symlinked state file: %v", err)
	}
	if string(readFile(t, victim)) != "keep" {
		t.Fatal("written through the symlink")
	}
	if err := os.Remove(repo.Store.StatePath()); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, repo.Store.StatePath()+".lock"); err != nil {
		t.Fatal(err)
	}
	if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus = StatusActive }); !errors.As(err, &unsafe) {
		t.Fatalf("Record with a symlinked state lock: %v", err)
	}
}

func TestStatePathNames(t *testing.T) {
	for in, want := range map[string]string{
		"/c/credworkbench/profiles.json": "/c/credworkbench/state.json",
		"/c/team.json":                   "/c/team.state.json",
	} {
		if got := StatePath(in); got != want {
			t.Errorf("StatePath(%s) = %s, want %s", in, got, want)
		}
	}
}
