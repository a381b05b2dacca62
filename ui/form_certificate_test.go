package ui

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

func certIdP(t *testing.T, certPEM ...string) *testidp.IdP {
	t.Helper()
	var keys []json.RawMessage
	for _, c := range certPEM {
		cert, err := credentials.ParseCertificatePEM(c)
		if err != nil {
			t.Fatal(err)
		}
		j, err := oauthflow.PublicJWK(cert)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, j)
	}
	return testidp.Start(t, testidp.WithClient(testidp.Client{
		ID: "wb-pkjwt", GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
		ServiceAccount: &testidp.User{Username: "svc-pkjwt", Roles: []string{"service"}}, JWKS: keys,
	}))
}

// Add → private_key_jwt → Generate → Save: the profile is Active against the
// real IdP that has the generated key; the private key is in the keyring and
// in no file. Editing another profile imports a PEM the same way.
func TestFormPrivateKeyJWT(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	h := newHarness(t, repo, nil)

	f := h.wb.screens.openForm(nil)
	f.name.SetText("Cert API")
	f.clientID.SetText("wb-pkjwt")
	f.scope.SetText("api:read")
	f.authMethod.SetSelected(string(credentials.AuthPrivateKeyJWT))
	if f.fields[credentials.FieldClientSecret].label.Visible() || !f.fields[credentials.FieldCertificate].label.Visible() {
		t.Fatal("private_key_jwt should show the certificate instead of the client secret")
	}
	if !f.save.Disabled() {
		t.Fatal("Save enabled without a certificate")
	}
	if err := f.cert.generateCertificate(0); err == nil {
		t.Fatal("0 days accepted")
	}
	if err := f.cert.generateCertificate(30); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.cert.info.Text, "Thumbprint (Entra ID, SHA-1):") || !strings.Contains(f.cert.info.Text, "goes to the OS keyring on Save") {
		t.Errorf("certificate info: %q", f.cert.info.Text)
	}
	idp := certIdP(t, f.cert.certPEM)
	f.tokenURL.SetText(idp.TokenURL)
	f.validate()
	if f.save.Disabled() {
		t.Fatalf("Save disabled: %q", f.problems.Text)
	}
	h.tap(f.save)
	h.waitFor("the certificate profile to be Active", func() bool { return h.statusOf("Cert API") == "Active" })
	p, err := repo.Get("Cert API")
	if err != nil || !p.HasPrivateKey || p.HasSecret || p.AuthMethod != credentials.AuthPrivateKeyJWT {
		t.Fatalf("saved %+v, %v", p, err)
	}
	stored, err := repo.Secrets.Get(p.ID, credentials.PrivateKey)
	if err != nil || len(stored) < 100 {
		t.Fatalf("keyring: %v", err)
	}
	t.Cleanup(func() { _ = repo.Secrets.Delete(p.ID, credentials.PrivateKey) })
	_ = filepath.WalkDir(filepath.Dir(repo.Store.Path()), func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(path); strings.Contains(string(b), stored[30:90]) || strings.Contains(string(b), "PRIVATE KEY") {
				t.Errorf("%s holds the private key", path)
			}
		}
		return nil
	})

	// Import a PEM (certificate + key) into a new profile, and a wrong file.
	km, err := credentials.GenerateKeyMaterial("imported", 10, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(km.Key)
	pemFile := append([]byte(credentials.CertificatePEM(km.Cert)), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...)
	f = h.wb.screens.openForm(nil)
	if err := f.cert.importCertificate([]byte(credentials.CertificatePEM(km.Cert)), ""); err == nil || !strings.Contains(err.Error(), "no private key") {
		t.Errorf("certificate without key: %v", err)
	}
	if err := f.cert.importCertificate(pemFile, ""); err != nil {
		t.Fatal(err)
	}
	if f.authMethod.Selected != string(credentials.AuthPrivateKeyJWT) || f.cert.certPEM != credentials.CertificatePEM(km.Cert) {
		t.Error("import did not switch the form to private_key_jwt with the certificate")
	}
}
