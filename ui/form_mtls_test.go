package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Add → self_signed_tls_client_auth → Generate, Bind tokens → Save: the
// form hides the secret and the assertion, explains what the IdP needs,
// and the profile is Active against the real IdP with mutual TLS that has
// the generated certificate registered, its token bound to it.
func TestFormMutualTLS(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	h := newHarness(t, repo, nil)

	f := h.wb.screens.openForm(nil)
	f.name.SetText("mTLS API")
	f.clientID.SetText("wb-mtls")
	f.scope.SetText("api:read")
	f.authMethod.SetSelected(string(credentials.AuthTLSClient))
	if !strings.Contains(f.mtls.hint.Text, "subject DN") {
		t.Errorf("tls_client_auth hint: %q", f.mtls.hint.Text)
	}
	f.authMethod.SetSelected(string(credentials.AuthSelfSignedTLS))
	if f.fields[credentials.FieldClientSecret].label.Visible() || !f.fields[credentials.FieldCertificate].label.Visible() ||
		f.fields[credentials.FieldAssertion].label.Visible() {
		t.Fatal("self_signed_tls_client_auth should show the certificate, and neither the secret nor the assertion")
	}
	if err := f.cert.generateCertificate(30); err != nil {
		t.Fatal(err)
	}
	if f.authMethod.Selected != string(credentials.AuthSelfSignedTLS) {
		t.Fatalf("generating switched the method to %s", f.authMethod.Selected)
	}
	f.mtls.bind.SetChecked(true)
	if !strings.Contains(f.mtls.hint.Text, "cnf.x5t#S256") {
		t.Errorf("bind hint: %q", f.mtls.hint.Text)
	}
	cert, _ := credentials.ParseCertificatePEM(f.cert.certPEM)
	jwk := testidp.JWKWithCertificate(t, cert)
	idp := testidp.Start(t, testidp.WithMTLS(testidp.MTLS{}), testidp.WithClient(testidp.Client{
		ID: "wb-mtls", GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
		ServiceAccount: &testidp.User{Username: "svc-mtls", Roles: []string{"service"}},
		JWKS:           []json.RawMessage{jwk}, Metadata: testidp.MTLSClientMetadata("", true),
	}))
	f.tokenURL.SetText(idp.TokenURL)
	f.caFile.SetText(idp.CAFile)
	f.validate()
	if f.save.Disabled() {
		t.Fatalf("Save disabled: %q", f.problems.Text)
	}
	h.tap(f.save)
	h.waitFor("the mutual TLS profile to be Active", func() bool { return h.statusOf("mTLS API") == "Active" })
	p, err := repo.Get("mTLS API")
	if err != nil || !p.HasPrivateKey || p.HasSecret || p.AuthMethod != credentials.AuthSelfSignedTLS || !p.BindTokensToCertificate {
		t.Fatalf("saved %+v, %v", p, err)
	}
	t.Cleanup(func() { _ = repo.Secrets.Delete(p.ID, credentials.PrivateKey) })
	if got := mtlsDetails(p); got != "self_signed_tls_client_auth, certificate-bound tokens" {
		t.Errorf("details line %q", got)
	}
}
