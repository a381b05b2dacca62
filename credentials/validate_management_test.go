package credentials

import (
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

func mgmtProfile(id, name, mgmt string) Profile {
	p := Profile{ID: id, Name: name, Type: TypeApplication, TokenURL: "https://idp.example/token", ClientID: "c-" + id, ManagementProfile: mgmt}
	p.Normalize()
	return p
}

func TestValidateManagement(t *testing.T) {
	a, b, c := mgmtProfile("aaaaaaaaaaaaaaaa", "a", ""), mgmtProfile("bbbbbbbbbbbbbbbb", "b", "aaaaaaaaaaaaaaaa"), mgmtProfile("cccccccccccccccc", "c", "bbbbbbbbbbbbbbbb")
	all := []Profile{a, b, c}
	for _, tc := range []struct {
		name  string
		p     Profile
		field string
		want  string
	}{
		{"ok", b, "", ""},
		{"itself", mgmtProfile("aaaaaaaaaaaaaaaa", "a", "aaaaaaaaaaaaaaaa"), FieldManagementProfile, "cannot manage itself"},
		{"missing", mgmtProfile("dddddddddddddddd", "d", "nope"), FieldManagementProfile, "does not exist"},
		{"cycle", mgmtProfile("aaaaaaaaaaaaaaaa", "a", "cccccccccccccccc"), FieldManagementProfile, "cycle"},
		{"by name", mgmtProfile("dddddddddddddddd", "d", "B"), "", ""},
		{"api", func() Profile { p := a; p.ManagementAPI = "azure"; return p }(), FieldManagementAPI, "entra, okta, keycloak, rfc7592"},
		{"url", func() Profile { p := a; p.ManagementURL = "ftp://x"; return p }(), FieldManagementURL, "http(s) URL"},
		{"url userinfo", func() Profile { p := a; p.ManagementURL = "https://u:p@x"; return p }(), FieldManagementURL, "user info"},
		{"rfc7592 needs its URI", func() Profile { p := a; p.ManagementAPI = "rfc7592"; return p }(), FieldRegistrationClientURI, "registration_client_uri"},
		{"max age", func() Profile { p := a; p.MaxSecretAge = Duration(time.Hour); return p }(), FieldMaxSecretAge, "at least a day"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.p, ValidateOptions{Others: all, HasSecret: true})
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			for _, f := range ve.Fields {
				if f.Field == tc.field && strings.Contains(f.Message, tc.want) {
					return
				}
			}
			t.Fatalf("no %s error with %q: %v", tc.field, tc.want, err)
		})
	}
}

// An export names the management profile (a local ID means nothing
// elsewhere); an import links it to the imported or existing profile.
func TestManagementExportImportByName(t *testing.T) {
	r := newRepo(t, testenv.NewMemKeyring())
	m, err := r.Save(mgmtProfile("", "graph admin", ""), SecretChange{ClientSecret: Secret("s")})
	if err != nil {
		t.Fatal(err)
	}
	app, err := r.Save(mgmtProfile("", "billing", m.ID), SecretChange{ClientSecret: Secret("s")})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := r.List()
	data, err := ExportAll(all, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), m.ID) || !strings.Contains(string(data), `"managementProfile": "graph admin"`) {
		t.Fatalf("export: %s", data)
	}
	if got := ExportDropsManagement([]Profile{app}); len(got) != 1 {
		t.Fatalf("a lone export drops the reference: %v", got)
	}
	r2 := newRepo(t, testenv.NewMemKeyring())
	entries, err := ParseImport(data, nil, ImportDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Import(entries, false); err != nil {
		t.Fatal(err)
	}
	im, _ := r2.Get("graph admin")
	ia, _ := r2.Get("billing")
	if ia.ManagementProfile != im.ID || im.ID == "" {
		t.Fatalf("imported link %q, want %q", ia.ManagementProfile, im.ID)
	}
}

// A date the admin types (or a secret rotated by hand) is no longer the IdP's.
func TestExpirySourceResetByAdmin(t *testing.T) {
	r := newRepo(t, testenv.NewMemKeyring())
	p, err := r.Save(mgmtProfile("", "billing", ""), SecretChange{ClientSecret: Secret("s")})
	if err != nil {
		t.Fatal(err)
	}
	idp := func() {
		t.Helper()
		if err := r.UpdateLifecycle(p.ID, func(q *Profile) error {
			q.SecretExpirySource, q.SecretKeyID = SecretExpiryFromIdP, "k1"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	idp()
	p, _ = r.Get(p.ID)
	p.SecretExpiresAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if p, err = r.Save(p, SecretChange{}); err != nil || p.SecretExpirySource != "" {
		t.Fatalf("after the admin's date: %v %q", err, p.SecretExpirySource)
	}
	idp()
	if err := r.RotateClientSecret(p.ID, "s2", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if p, _ = r.Get(p.ID); p.SecretExpirySource != "" || p.SecretKeyID != "" {
		t.Fatalf("after a rotation by hand: %+v", p.Bookkeeping)
	}
}
