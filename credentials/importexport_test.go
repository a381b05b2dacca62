package credentials

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// registrationJSON is the client-registration shape of issue 2, verbatim.
const registrationJSON = `[{"clientId": "dcrTaskReviewer", "scope": [], "authorizedGrantTypes": ["client_credentials"],
  "redirectUri": [], "accessTokenValidity": 3600, "refreshTokenValidity": null,
  "clientAuthenticationMethods": ["client_secret_post", "client_secret_basic"],
  "clientPermissions": {"roles": {"ROLE_API": ["testTenant"], "ROLE_WORKFLOW": ["testTenant"]}}}]`

const importTokenURL = "https://idp.example.com/oauth2/token"

func TestImportClientRegistration(t *testing.T) {
	entries, err := ParseImport([]byte(registrationJSON), nil, ImportDefaults{TokenURL: importTokenURL})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1", len(entries))
	}
	e := entries[0]
	if e.Err != nil {
		t.Fatalf("entry rejected: %v", e.Err)
	}
	want := Profile{
		Name:            "dcrTaskReviewer",
		Type:            TypeApplication,
		GrantType:       GrantClientCredentials,
		TokenURL:        importTokenURL,
		ClientID:        "dcrTaskReviewer",
		AuthMethod:      AuthPost, // the first listed method
		RefreshInterval: Duration(48 * time.Minute),
		Proxy:           Proxy{Mode: ProxyNone},
		TenantHeader:    DefaultTenantHeader,
		Bookkeeping:     Bookkeeping{LastStatus: StatusUntested},
	}
	if !reflect.DeepEqual(e.Profile, want) {
		t.Fatalf("imported profile:\ngot  %+v\nwant %+v", e.Profile, want)
	}
	if e.Profile.RefreshInterval.D() >= time.Hour {
		t.Fatal("refresh interval hint does not renew before the 3600 s token expires")
	}

	repo := newRepo(t, testenv.NewMemKeyring())
	sum, err := repo.Import(entries, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sum.Added, []string{"dcrTaskReviewer"}) || len(sum.Skipped) != 0 {
		t.Fatalf("summary: %+v", sum)
	}
	got, err := repo.Get("DCRTASKREVIEWER")
	if err != nil {
		t.Fatal(err)
	}
	if got.Config().ClientID != "dcrTaskReviewer" || got.ID == "" || got.Revision != 1 || got.HasSecret || got.CreatedAt.IsZero() {
		t.Fatalf("stored import: %+v", got)
	}
	// Importing the same file again: the name is taken, nothing is added.
	again, err := ParseImport([]byte(registrationJSON), mustList(t, repo), ImportDefaults{TokenURL: importTokenURL})
	if err != nil {
		t.Fatal(err)
	}
	var ve *ValidationError
	if !errors.As(again[0].Err, &ve) || !strings.Contains(ve.For(FieldName), "already exists") {
		t.Fatalf("re-import of an existing name: %v", again[0].Err)
	}
}

func mustList(t *testing.T, r *Repository) []Profile {
	t.Helper()
	ps, err := r.List()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestImportWithoutTokenURL(t *testing.T) {
	entries, err := ParseImport([]byte(registrationJSON), nil, ImportDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	var ve *ValidationError
	if !errors.As(entries[0].Err, &ve) {
		t.Fatalf("entry without a token endpoint accepted: %v", entries[0].Err)
	}
	if msg := ve.For(FieldTokenURL); !strings.Contains(msg, "Token endpoint URL is required") {
		t.Fatalf("message for the token URL = %q", msg)
	}
	repo := newRepo(t, testenv.NewMemKeyring())
	_, err = repo.Import(entries, false)
	if err == nil || !strings.Contains(err.Error(), "nothing was imported") || !strings.Contains(err.Error(), "dcrTaskReviewer") ||
		!strings.Contains(err.Error(), "Token endpoint") {
		t.Fatalf("Import error: %v", err)
	}
	if _, err := os.Stat(repo.Store.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("something was written")
	}
	// An issuer URL is enough: the token endpoint is discovered.
	entries, _ = ParseImport([]byte(registrationJSON), nil, ImportDefaults{IssuerURL: "https://idp.example.com"})
	if entries[0].Err != nil {
		t.Fatalf("with an issuer: %v", entries[0].Err)
	}
}

func TestImportShapes(t *testing.T) {
	data := `[
  {"clientId": "web-ui", "authorizedGrantTypes": ["authorization_code", "refresh_token"],
   "redirectUri": ["http://127.0.0.1:8765/callback"], "scope": "openid  profile",
   "clientAuthenticationMethods": ["private_key_jwt", "client_secret_basic"], "somethingNew": {"x": [1, 2]}},
  {"clientId": "both", "authorizedGrantTypes": ["authorization_code", "client_credentials"], "scope": ["a", "b"],
   "accessTokenValidity": 20}
]`
	entries, err := ParseImport([]byte(data), nil, ImportDefaults{TokenURL: importTokenURL, AuthURL: "https://idp.example.com/auth"})
	if err != nil {
		t.Fatal(err)
	}
	u, b := entries[0].Profile, entries[1].Profile
	if entries[0].Err != nil || u.Type != TypeUser || u.GrantType != GrantAuthorizationCode || u.AuthURL == "" ||
		u.RedirectPort != 8765 || u.Scope != "openid profile" || u.AuthMethod != AuthBasic {
		t.Fatalf("user client: %+v, %v", u, entries[0].Err)
	}
	if entries[1].Err != nil || b.Type != TypeApplication || b.Scope != "a b" || b.RefreshInterval.D() != MinRefreshInterval {
		t.Fatalf("dual client: %+v, %v", b, entries[1].Err)
	}
}

func TestImportMalformedJSON(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"[{\"clientId\": \"a\",\n  \"scope\": [,]}]", "line 2, column 13"},
		{`[{"clientId": "a"`, "line 1, column 18: unexpected end of JSON input"},
		// Go 1.27 names the element too ("0.clientId"): two checks.
		{"[{\"clientId\": 42}]", `line 1, column 16: "`},
		{"[{\"clientId\": 42}]", `clientId" must be a string, not number`},
		{`{"format": "credworkbench-profiles", "profiles": [}`, "line 1, column 51"},
		{"", "empty"},
		{"clientId: a", "not JSON"},
		{`{"format": "something-else", "profiles": []}`, `format "something-else"`},
	} {
		_, err := ParseImport([]byte(c.data), nil, ImportDefaults{TokenURL: importTokenURL})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseImport(%q) = %v, want an error saying %q", c.data, err, c.want)
		}
	}
}

func TestImportInvalidEntrySavesNothing(t *testing.T) {
	data := `[{"clientId": "good-one", "authorizedGrantTypes": ["client_credentials"]},
	          {"clientId": "bad/name", "authorizedGrantTypes": ["client_credentials"]},
	          {"clientId": "GOOD-ONE", "authorizedGrantTypes": ["client_credentials"]},
	          {"authorizedGrantTypes": ["client_credentials"]}]`
	repo := newRepo(t, testenv.NewMemKeyring())
	if _, err := repo.Save(appProfile("existing"), SecretChange{ClientSecret: Secret("s")}); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, repo.Store.Path())
	entries, err := ParseImport([]byte(data), mustList(t, repo), ImportDefaults{TokenURL: importTokenURL})
	if err != nil {
		t.Fatal(err)
	}
	if entries[0].Err != nil || entries[1].Err == nil || entries[2].Err == nil || entries[3].Err == nil {
		t.Fatalf("entry errors: %v / %v / %v / %v", entries[0].Err, entries[1].Err, entries[2].Err, entries[3].Err)
	}
	if !strings.Contains(entries[2].Err.Error(), `"good-one" already exists`) {
		t.Errorf("a duplicate inside the file is not named: %v", entries[2].Err)
	}

	_, err = repo.Import(entries, false)
	if err == nil || !strings.Contains(err.Error(), "3 of 4 entries are invalid") || !strings.Contains(err.Error(), "entry 4") {
		t.Fatalf("Import without skipping: %v", err)
	}
	if got := readFile(t, repo.Store.Path()); string(got) != string(before) {
		t.Fatal("an import with invalid entries changed the file")
	}

	sum, err := repo.Import(entries, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sum.Added, []string{"good-one"}) || len(sum.Skipped) != 3 {
		t.Fatalf("summary: %+v", sum)
	}
	if ps := mustList(t, repo); len(ps) != 2 {
		t.Fatalf("stored: %+v", ps)
	}
}

// A name taken elsewhere between preview and import is caught under the lock.
func TestImportRechecksNamesAtWrite(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	entries, err := ParseImport([]byte(registrationJSON), nil, ImportDefaults{TokenURL: importTokenURL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Save(appProfile("DCRtaskreviewer"), SecretChange{ClientSecret: Secret("s")}); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, repo.Store.Path())
	if _, err := repo.Import(entries, false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("Import over a name taken since the preview: %v", err)
	}
	if string(readFile(t, repo.Store.Path())) != string(before) {
		t.Fatal("file changed")
	}
	sum, err := repo.Import(entries, true)
	if err != nil || len(sum.Added) != 0 || len(sum.Skipped) != 1 {
		t.Fatalf("skip: %+v, %v", sum, err)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	full := fullProfile()
	full.TLS.CAFile = "" // validation stats the CA file
	full.ID = ""
	app := appProfile("M2M api")
	app.Audience, app.Tenant, app.RolesClaim = "https://api.example.com", "testTenant", `resource_access["app"].roles`
	for _, p := range []Profile{full, app} {
		ch := SecretChange{ClientSecret: Secret("s"), ProxyPassword: Secret("pp")}
		if _, err := repo.Save(p, ch); err != nil {
			t.Fatal(err)
		}
	}
	if err := repo.Record(mustList(t, repo)[0].ID, func(b *Bookkeeping) { b.LastError, b.LoggedInAs = "boom", "alice" }); err != nil {
		t.Fatal(err)
	}
	stored := mustList(t, repo)
	data, err := Export(stored)
	if err != nil {
		t.Fatal(err)
	}
	// Configuration only: no IDs, no bookkeeping.
	for _, key := range []string{`"id"`, `"revision"`, `"createdAt"`, `"updatedAt"`, `"lastStatus"`, `"lastError"`, `"hasSecret"`, "alice", "boom"} {
		if strings.Contains(string(data), key) {
			t.Errorf("export holds %s:\n%s", key, data)
		}
	}
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil || generic["format"] != ExportFormat {
		t.Fatalf("export is not the documented format: %v", err)
	}

	entries, err := ParseImport(data, nil, ImportDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(stored) {
		t.Fatalf("%d entries back, want %d", len(entries), len(stored))
	}
	for i, e := range entries {
		if e.Err != nil {
			t.Fatalf("entry %d: %v", i, e.Err)
		}
		want := stored[i].Config()
		want.ID = ""
		want.ManagementProfile = "" // #26: a management profile not exported with it is dropped
		got := e.Profile.Config()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip changed %s:\ngot  %+v\nwant %+v", want.Name, got, want)
		}
	}

	// Into a second store: equal configurations under new IDs.
	other := &Repository{Store: NewStore(repo.Store.Path() + ".other"), Secrets: NewSecrets(testenv.NewMemKeyring())}
	if _, err := other.Import(entries, false); err != nil {
		t.Fatal(err)
	}
	for i, p := range mustList(t, other) {
		a, b := p.Config(), stored[i].Config()
		if a.ID == "" || a.ID == b.ID {
			t.Errorf("imported profile got ID %q", a.ID)
		}
		a.ID, b.ID = "", ""
		b.ManagementProfile = "" // #26: dropped, as above
		if a != b {
			t.Errorf("after import into another store:\ngot  %+v\nwant %+v", a, b)
		}
	}
}

// Secrets saved in the keyring never appear in an export.
func TestExportHoldsNoSecret(t *testing.T) {
	kr := testenv.NewMemKeyring() // repository logic: the keyring itself is not what is tested
	repo := newRepo(t, kr)
	var secrets []string
	for _, name := range []string{"export one", "export two"} {
		cs, pp := token("export-client-secret"), token("export-proxy-pass")
		secrets = append(secrets, cs, pp)
		p := appProfile(name)
		p.Proxy = Proxy{URL: "http://proxy.example.com:3128", Username: "bob"}
		saved, err := repo.Save(p, SecretChange{ClientSecret: &cs, ProxyPassword: &pp})
		if err != nil {
			t.Fatal(err)
		}
		cleanupKeyring(t, kr, saved.ID)
		if got, err := repo.Secrets.Get(saved.ID, ClientSecret); err != nil || got != cs {
			t.Fatalf("secret not in the keyring: %v", err)
		}
	}
	data, err := Export(mustList(t, repo))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "export one") {
		t.Fatalf("export misses the profiles:\n%s", data)
	}
	for _, s := range secrets {
		if strings.Contains(string(data), s) {
			t.Errorf("export holds secret %q", s)
		}
	}
	assertNotInFiles(t, os.Getenv("XDG_CONFIG_HOME"), secrets...)
}
