package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

var jktLine = regexp.MustCompile(`DPoP: +on, key thumbprint \(JWK SHA-256\) ([A-Za-z0-9_-]{43})\n`)

// callWith presents a token and proof as a script does.
func callWith(t *testing.T, url, token, proof string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", proof)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestDPoPCommands(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithDPoP(testidp.DPoPSettings{}))
	api := testapi.StartDPoP(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}, testapi.DPoPOptions{})
	c := newCLI(t)

	o := c.must(0, testidp.DPoPClientSecret+"\n", "add", "--name", "dpop api", "--type", "application", "--issuer", idp.Issuer,
		"--client-id", testidp.DPoPClientID, "--client-secret-stdin", "--scope", testidp.AppScopes, "--resource", testidp.Resource, "--dpop")
	contains(t, "add --dpop", o.stdout, "Active")
	defer c.run("", "delete", "dpop api", "--yes")

	contains(t, "show --json", c.must(0, "", "show", "dpop api", "--json").stdout, `"dpop": true`)
	show := c.must(0, "", "show", "dpop api").stdout
	m := jktLine.FindStringSubmatch(show)
	if m == nil {
		t.Fatalf("show has no DPoP thumbprint line:\n%s", show)
	}
	jkt := m[1]

	o = c.must(0, "", "token", "dpop api")
	tok := strings.TrimSpace(o.stdout)
	contains(t, "token's note", o.stderr, "DPoP-bound", "--dpop-proof-for")
	if r := callWith(t, api.URL+"/orders", tok, ""); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("token without proof: %d", r.StatusCode)
	}
	contains(t, "token --json", c.must(0, "", "token", "dpop api", "--json").stdout, `"tokenType": "DPoP"`)

	// A script: token and proof, the API's nonce, then the call.
	o = c.must(0, "", "token", "dpop api", "--dpop-proof-for", "GET", api.URL+"/orders?page=2")
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	if len(lines) != 2 || lines[0] != tok {
		t.Fatalf("want the token and a proof:\n%s", o)
	}
	r := callWith(t, api.URL+"/orders?page=2", lines[0], lines[1])
	nonce := r.Header.Get("DPoP-Nonce")
	if r.StatusCode != http.StatusUnauthorized || nonce == "" {
		t.Fatalf("the API did not ask for its nonce: %d", r.StatusCode)
	}
	o = c.must(0, "", "token", "dpop api", "--dpop-proof-for", "GET "+api.URL+"/orders", "--dpop-nonce", nonce, "--json")
	out := decode[tokenJSON](t, o.stdout)
	if r := callWith(t, api.URL+"/orders", out.AccessToken, out.DPoPProof); r.StatusCode != http.StatusOK {
		t.Fatalf("the script's call with the proof: %d", r.StatusCode)
	}

	// credctl request proves by itself, with the API's nonce.
	o = c.must(0, "", "request", "dpop api", api.URL+"/orders")
	contains(t, "request", o.stdout, jkt)

	// The helpers: exec says the type, git and kubectl refuse.
	o = c.must(0, "", "exec", "dpop api", "--", "sh", "-c", `echo "type=$ACCESS_TOKEN_TYPE"`)
	contains(t, "exec", o.stdout, "type=DPoP")
	o = c.run("protocol=https\nhost=git.example.com\n\n", "git-credential", "--profile", "dpop api", "get")
	if o.code == 0 || o.stdout != "" {
		t.Errorf("git-credential served a DPoP profile:\n%s", o)
	}
	contains(t, "git-credential", o.stderr, "uses DPoP", "cannot add a DPoP proof")
	o = c.run("", "kubectl-credential", "dpop api")
	if o.code == 0 || o.stdout != "" {
		t.Errorf("kubectl-credential served a DPoP profile:\n%s", o)
	}
	contains(t, "kubectl-credential", o.stderr, "only a bearer token")
	noSecret(t, o, tok)

	// A proof for a profile without DPoP is refused; --dpop=false removes it.
	o = c.must(0, "", "edit", "dpop api", "--dpop=false")
	contains(t, "edit --dpop=false", o.stdout+o.stderr, "sends no DPoP proof")
	if regexp.MustCompile(`(?m)^DPoP:`).MatchString(c.must(0, "", "show", "dpop api").stdout) {
		t.Error("show still has a DPoP line")
	}
	o = c.run("", "token", "dpop api", "--dpop-proof-for", "GET", api.URL)
	if o.code == 0 || !strings.Contains(o.stderr, "does not use DPoP") {
		t.Errorf("proof for a profile without DPoP:\n%s", o)
	}
	o = c.run("", "token", "dpop api", "--dpop-nonce", "x")
	if o.code != 2 {
		t.Errorf("--dpop-nonce alone: want a usage error:\n%s", o)
	}
}
