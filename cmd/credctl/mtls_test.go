package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Mutual TLS through credctl against the real IdP: add with
// --auth-method tls_client_auth --certificate FILE
// --bind-tokens-to-certificate, show's line, test (Active through the
// IdP's mtls_endpoint_aliases), request to an API that holds the bound
// token to the certificate, the helpers' refusal; and no private key
// (keyring or PEM form) nor bound access token in any file under HOME, the
// export, any output (the token only on token's stdout) or the processes'
// command lines and environments.
func TestMutualTLSCredctlNoLeaks(t *testing.T) {
	requireKeyring(t)
	dir := t.TempDir() // the administrator's own files, outside HOME
	ca := testidp.NewClientCA(t, dir)
	certFile, dn := ca.Issue(t, dir, "credctl-mtls")
	idp := testidp.Start(t, testidp.WithMTLS(testidp.MTLS{ClientCA: ca.File, Aliases: testidp.AliasesLocalhost, AliasOnly: true}),
		testidp.WithClient(testidp.Client{ID: "mtls-cli", GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
			ServiceAccount: &testidp.User{Username: "svc-mtls", Roles: []string{"service"}}, Metadata: testidp.MTLSClientMetadata(dn, true)}))
	api := testapi.StartJSONMTLS(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, Client: idp.HTTPClient()},
		testapi.MTLSOptions{RequireBound: true})
	caData, err := os.ReadFile(idp.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(bundle, append(caData, api.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.env = append(c.env, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"), "XDG_DATA_HOME="+filepath.Join(c.home, ".local", "share"))
	w := &leakWatch{t: t, c: c}

	w.must(0, "", "add", "--name", "mtls", "--type", "application", "--issuer", idp.Issuer, "--client-id", "mtls-cli",
		"--auth-method", "tls_client_auth", "--certificate", certFile, "--bind-tokens-to-certificate", "--ca-file", bundle,
		"--scope", "api:read")
	show := w.must(0, "", "show", "mtls").stdout
	contains(t, "show", show, "Client authentication:", "tls_client_auth", "Mutual TLS:", "certificate-bound tokens", "x5t#S256")
	if strings.Contains(show, "Client secret:") || strings.Contains(show, "Assertion:") {
		t.Errorf("show has private_key_jwt or secret lines for a mutual TLS profile:\n%s", show)
	}
	pj := decode[profileJSON](t, w.must(0, "", "show", "mtls", "--json").stdout)
	if !pj.BindTokensToCertificate || pj.AuthMethod != "tls_client_auth" || pj.Certificate == nil || !pj.Certificate.PrivateKeySet {
		t.Fatalf("show --json: %+v", pj)
	}
	w.must(0, "", "test", "mtls")
	w.must(0, "", "list", "--json")
	tokens := []string{strings.TrimSpace(w.must(0, "", "token", "mtls").stdout)}
	out := w.must(0, "", "request", "mtls", api.URL+"/orders", "--include").stdout
	contains(t, "request", out, "200")
	if n := idp.MTLSCounts(t); n.AliasRequests == 0 || n.WithCertificate == 0 {
		t.Fatalf("the mTLS alias was not used with the certificate: %+v", n)
	}

	// Helpers receive only the token: refused with the reason.
	r := w.must(exitValidation, "", "exec", "mtls", "--", "true")
	contains(t, "exec refusal", r.stderr, "certificate-bound tokens", "credctl request mtls")
	r = w.start(t.Context(), "protocol=https\nhost=git.example.com\n\n", "git-credential", "--profile", "mtls", "get")()
	if r.code == 0 || strings.Contains(r.stdout, "password=") || !strings.Contains(r.stderr, "certificate-bound tokens") {
		t.Fatalf("git-credential handed out a bound token: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	w.must(0, "", "edit", "mtls", "--bind-tokens-to-certificate=false")
	contains(t, "show after edit", w.must(0, "", "show", "mtls").stdout, "client authentication by tls_client_auth")
	w.must(0, "", "edit", "mtls", "--bind-tokens-to-certificate")
	tokens = append(tokens, strings.TrimSpace(w.must(0, "", "token", "mtls", "--fresh").stdout))
	exportFile := filepath.Join(t.TempDir(), "export.json")
	w.must(0, "", "export", exportFile)
	w.must(0, "", "logs")

	// The search.
	key := keyringValue(t, pj.ID, credentials.PrivateKey)
	pemData, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	_, pemKey, _ := strings.Cut(string(pemData), "-----BEGIN PRIVATE KEY-----\n")
	secrets := map[string]string{"private key (keyring form)": key, "private key (middle)": key[len(key)/3 : len(key)/3+40],
		"private key (PEM line)": strings.SplitN(pemKey, "\n", 2)[0]}
	for i, tok := range tokens {
		if strings.Count(tok, ".") != 2 {
			t.Fatalf("token %d is not a JWT", i)
		}
		secrets["bound access token "+string(rune('0'+i))] = tok
	}
	found := func(text string) (out []string) {
		for what, v := range secrets {
			if len(v) >= 20 && strings.Contains(text, v) {
				out = append(out, what)
			}
		}
		return out
	}
	if got := found("x" + tokens[0] + "y" + key); len(got) != 4 { // the token, the key, its middle and its first PEM line (the same DER)
		t.Fatalf("the search does not find planted secrets: %v", got)
	}
	report := func(where, text string) {
		for _, what := range found(text) {
			t.Errorf("the %s appears in %s", what, where)
		}
	}
	for _, root := range []string{c.home, filepath.Dir(exportFile)} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && filepath.Dir(p) != c.binDir {
				b, _ := os.ReadFile(p)
				report("the file "+p, string(b))
			}
			return nil
		})
	}
	for _, r := range w.runs {
		name := "credctl " + strings.Join(r.args, " ")
		out := r.stdout
		if r.args[0] == "token" && r.code == 0 {
			out = "" // printing the access token is what `token` is for
		}
		report("the standard output of "+name, out)
		report("the standard error of "+name, r.stderr)
		for _, p := range r.proc {
			report("/proc of "+name, p)
		}
	}
}
