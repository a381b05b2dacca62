package e2e

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// exchangeIdP is an IdP of the scenario with token exchange and JWT bearer
// on (exchange.mjs), a confidential exchanging client and a JWT bearer
// client holding jwks.
func exchangeIdP(h *H, jwks ...json.RawMessage) *testidp.IdP {
	opts := []testidp.Option{testidp.WithTokenExchange(),
		testidp.WithClient(testidp.Client{ID: "exchanger", Secrets: []string{"exchanger-secret"}, GrantTypes: []string{testidp.TokenExchangeGrant}})}
	if len(jwks) > 0 {
		opts = append(opts, testidp.WithClient(testidp.Client{ID: "bearer", GrantTypes: []string{testidp.JWTBearerGrant}, JWKS: jwks,
			Metadata: map[string]any{"token_endpoint_auth_method": "none"}}))
	}
	return h.StartIdP(opts...)
}

// TestTokenExchangeProfile: `credctl add --grant token-exchange
// --subject-profile` makes a profile whose token is alice's, exchanged for
// the orders API; before her login credctl says to log in first; after it
// `credctl test`, `token` and `request` work against an API of that
// audience; the window's details say whose token is exchanged and its Edit
// form (800×600) shows the grant and the subject; deleting alice's profile
// names the derived one; after her logout the derived token is gone.
func TestTokenExchangeProfile(t *testing.T) {
	h := New(t)
	idp := exchangeIdP(h)
	browser := h.LoginBrowser(testidp.Username, testidp.Password)
	api := testapi.StartJSON(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.ExchangeAudience, Client: idp.HTTPClient()})
	h.AddUser(idp, "alice-portal")
	h.MustCredctlIn("exchanger-secret\n", "add", "--name", "orders", "--grant", "token-exchange", "--subject-profile", "alice-portal",
		"--token-url", idp.TokenURL, "--client-id", "exchanger", "--client-secret-stdin", "--audience", testidp.ExchangeAudience, "--no-test")

	r := h.Credctl("test", "orders")
	if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "log in to 'alice-portal' first: the token exchange needs its token") {
		t.Fatalf("credctl test before the subject's login: %s", r)
	}
	p := h.StartCredctl("", "login", "alice-portal", "--timeout", "60s")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatalf("the browser: %v", err)
	}
	if r := p.Wait(); r.Code != 0 {
		t.Fatalf("credctl login: %s", r)
	}
	h.MustCredctl("test", "orders")
	tok := strings.TrimSpace(h.MustCredctl("token", "orders").Stdout)
	if info := oauthflow.Inspect(tok, credentials.Profile{}); info.Claims["sub"] != testidp.Username {
		t.Fatalf("the exchanged token's claims: %v", info.Claims)
	}
	if r := h.MustCredctl("request", "orders", api.URL+"/orders"); !strings.Contains(r.Stdout, `"subject":"alice"`) {
		t.Fatalf("credctl request with the exchanged token: %s", r)
	}
	// The helpers hand out the exchanged token like any other.
	if r := h.MustCredctl("exec", "orders", "--", "sh", "-c", `printf %s "$ACCESS_TOKEN" | sha256sum`); !strings.HasPrefix(r.Stdout, sha256Hex(tok)) {
		t.Fatalf("credctl exec: %s", r)
	}
	if r := h.MustCredctl("show", "orders"); !strings.Contains(r.Stdout, "'alice-portal'") {
		t.Fatalf("credctl show:\n%s", r.Stdout)
	}

	w := h.StartWorkbench()
	w.Resize(1280, 800)
	w.ClickText("orders", uiWait)
	w.WaitText("Token Exchange", uiWait) // the details: Type Application — Token Exchange
	w.wheel(500, 700, 10)                // the details pane scrolls to the token's source
	w.WaitText("exchanges the token of", uiWait)
	w.WaitText("alice-portal", uiWait) // OCR reads the quotes as ‘ ’
	w.Resize(800, 600)
	w.ClickText("orders", uiWait)
	w.Key("Return")
	s := w.WaitText("Edit orders", uiWait)
	for _, want := range []string{"Grant", "Token Exchange", "Subject profile", "alice-portal"} {
		if !s.Contains(want) {
			s = w.WaitText(want, uiWait)
		}
	}
	t.Logf("the Edit form at 800×600: %s", w.Screenshot())
	w.Key("Escape")
	w.WaitGone("Edit orders", uiWait)

	if r := h.Credctl("delete", "alice-portal", "--yes"); r.Code == 0 || !strings.Contains(r.Stderr, `"orders"`) {
		t.Fatalf("deleting the subject: %s", r)
	}
	h.MustCredctl("logout", "alice-portal")
	if r := h.Credctl("token", "orders"); r.Code == 0 || !strings.Contains(r.Stderr, "log in to 'alice-portal' first") {
		t.Fatalf("credctl token after the subject's logout: %s", r)
	}
}

// TestJWTBearerProfile: `credctl add --grant jwt-bearer --assertion-subject
// SUB --certificate FILE` gets a token for SUB with an assertion signed by
// the certificate's key; a subject the key may not speak for is refused
// with our diagnosis.
func TestJWTBearerProfile(t *testing.T) {
	h := New(t)
	km, err := credentials.GenerateKeyMaterial("bearer", 30, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := oauthflow.PublicJWK(km.Cert)
	if err != nil {
		t.Fatal(err)
	}
	idp := exchangeIdP(h, jwk)
	pemFile := filepath.Join(t.TempDir(), "bearer.pem")
	der, err := x509.MarshalPKCS8PrivateKey(km.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(pemFile, append([]byte(credentials.CertificatePEM(km.Cert)), keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	h.MustCredctl("add", "--name", "bob via assertion", "--grant", "jwt-bearer", "--assertion-subject", testidp.Username2,
		"--certificate", pemFile, "--token-url", idp.TokenURL, "--client-id", "bearer", "--no-test")
	if r := h.MustCredctl("test", "bob via assertion"); !strings.Contains(r.Stdout, "Active") {
		t.Fatalf("credctl test: %s", r)
	}
	tok := strings.TrimSpace(h.MustCredctl("token", "bob via assertion").Stdout)
	if info := oauthflow.Inspect(tok, credentials.Profile{}); info.Claims["sub"] != testidp.Username2 {
		t.Fatalf("the token's claims: %v", info.Claims)
	}
	if r := h.MustCredctl("show", "bob via assertion"); !strings.Contains(r.Stdout, "JWT Bearer") || !strings.Contains(r.Stdout, testidp.Username2) {
		t.Fatalf("credctl show:\n%s", r.Stdout)
	}
	h.MustCredctl("edit", "bob via assertion", "--client-id", "nobody")
	if r := h.Credctl("test", "bob via assertion"); r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "Credentials") {
		t.Fatalf("credctl test with a client the IdP does not know: %s", r)
	}
}
