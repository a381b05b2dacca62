package main

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// jwtRE finds compact JWTs in text.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// requestObjectsIn returns the signed request objects (typ
// oauth-authz-req+jwt) in text.
func requestObjectsIn(text string) []string {
	var out []string
	for _, j := range jwtRE.FindAllString(text, -1) {
		h, err := base64.RawURLEncoding.DecodeString(strings.SplitN(j, ".", 2)[0])
		var hdr struct {
			Typ string `json:"typ"`
		}
		if err == nil && json.Unmarshal(h, &hdr) == nil && hdr.Typ == "oauth-authz-req+jwt" {
			out = append(out, j)
		}
	}
	return out
}

// TestLoginPARStepUpNoLeaks: a login through PAR with a signed request
// object (the key imported into the keyring), a step-up login with
// `request --step-up`, and `add --from-api`; afterwards no private key,
// request object, access, refresh or ID token is in any file under HOME,
// any output (access tokens only on `token`'s stdout) or /proc sample.
func TestLoginPARStepUpNoLeaks(t *testing.T) {
	requireKeyring(t)
	const otp = "141421"
	km, err := credentials.GenerateKeyMaterial(testidp.RequestObjectClientID, 30, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := oauthflow.PublicJWK(km.Cert)
	if err != nil {
		t.Fatal(err)
	}
	idp := testidp.Start(t, testidp.WithPAR(testidp.PARSettings{}), testidp.WithStepUp(),
		testidp.WithClient(testidp.RequestObjectClient(jwk)),
		testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}))
	api := testapi.StartStepUp(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource},
		testapi.StepUpPolicy{ACRValues: []string{"urn:credworkbench:loa:mfa"}})
	meta := testapi.StartProtected(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource},
		testapi.ProtectedResource{AuthorizationServers: []string{idp.Issuer}, Scopes: []string{"api:read"}})

	keyDER, _ := x509.MarshalPKCS8PrivateKey(km.Key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	inputs := t.TempDir() // outside the searched HOME: the key is in it on purpose
	pemFile := filepath.Join(inputs, "client.pem")
	if err := os.WriteFile(pemFile, append([]byte(credentials.CertificatePEM(km.Cert)), keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.timeout = 90 * time.Second
	c.env = append(c.env, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"), "XDG_DATA_HOME="+filepath.Join(c.home, ".local", "share"))
	urlFile := fakeBrowser(t, c)
	w := &leakWatch{t: t, c: c}
	login := func(user, pw string, opts []testidp.BrowserOption, args ...string) *leakRun {
		_ = os.Remove(urlFile)
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		wait := w.start(ctx, "", args...)
		if err := testidp.BrowserLogin(ctx, waitForFile(t, urlFile, 30*time.Second), user, pw, opts...); err != nil {
			t.Fatalf("browser login: %v", err)
		}
		r := wait()
		if r.code != 0 {
			t.Fatalf("credctl %v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}

	// PAR with a signed request object.
	w.must(0, "", "add", "--name", "ro", "--type", "user", "--issuer", idp.Issuer, "--client-id", testidp.RequestObjectClientID,
		"--auth-method", "private_key_jwt", "--certificate", pemFile, "--scope", "openid profile offline_access api:read",
		"--par", "--request-object")
	w.must(0, "", "show", "ro")
	login(testidp.Username, testidp.Password, nil, "login", "ro", "--timeout", "60s")
	if st := idp.PARStats(t); st.WithRequest != 1 {
		t.Fatalf("PAR stats %+v: the login did not push a request object", st)
	}
	ro := decode[profileJSON](t, w.must(0, "", "show", "ro", "--json").stdout)
	refresh := []string{keyringValue(t, ro.ID, credentials.RefreshToken)}
	ids := []string{keyringValue(t, ro.ID, credentials.IDToken)}
	access := []string{strings.TrimSpace(w.must(0, "", "token", "ro").stdout)}
	// The request object in the browser URL (no PAR).
	w.must(0, "", "edit", "ro", "--par=false")
	login(testidp.Username, testidp.Password, nil, "login", "ro", "--timeout", "60s")
	refresh = append(refresh, keyringValue(t, ro.ID, credentials.RefreshToken))
	access = append(access, strings.TrimSpace(w.must(0, "", "token", "ro").stdout))

	// Step-up.
	w.must(0, "", "add", "--name", "carol", "--type", "user", "--issuer", idp.Issuer, "--client-id", testidp.PublicClientID,
		"--scope", "openid profile offline_access api:read")
	login("carol", "secure", nil, "login", "carol", "--timeout", "60s")
	w.must(exitAuth, "", "request", "carol", api.URL+"/orders")
	login("carol", "secure", []testidp.BrowserOption{testidp.WithOTP(otp)}, "request", "carol", api.URL+"/orders", "--step-up")
	carol := decode[profileJSON](t, w.must(0, "", "show", "carol", "--json").stdout)
	refresh = append(refresh, keyringValue(t, carol.ID, credentials.RefreshToken))
	ids = append(ids, keyringValue(t, carol.ID, credentials.IDToken))
	access = append(access, strings.TrimSpace(w.must(0, "", "token", "carol").stdout))

	// From an API.
	w.must(0, "", "add", "orders", "--from-api", meta.URL, "--type", "user", "--client-id", testidp.PublicClientID)
	w.must(0, "", "export")

	secrets := map[string]string{"private key": strings.Join(strings.Split(strings.TrimSpace(string(keyPEM)), "\n")[1:3], "")}
	for i, v := range access {
		secrets["access token "+string(rune('0'+i))] = v
	}
	for i, v := range refresh {
		secrets["refresh token "+string(rune('0'+i))] = v
	}
	for i, v := range ids {
		secrets["ID token "+string(rune('0'+i))] = v
	}
	check := func(where, text string) {
		for what, v := range secrets {
			if v != "" && strings.Contains(text, v) {
				t.Errorf("the %s appears in %s", what, where)
			}
		}
		if ros := requestObjectsIn(text); len(ros) > 0 {
			t.Errorf("a signed request object appears in %s", where)
		}
	}
	if requestObjectsIn("x eyJ0eXAiOiJvYXV0aC1hdXRoei1yZXErand0In0.e30.sig y") == nil {
		t.Fatal("the search does not find a planted request object")
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
		check("the file "+p, string(b))
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("searched %d files: %v", files, err)
	}
	for _, r := range w.runs {
		name := "credctl " + strings.Join(r.args, " ")
		out := r.stdout
		if r.args[0] == "token" && r.code == 0 {
			out = "" // printing the access token is what `token` is for
		}
		check("the standard output of "+name, out)
		check("the standard error of "+name, r.stderr)
		for _, p := range r.proc {
			check("/proc of "+name, p)
		}
	}
}
