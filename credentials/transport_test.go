package credentials

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

func apiTransport(name, profileID string) Transport {
	t := Transport{Name: name, Type: TransportHTTP, URL: "https://api.example.com/v1/items", Method: "GET",
		Headers: []Header{{Name: "Accept", Value: "application/json"}}}
	if profileID != "" {
		t.Authorization, t.ProfileID = AuthCredential, profileID
	}
	return t
}

func TestTransportSaveRenameKeepsLinkAndFileHoldsNoSecret(t *testing.T) {
	kr := testenv.NewMemKeyring() // repository logic: the keyring itself is not what is tested
	repo := newRepo(t, kr)
	secret := token("transport-secret")
	p, err := repo.Save(appProfile("backend"), SecretChange{ClientSecret: Secret(secret)})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, p.ID)
	ts := repo.Transports()
	saved, err := ts.Save(apiTransport("Orders API", p.ID), mustList(t, repo))
	if err != nil {
		t.Fatal(err)
	}
	if saved.ID == "" || saved.Revision != 1 || saved.Authorization != AuthCredential {
		t.Fatalf("saved = %+v", saved)
	}
	// Rename the profile: the transport still points at it.
	p.Name = "backend renamed"
	if _, err := repo.Save(p, SecretChange{}); err != nil {
		t.Fatal(err)
	}
	using, err := ts.Using(p.ID)
	if err != nil || len(using) != 1 || using[0].Name != "Orders API" {
		t.Fatalf("Using = %v, %v", using, err)
	}
	got, err := ts.Get("orders api")
	if err != nil || got.ProfileID != p.ID {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	b := readFile(t, ts.Path())
	if strings.Contains(string(b), secret) {
		t.Fatal("the transports file holds the client secret")
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil || f["schemaVersion"].(float64) != 1 {
		t.Fatalf("file = %s", b)
	}
	if st, _ := os.Stat(ts.Path()); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
}

func TestTransportValidationRefusesSecretsAndBadInput(t *testing.T) {
	cases := []struct {
		mod   func(*Transport)
		field string
		want  string
	}{
		{func(t *Transport) { t.Headers = append(t.Headers, Header{"authorization", "Bearer abc"}) }, FieldHeaders, "Authorization header carries a secret"},
		{func(t *Transport) { t.Headers = append(t.Headers, Header{"Cookie", "s=1"}) }, FieldHeaders, "Cookie"},
		{func(t *Transport) { t.URL = "https://user:pw@api.example.com/" }, FieldURL, "user or password"},
		{func(t *Transport) { t.URL = "https://api.example.com/?access_token=abc" }, FieldURL, "access_token"},
		{func(t *Transport) { t.URL = "ftp://api.example.com/" }, FieldURL, "https://"},
		{func(t *Transport) { t.Name = "a/b" }, FieldTransportName, "letters, digits"},
		{func(t *Transport) { t.Type = "SMTP" }, FieldTransportType, "HTTP or WS_SOAP"},
		{func(t *Transport) { t.TokenIn = TokenInWSSE }, FieldTokenIn, "WS_SOAP"},
		{func(t *Transport) { t.Type, t.SOAPVersion = TransportWSSOAP, "2.0" }, FieldSOAPVersion, "1.1 or 1.2"},
		{func(t *Transport) { t.Timeout = Duration(-1) }, FieldTimeout, "between"},
		{func(t *Transport) { t.Body, t.BodyFile = "x", "/tmp/x" }, FieldBody, "not both"},
		{func(t *Transport) { t.Authorization, t.ProfileID = AuthCredential, "nope" }, FieldCredential, "No profile"},
	}
	for _, c := range cases {
		tr := apiTransport("ok", "")
		c.mod(&tr)
		tr.Normalize()
		err := ValidateTransport(tr, TransportValidateOptions{Profiles: []Profile{}})
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.For(c.field), c.want) {
			t.Errorf("%s: got %v, want %q", c.field, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), "Bearer abc") || strings.Contains(err.Error(), "pw@")) {
			t.Errorf("the error repeats a secret: %v", err)
		}
	}
}

func TestTransportStoreCorruptAndNewerFilesAreKept(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	ts := repo.Transports()
	if err := os.MkdirAll(strings.TrimSuffix(ts.Path(), TransportFileName), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{`{"schemaVersion":1,"transports":[`, `{"schemaVersion":99,"transports":[]}`} {
		if err := os.WriteFile(ts.Path(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ts.Save(apiTransport("x", ""), nil)
		var ce *CorruptError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "transport file") || ce.Backup == "" {
			t.Fatalf("Save on %q: %v", content, err)
		}
		if got := string(readFile(t, ts.Path())); got != content {
			t.Fatalf("the broken file was overwritten: %q", got)
		}
	}
	if _, err := ts.StartFresh(); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Save(apiTransport("x", ""), nil); err != nil {
		t.Fatal(err)
	}
}

func TestTransportStoreConcurrentWritersKeepAll(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	// Two stores on one file stand for two processes.
	a, b := repo.Transports(), NewTransportStore(repo.Transports().Path())
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			if _, err := s.Save(apiTransport("t"+string(rune('a'+i)), ""), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	all, err := a.List()
	if err != nil || len(all) != 20 {
		t.Fatalf("List = %d, %v", len(all), err)
	}
	// A stale edit is refused.
	first := all[0]
	first.URL = "https://api.example.com/new"
	if _, err := a.Save(first, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Save(first, nil); !errors.Is(err, ErrTransportConflict) {
		t.Fatalf("stale save: %v", err)
	}
}

func TestExportImportCarriesTransportsByProfileName(t *testing.T) {
	kr := testenv.NewMemKeyring()
	repo := newRepo(t, kr)
	p, err := repo.Save(appProfile("backend"), SecretChange{ClientSecret: Secret("s3cret-value")})
	if err != nil {
		t.Fatal(err)
	}
	ts := repo.Transports()
	if _, err := ts.Save(apiTransport("Orders", p.ID), mustList(t, repo)); err != nil {
		t.Fatal(err)
	}
	soap := Transport{Name: "Billing", Type: TransportWSSOAP, URL: "https://soap.example.com/svc", SOAPVersion: "1.2",
		SOAPAction: "urn:bill", Body: "<x/>", Authorization: AuthCredential, ProfileID: p.ID, TokenIn: TokenInWSSE}
	if _, err := ts.Save(soap, mustList(t, repo)); err != nil {
		t.Fatal(err)
	}
	if err := ts.Record(mustTransport(t, ts, "Orders").ID, RunRecord{OK: true, StatusCode: 200}); err != nil {
		t.Fatal(err)
	}
	all, _ := ts.List()
	data, err := ExportAll(mustList(t, repo), all)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "s3cret-value") || strings.Contains(string(data), p.ID) || strings.Contains(string(data), "statusCode") {
		t.Fatalf("the export holds a secret, an ID or bookkeeping:\n%s", data)
	}

	// Into a fresh store: profiles first, then the transports find them by name.
	repo2 := newRepo(t, testenv.NewMemKeyring())
	entries, err := ParseImport(data, nil, ImportDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo2.Import(entries, false); err != nil {
		t.Fatal(err)
	}
	ps2 := mustList(t, repo2)
	tents, err := ParseTransportImport(data, TransportImportContext{Profiles: ps2, FromFile: ImportedFromFile(entries, entries, nil)})
	if err != nil || len(tents) != 2 || tents[0].ForeignCredential || !tents[0].ForeignHost {
		t.Fatalf("ParseTransportImport = %+v, %v", tents, err)
	}
	// api.example.com and soap.example.com are not the profile's IdP host: that needs the user's yes.
	sum, err := repo2.Transports().ImportTransports(tents, TransportImportOptions{Accept: true})
	if err != nil || len(sum.Added) != 2 {
		t.Fatalf("ImportTransports = %+v, %v", sum, err)
	}
	b := mustTransport(t, repo2.Transports(), "billing")
	if b.ProfileID != ps2[0].ID || b.TokenIn != TokenInWSSE || b.SOAPVersion != "1.2" {
		t.Fatalf("imported = %+v", b)
	}

	// A transport whose profile is nowhere: the entry says so, nothing is imported.
	repo3 := newRepo(t, testenv.NewMemKeyring())
	tents, err = ParseTransportImport(data, TransportImportContext{})
	if err != nil || tents[0].Err == nil || !strings.Contains(tents[0].Err.Error(), `"backend"`) {
		t.Fatalf("entries = %+v, %v", tents, err)
	}
	if _, err := repo3.Transports().ImportTransports(tents, TransportImportOptions{Accept: true}); err == nil {
		t.Fatal("imported transports with a missing credential")
	}
}

func mustTransport(t *testing.T, s *TransportStore, name string) Transport {
	t.Helper()
	tr, err := s.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
