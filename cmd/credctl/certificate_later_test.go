package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
)

// `credctl add --auth-method private_key_jwt` without --certificate saves
// the profile without asking for a client secret; `certificate new` then
// makes it work, and its failures give certificate advice, never client
// secret advice (#24.14). A placeholder secret of an earlier method does not
// stay in the keyring once the profile has its key.
func TestPrivateKeyJWTCertificateLater(t *testing.T) {
	requireKeyring(t)
	c := newCLI(t)
	// An IdP that does not know the key yet.
	unknown := pkIdP(t)
	r := c.must(0, "", "add", "--name", "later", "--type", "application", "--token-url", unknown.TokenURL,
		"--client-id", pkClient, "--scope", "api:read", "--auth-method", "private_key_jwt")
	contains(t, "add", r.stdout, "no certificate yet", "credctl certificate new later")
	if strings.Contains(r.stdout+r.stderr, "secret") {
		t.Errorf("add asked about a client secret:\n%s", r)
	}
	shown := decode[profileJSON](t, c.must(0, "", "show", "later", "--json").stdout)
	if shown.ClientSecret.Set || shown.Certificate != nil {
		t.Errorf("show: secret %v, certificate %v", shown.ClientSecret.Set, shown.Certificate)
	}
	r = c.run("", "test", "later")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "no certificate yet") {
		t.Errorf("test without a certificate:\n%s", r)
	}

	crt := filepath.Join(c.home, "later.crt")
	c.must(0, "", "certificate", "new", "later", "--out", crt)
	r = c.must(exitAuth, "", "test", "later")
	out := r.stdout + r.stderr
	if !strings.Contains(out, "certificate") || strings.Contains(out, "client ID and client secret") {
		t.Errorf("advice for an unregistered certificate:\n%s", r)
	}
	raw, err := os.ReadFile(crt)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := credentials.ParseCertificatePEM(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	known := pkIdP(t, cert)
	c.must(0, "", "edit", "later", "--token-url", known.TokenURL)
	c.must(0, "", "test", "later")

	// A profile that had a (placeholder) secret drops it when it gets its key.
	c.must(0, "placeholder\n", "add", "--name", "switched", "--type", "application", "--token-url", known.TokenURL,
		"--client-id", pkClient, "--scope", "api:read", "--client-secret-stdin", "--no-test")
	c.must(0, "", "certificate", "new", "switched", "--out", filepath.Join(c.home, "switched.crt"))
	shown = decode[profileJSON](t, c.must(0, "", "show", "switched", "--json").stdout)
	if shown.ClientSecret.Set {
		t.Error("the old client secret stayed in the keyring after certificate new")
	}
}
