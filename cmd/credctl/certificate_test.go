package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

const pkClient = "wb-pkjwt"

func pkIdP(t *testing.T, certs ...*x509.Certificate) *testidp.IdP {
	t.Helper()
	var keys []json.RawMessage
	for _, c := range certs {
		j, err := oauthflow.PublicJWK(c)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, j)
	}
	return testidp.Start(t, testidp.WithClient(testidp.Client{
		ID: pkClient, GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
		ServiceAccount: &testidp.User{Username: "svc-pkjwt", Roles: []string{"service"}}, JWKS: keys,
	}))
}

// The private_key_jwt flows of credctl against the real IdP and keyring —
// import from PEM and from PKCS#12, `certificate new`, the refusals — with a
// search for the private key, the PFX password and an assertion in every
// file, output and /proc sample afterwards (the leak test's rules).
func TestPrivateKeyJWTProfileNoLeaks(t *testing.T) {
	requireKeyring(t)
	km, err := credentials.GenerateKeyMaterial(pkClient, 30, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(km.Key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	pfxPass := canary("pfx")
	pfx, err := pkcs12.Modern.Encode(km.Key, km.Cert, nil, pfxPass)
	if err != nil {
		t.Fatal(err)
	}
	inputs := t.TempDir() // outside the searched HOME: these files hold the key on purpose
	pemFile, pfxFile := filepath.Join(inputs, "client.pem"), filepath.Join(inputs, "client.pfx")
	if err := os.WriteFile(pemFile, append([]byte(credentials.CertificatePEM(km.Cert)), keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pfxFile, pfx, 0o600); err != nil {
		t.Fatal(err)
	}

	idp := pkIdP(t, km.Cert)
	c := newCLI(t)
	c.env = append(c.env, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"), "XDG_DATA_HOME="+filepath.Join(c.home, ".local", "share"))
	w := &leakWatch{t: t, c: c}

	// Import from PEM: --certificate alone implies private_key_jwt.
	w.must(0, "", "add", "--name", "cert api", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", pkClient, "--scope", "api:read", "--certificate", pemFile, "--username-claim", "preferred_username")
	r := w.must(0, "", "test", "cert api")
	contains(t, "test", r.stdout+r.stderr, "Active", "svc-pkjwt")
	w.must(0, "", "token", "cert api", "--fresh")
	w.must(0, "", "token", "cert api", "--fresh") // a fresh assertion each time: the IdP refuses a reused jti
	shown := decode[profileJSON](t, w.must(0, "", "show", "cert api", "--json").stdout)
	tp := credentials.CertThumbprints(km.Cert)
	if shown.AuthMethod != "private_key_jwt" || shown.Certificate == nil || !shown.Certificate.PrivateKeySet ||
		shown.Certificate.SHA1Thumbprint != tp.SHA1Hex || shown.ClientSecret.Set {
		t.Fatalf("show --json: %+v %+v", shown, shown.Certificate)
	}
	if v := keyringValue(t, shown.ID, credentials.PrivateKey); v == "" {
		t.Fatal("no private key in the keyring")
	}
	r = w.must(0, "", "show", "cert api")
	contains(t, "show", r.stdout, "Thumbprint (SHA-1):", tp.SHA1Hex, "private key in the keyring")

	// PKCS#12 with its password on standard input; a wrong password
	// changes nothing.
	r = w.must(exitValidation, "wrong\n", "edit", "cert api", "--certificate", pfxFile, "--certificate-password-stdin")
	contains(t, "wrong pfx password", r.stderr, "--certificate", "password is wrong")
	w.must(0, pfxPass+"\n", "edit", "cert api", "--certificate", pfxFile, "--certificate-password-stdin")
	w.must(0, "", "test", "cert api")
	r = w.must(exitValidation, "", "edit", "cert api", "--certificate", filepath.Join(inputs, "missing.pem"))
	contains(t, "missing file", r.stderr, "missing.pem", "cannot be read")
	r = w.must(exitValidation, "x\n", "rotate-secret", "cert api", "--new-secret-stdin")
	contains(t, "rotate", r.stderr, "private_key_jwt")

	// certificate new: a new key the IdP does not know is refused with the
	// credentials category; registered at an IdP, it works.
	crt := filepath.Join(c.home, "out", "cert-api.crt")
	if err := os.MkdirAll(filepath.Dir(crt), 0o700); err != nil {
		t.Fatal(err)
	}
	r = w.must(0, "", "certificate", "new", "cert api", "--days", "10", "--out", crt)
	contains(t, "certificate new", r.stdout, crt, "Thumbprint (Entra ID, SHA-1):", "Public JWK:", "OS keyring")
	w.must(exitUsage, "", "certificate", "new", "cert api", "--days", "0")
	w.must(exitUsage, "", "certificate", "cert api")
	r = w.must(exitFailure, "", "certificate", "new", "cert api", "--days", "10", "--out", crt)
	contains(t, "existing file", r.stderr, "--out")
	raw, err := os.ReadFile(crt)
	if err != nil {
		t.Fatal(err)
	}
	newCert, err := credentials.ParseCertificatePEM(string(raw))
	if err != nil || strings.Contains(string(raw), "PRIVATE KEY") {
		t.Fatalf("written certificate: %v", err)
	}
	if d := time.Until(newCert.NotAfter); d < 9*24*time.Hour || d > 11*24*time.Hour {
		t.Errorf("NotAfter in %v", d)
	}
	r = w.must(exitAuth, "", "test", "cert api")
	contains(t, "unregistered key", r.stdout+r.stderr, "Credentials")
	idp2 := pkIdP(t, newCert)
	w.must(0, "", "edit", "cert api", "--token-url", idp2.TokenURL)
	w.must(0, "", "test", "cert api")

	// An endpoint that echoes the assertion back in its error.
	var mu sync.Mutex
	var assertions []string
	echo := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		a := r.PostForm.Get("client_assertion")
		mu.Lock()
		assertions = append(assertions, a)
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(rw, `{"error":"invalid_client","error_description":"bad assertion `+a+`"}`)
	}))
	defer echo.Close()
	w.must(0, "", "add", "--name", "echo", "--type", "application", "--token-url", echo.URL+"/token",
		"--client-id", pkClient, "--certificate", pemFile)
	w.must(exitAuth, "", "test", "echo")
	w.must(exitAuth, "", "test", "echo", "--json")
	w.must(0, "", "export", filepath.Join(c.home, "export.json"))
	w.must(0, "", "list", "--json")
	mu.Lock()
	defer mu.Unlock()
	if len(assertions) < 2 || assertions[0] == assertions[1] || strings.Count(assertions[0], ".") != 2 {
		t.Fatalf("assertions seen by the echo endpoint: %q", assertions)
	}

	// The search.
	keyB64 := strings.Join(strings.Split(strings.TrimSpace(string(keyPEM)), "\n")[1:3], "")
	secrets := map[string]string{"private key (base64)": keyB64[20:80], "PFX password": pfxPass, "PEM private key": "PRIVATE KEY"}
	for i, a := range assertions {
		secrets["assertion "+string(rune('0'+i))] = a
		secrets["assertion signature "+string(rune('0'+i))] = a[strings.LastIndex(a, ".")+1:]
	}
	report := func(where, text string) {
		for what, v := range secrets {
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
		if r.args[0] != "token" {
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
