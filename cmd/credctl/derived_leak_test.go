package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// jwtLike matches a compact JWS: subject and actor tokens, exchanged
// tokens and JWT bearer assertions all have this shape.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}`)

// Derived profiles through credctl (#28) — token exchange of a logged-in
// user's token, a public exchanging client, the JWT bearer grant with a
// certificate's key, an endpoint that echoes the subject token and the
// assertion back — then no token, assertion, client secret or private key
// in any file, log, output (but token's stdout) or /proc sample.
func TestDerivedProfilesNoLeaks(t *testing.T) {
	requireKeyring(t)
	km, err := credentials.GenerateKeyMaterial("bearer", 30, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := oauthflow.PublicJWK(km.Cert)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(km.Key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	pemFile := filepath.Join(t.TempDir(), "bearer.pem") // outside the searched HOME
	if err := os.WriteFile(pemFile, append([]byte(credentials.CertificatePEM(km.Cert)), keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := canary("exchanger")
	idp := testidp.Start(t, testidp.WithTokenExchange(),
		testidp.WithClient(testidp.Client{ID: "exchanger", Secrets: []string{secret}, GrantTypes: []string{testidp.TokenExchangeGrant}}),
		testidp.WithClient(testidp.Client{ID: "bearer", GrantTypes: []string{testidp.JWTBearerGrant}, JWKS: []json.RawMessage{jwk},
			Metadata: map[string]any{"token_endpoint_auth_method": "none"}}))
	echo := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(rw, `{"error":"invalid_grant","error_description":"not `+r.PostForm.Get("subject_token")+r.PostForm.Get("assertion")+`"}`)
	}))
	defer echo.Close()

	c := newCLI(t)
	c.timeout = 90 * time.Second
	c.env = append(c.env, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"), "XDG_DATA_HOME="+filepath.Join(c.home, ".local", "share"))
	urlFile := fakeBrowser(t, c)
	w := &leakWatch{t: t, c: c}

	w.must(0, "", "add", "--name", "alice-portal", "--type", "user", "--issuer", idp.Issuer,
		"--client-id", testidp.PublicClientID, "--scope", "openid profile offline_access api:read")
	w.must(0, secret+"\n", "add", "--name", "orders", "--grant", "token-exchange", "--subject-profile", "alice-portal",
		"--token-url", idp.TokenURL, "--client-id", "exchanger", "--client-secret-stdin", "--audience", testidp.ExchangeAudience, "--no-test")
	r := w.must(exitAuth, "", "test", "orders")
	contains(t, "test before login", r.stdout+r.stderr, "log in to 'alice-portal' first: the token exchange needs its token")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	wait := w.start(ctx, "", "login", "alice-portal", "--timeout", "60s")
	if err := testidp.BrowserLogin(ctx, waitForFile(t, urlFile, 30*time.Second), testidp.Username, testidp.Password); err != nil {
		t.Fatalf("browser login: %v", err)
	}
	if r := wait(); r.code != 0 {
		t.Fatalf("login: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	w.must(0, "", "test", "orders")
	w.must(0, "", "token", "orders")
	w.must(0, "", "token", "alice-portal")
	r = w.must(0, "", "show", "orders")
	contains(t, "show", r.stdout, "Token Exchange", "Exchanges the token of:", "'alice-portal'", "Requested token type:")
	w.must(0, "", "show", "orders", "--json")
	r = w.must(exitUsage, "", "delete", "alice-portal", "--yes")
	contains(t, "delete subject", r.stderr, `"orders"`, "--force")

	w.must(0, "", "add", "--name", "echo", "--grant", "token-exchange", "--subject-profile", "alice-portal",
		"--token-url", echo.URL+"/token", "--client-id", "exchanger", "--no-test")
	w.must(exitAuth, "", "test", "echo")
	w.must(0, "", "add", "--name", "echo bearer", "--grant", "jwt-bearer", "--assertion-subject", "bob",
		"--certificate", pemFile, "--token-url", echo.URL+"/token", "--client-id", "bearer", "--no-test")
	w.start(context.Background(), "", "test", "echo bearer")()

	w.must(0, "", "add", "--name", "bob via assertion", "--grant", "jwt-bearer", "--assertion-subject", testidp.Username2,
		"--certificate", pemFile, "--token-url", idp.TokenURL, "--client-id", "bearer", "--no-test")
	r = w.must(0, "", "test", "bob via assertion")
	contains(t, "jwt bearer", r.stdout, "Active")
	r = w.must(0, "", "show", "bob via assertion")
	contains(t, "show jwt bearer", r.stdout, "JWT Bearer", "Assertion subject:", "bob")
	w.must(0, "", "token", "bob via assertion", "--fresh")

	w.must(0, "", "logout", "alice-portal")
	r = w.must(exitAuth, "", "token", "orders")
	contains(t, "token after logout", r.stderr, "log in to 'alice-portal' first")
	w.must(0, "", "export", filepath.Join(c.home, "export.json"))
	w.must(0, "", "logs")

	// The search: nothing shaped like a JWT, no client secret, no key.
	keyB64 := strings.Join(strings.Split(strings.TrimSpace(string(keyPEM)), "\n")[1:3], "")
	report := func(where, text string) {
		if m := jwtLike.FindString(text); m != "" {
			t.Errorf("a token or assertion (%.20s…) appears in %s", m, where)
		}
		for what, v := range map[string]string{"client secret": secret, "private key": keyB64[20:80], "a canary": "LEAKCANARY-"} {
			if strings.Contains(text, v) {
				t.Errorf("the %s appears in %s", what, where)
			}
		}
	}
	files := 0
	err = filepath.WalkDir(c.home, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || filepath.Dir(p) == c.binDir {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		report("the file "+p, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range w.runs {
		name := "credctl " + strings.Join(r.args, " ")
		report("the standard error of "+name, r.stderr)
		if r.args[0] != "token" || r.code != 0 {
			report("the standard output of "+name, r.stdout)
		}
		for _, p := range r.proc {
			report("/proc of "+name, p)
		}
	}
	if files < 3 {
		t.Fatalf("searched only %d files", files)
	}
}
