package main

import (
	"crypto/ecdsa"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/dpop"
)

// TestHardeningNoDPoPLeaks is the leak test for DPoP: the profile's
// private key (as stored and as its raw scalar), its DPoP-bound tokens and
// the proofs credctl made appear nowhere — files, logs, export, any
// stdout or stderr, credctl's command lines and environments — except a
// token on the standard output of `token` and a proof on that of `token
// --dpop-proof-for`, where the user asked for them.
func TestHardeningNoDPoPLeaks(t *testing.T) {
	requireKeyring(t)
	clientSecret := canary("dpop-client")
	idp := testidp.Start(t, testidp.WithDPoP(testidp.DPoPSettings{}), testidp.WithClientSecrets(testidp.DPoPClientID, clientSecret))
	api := testapi.StartDPoP(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}, testapi.DPoPOptions{})
	c := newCLI(t)
	c.env = append(c.env, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"), "XDG_DATA_HOME="+filepath.Join(c.home, ".local", "share"))
	w := &leakWatch{t: t, c: c}

	w.must(0, clientSecret+"\n", "add", "--name", "bound", "--type", "application", "--issuer", idp.Issuer,
		"--client-id", testidp.DPoPClientID, "--client-secret-stdin", "--scope", testidp.AppScopes, "--resource", testidp.Resource, "--dpop")
	w.must(0, "", "show", "bound")
	p := decode[profileJSON](t, w.must(0, "", "show", "bound", "--json").stdout)
	w.must(0, "", "test", "bound", "--json")
	tokens := []string{strings.TrimSpace(w.must(0, "", "token", "bound").stdout)}
	tokens = append(tokens, strings.TrimSpace(w.must(0, "", "token", "bound", "--fresh").stdout))
	w.must(0, "", "token", "bound", "--json")
	var proofs []string
	for _, args := range [][]string{{"GET", api.URL + "/a"}, {"POST " + api.URL + "/b?x=1"}} {
		lines := strings.Split(strings.TrimSpace(w.must(0, "", append([]string{"token", "bound", "--dpop-proof-for"}, args...)...).stdout), "\n")
		proofs = append(proofs, lines[len(lines)-1])
	}
	w.must(0, "", "request", "bound", api.URL+"/orders", "--include")
	w.must(0, "", "request", "bound", api.URL+"/orders", "--method", "POST", "--data", "{}")
	w.must(0, "", "exec", "bound", "--", "true")
	w.start(t.Context(), "protocol=https\nhost=git.example.com\n\n", "git-credential", "--profile", "bound", "get")()
	w.start(t.Context(), "", "kubectl-credential", "bound")()
	exportFile := filepath.Join(t.TempDir(), "export.json")
	w.must(0, "", "export", exportFile)
	w.must(0, "", "logs")

	stored := keyringValue(t, p.ID, credentials.DPoPKey)
	key, err := dpop.DecodeKey(stored)
	if err != nil {
		t.Fatal(err)
	}
	_, der, _ := strings.Cut(stored, ":")
	raw, err := key.Signer.(*ecdsa.PrivateKey).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	d := base64.RawURLEncoding.EncodeToString(raw)
	secrets := map[string]string{"client secret": clientSecret, "DPoP key (stored form)": der, "DPoP key (JWK d)": d}
	for i, v := range tokens {
		secrets["DPoP-bound token "+string(rune('0'+i))] = v
	}
	for i, v := range proofs {
		if strings.Count(v, ".") != 2 {
			t.Fatalf("proof %d is not a JWS: %q", i, v)
		}
		secrets["DPoP proof "+string(rune('0'+i))] = v
	}
	found := func(text string) (out []string) {
		for what, v := range secrets {
			if strings.Contains(text, v) {
				out = append(out, what)
			}
		}
		return out
	}
	report := func(where, text string) {
		for _, what := range found(text) {
			t.Errorf("the %s appears in %s", what, where)
		}
	}
	files := 0
	for _, dir := range []string{c.home, filepath.Dir(exportFile)} {
		_ = filepath.WalkDir(dir, func(path string, de os.DirEntry, err error) error {
			if err != nil || !de.Type().IsRegular() || filepath.Dir(path) == c.binDir {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			report("the file "+path, string(b))
			return nil
		})
	}
	for _, r := range w.runs {
		name := "credctl " + strings.Join(r.args, " ")
		out := r.stdout
		if r.args[0] == "token" && r.code == 0 {
			// What the user asked for: the token (and the proof) on stdout.
			for _, v := range append(append([]string{}, tokens...), proofs...) {
				out = strings.ReplaceAll(out, v, "")
			}
		}
		report("the standard output of "+name, out)
		report("the standard error of "+name, r.stderr)
		for _, s := range r.proc {
			report("/proc of "+name, s)
		}
	}
	if files < 1 {
		t.Fatal("no file searched")
	}
	t.Logf("%d secrets searched in %d files and %d runs (%s)", len(secrets), files, len(w.runs), time.Now().Format(time.TimeOnly))
}
