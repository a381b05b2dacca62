package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestMutualTLSProfile: a self_signed_tls_client_auth profile with
// certificate-bound tokens, made with the shipped credctl from a
// certificate it generated itself (credctl certificate new; the IdP has
// the certificate registered), is Active against the IdP with mutual TLS,
// calls an API that holds the bound token to the certificate, and is
// refused by exec (the program gets only the token). The workbench shows
// it in the details and in its Edit form at 800×600: the Mutual TLS row
// with Bind tokens to certificate (the hint under it, in grey, is
// read by ui.TestFormMutualTLS).
func TestMutualTLSProfile(t *testing.T) {
	h := New(t)
	dir := t.TempDir()
	// The certificate first (the IdP registers it), then the IdP.
	h.MustCredctl("add", "--name", "Orders mTLS", "--type", "application", "--token-url", "https://127.0.0.1:1/token",
		"--client-id", "e2e-mtls", "--auth-method", "self_signed_tls_client_auth", "--bind-tokens-to-certificate",
		"--scope", "api:read", "--no-test")
	crt := filepath.Join(dir, "orders.crt")
	h.MustCredctl("certificate", "new", "Orders mTLS", "--out", crt)
	var shown struct {
		AuthMethod string `json:"authMethod"`
	}
	if err := json.Unmarshal([]byte(h.MustCredctl("show", "Orders mTLS", "--json").Stdout), &shown); err != nil || shown.AuthMethod != "self_signed_tls_client_auth" {
		t.Fatalf("certificate new changed the method: %q %v", shown.AuthMethod, err)
	}
	certPEM, err := os.ReadFile(crt)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := credentials.ParseCertificatePEM(string(certPEM))
	if err != nil {
		t.Fatal(err)
	}
	idp := h.StartIdP(testidp.WithMTLS(testidp.MTLS{Aliases: testidp.AliasesLocalhost}), testidp.WithClient(testidp.Client{
		ID: "e2e-mtls", GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
		ServiceAccount: &testidp.User{Username: "svc-orders", Roles: []string{"service"}},
		JWKS:           []json.RawMessage{testidp.JWKWithCertificate(t, cert)}, Metadata: testidp.MTLSClientMetadata("", true),
	}))
	api := testapi.StartJSONMTLS(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, Client: idp.HTTPClient()},
		testapi.MTLSOptions{RequireBound: true})
	caData, err := os.ReadFile(idp.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	idpCA := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(idpCA, append(caData, api.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	h.MustCredctl("edit", "Orders mTLS", "--token-url", "", "--issuer", idp.Issuer, "--ca-file", idpCA)
	if r := h.Credctl("test", "Orders mTLS"); r.Code != 0 || !strings.Contains(r.Stdout, "Active") {
		t.Fatalf("credctl test: %+v", r)
	}
	if r := h.Credctl("request", "Orders mTLS", api.URL+"/orders"); r.Code != 0 || !strings.Contains(r.Stdout, `"ok":true`) {
		t.Fatalf("credctl request to the mTLS API: %+v", r)
	}
	if r := h.Credctl("exec", "Orders mTLS", "--", "true"); r.Code == 0 || !strings.Contains(r.Stderr, "certificate-bound tokens") {
		t.Fatalf("credctl exec handed out a bound token: %+v", r)
	}

	w := h.StartWorkbench()
	defer w.Stop()
	w.Resize(800, 600)
	w.WaitText("Orders mTLS", uiWait)
	w.Key("Down") // select the row: its details
	w.WaitText("Status: Active", uiWait)
	s := scrollUntil(w, 350, 480, "Mutual TLS", "certificate-bound") // the details pane scrolls
	if !s.Contains("certificate-bound") {
		t.Errorf("the details do not show the mutual TLS settings:\n%s", s.Text())
	}
	w.Key("Return")
	w.WaitText("Edit Orders mTLS", uiWait)
	s = scrollUntil(w, 400, 350, "Mutual TLS", "Bind tokens to certificate") // the form scrolls
	if !s.Contains("Bind tokens to certificate") || !s.Contains("self_signed_tls_client_auth") {
		t.Fatalf("the Edit form does not show the Mutual TLS row with its method:\n%s", s.Text())
	}
}

// scrollUntil turns the mouse wheel over (x, y) a notch at a time until
// all the texts show at once.
func scrollUntil(w *Window, x, y int, texts ...string) Screen {
	all := func(s Screen) bool {
		for _, t := range texts {
			if !s.Contains(t) {
				return false
			}
		}
		return true
	}
	s := w.OCR()
	for range 20 {
		if all(s) {
			break
		}
		w.wheel(x, y, 1)
		s = w.OCR()
	}
	return s
}
