package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

const newSecret = "second-secret-0f3c"

// addApp adds the IdP's client-credentials client as profile name.
func addApp(t testing.TB, c *cli, idp *testidp.IdP, name string, extra ...string) {
	t.Helper()
	args := append([]string{"add", "--name", name, "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes,
		"--username-claim", "preferred_username", "--roles-claim", "roles"}, extra...)
	if !slices.Contains(args, "--no-test") {
		// These tests count token requests from here on: `add` would test it.
		args = append(args, "--no-test")
	}
	o := c.must(0, testidp.AppClientSecret+"\n", args...)
	noSecret(t, o, testidp.AppClientSecret)
}

func tokenRequests(t testing.TB, idp *testidp.IdP) int { return idp.Stats(t).Token }

func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestApplicationProfile(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, newSecret))
	c := newCLI(t)
	secrets := []string{testidp.AppClientSecret, newSecret, "wrong-secret-9a1"}

	addApp(t, c, idp, "Billing API")
	o := c.must(0, "", "list")
	contains(t, "list", o.stdout, "Billing API", "Application", "Untested")
	noSecret(t, o, secrets...)
	o = c.must(0, "", "show", "billing api") // names are case-insensitive
	contains(t, "show", o.stdout, "Client secret:", "set ", idp.TokenURL, "api:read api:write")
	noSecret(t, o, secrets...)
	p := decode[profileJSON](t, c.must(0, "", "show", "Billing API", "--json").stdout)
	if !p.ClientSecret.Set || p.ClientSecret.SetAt.IsZero() || p.Status.State != "Untested" || p.TokenURL != idp.TokenURL {
		t.Fatalf("show --json: %+v", p)
	}

	// Test: Active, with what the token says.
	idp.Reset(t)
	o = c.must(0, "", "test", "Billing API")
	contains(t, "test", o.stdout, "Billing API", "Active", "as "+testidp.AppUsername, "roles service")
	noSecret(t, o, secrets...)
	r := decode[resultJSON](t, c.must(0, "", "test", "Billing API", "--json").stdout)
	if !r.Active || r.Status != "Active" || r.Username != testidp.AppUsername || !slices.Contains(r.Roles, "service") ||
		r.Error != nil || r.ExitCode != 0 || time.Until(r.Expiry) < 50*time.Minute {
		t.Fatalf("test --json: %+v", r)
	}
	if n := tokenRequests(t, idp); n != 2 {
		t.Fatalf("two tests made %d token requests", n)
	}
	contains(t, "list after test", c.must(0, "", "list").stdout, "Active", "in 59m")

	// Token: the token the last test obtained is in the shared store, so no
	// call reaches the IdP.
	idp.Reset(t)
	tok1 := strings.TrimSpace(c.must(0, "", "token", "Billing API").stdout)
	if strings.Count(tok1, ".") != 2 {
		t.Fatalf("token is not a JWT: %q", tok1)
	}
	tok2 := strings.TrimSpace(c.must(0, "", "token", "Billing API").stdout)
	tj := decode[tokenJSON](t, c.must(0, "", "token", "Billing API", "--json").stdout)
	if n := tokenRequests(t, idp); n != 0 {
		t.Fatalf("three token calls reached the IdP %d times, want 0 (the tested token is shared)", n)
	}
	if tok2 != tok1 || tj.AccessToken != tok1 || !tj.Cached || tj.TokenType != "Bearer" || tj.ExpiresIn < 3000 {
		t.Fatalf("cached token differs or is not marked cached: %+v", tj)
	}
	fresh := decode[tokenJSON](t, c.must(0, "", "token", "Billing API", "--json", "--fresh").stdout)
	if fresh.Cached || fresh.AccessToken == tok1 || tokenRequests(t, idp) != 1 {
		t.Fatalf("--fresh did not fetch a new token: %+v", fresh)
	}

	// An edit makes the cached token stale (--no-test: an edit's own test
	// would store the new token).
	c.must(0, "", "edit", "Billing API", "--scope", "api:read", "--no-test")
	idp.Reset(t)
	tj = decode[tokenJSON](t, c.must(0, "", "token", "Billing API", "--json").stdout)
	if tj.Cached || tokenRequests(t, idp) != 1 {
		t.Fatalf("token after an edit came from the cache: %+v", tj)
	}
	if got := claims(t, tj.AccessToken)["scope"]; got != "api:read" {
		t.Fatalf("token after the edit has scope %v", got)
	}

	// Wrong secret: authentication failed at the IdP (5), with the advice.
	c.must(0, "wrong-secret-9a1\n", "edit", "Billing API", "--client-secret-stdin")
	o = c.must(exitAuth, "", "test", "Billing API")
	contains(t, "wrong secret", o.stdout, "Failed", "Credentials")
	contains(t, "wrong secret", o.stderr, "error (Credentials)", "Advice: Verify the client ID and client secret")
	noSecret(t, o, secrets...)
	o = c.must(exitAuth, "", "token", "Billing API")
	contains(t, "token with a wrong secret", o.stderr, "error (Credentials)", "Advice:")
	if o.stdout != "" {
		t.Fatalf("a failed token call printed %q", o.stdout)
	}
	p = decode[profileJSON](t, c.must(0, "", "show", "Billing API", "--json").stdout)
	if p.Status.State != "Failed" || p.Status.Category != "credentials" {
		t.Fatalf("status after failed test: %+v", p.Status)
	}

	// Rotation: a secret the IdP refuses is not stored (5); a good one is.
	o = c.must(exitAuth, "bogus-secret\n", "rotate-secret", "Billing API", "--new-secret-stdin")
	contains(t, "refused rotation", o.stderr, "old secret stays in use", "Advice:")
	noSecret(t, o, "bogus-secret")
	o = c.must(0, newSecret+"\n", "rotate-secret", "Billing API", "--new-secret-stdin")
	contains(t, "rotation", o.stdout, "Rotated the client secret", "accepted")
	noSecret(t, o, secrets...)
	contains(t, "show after rotation", c.must(0, "", "show", "Billing API").stdout, "rotated ")
	c.must(0, "", "test", "Billing API")
	// A rotation makes the cached token stale.
	c.must(0, "", "token", "Billing API")
	before := decode[tokenJSON](t, c.must(0, "", "token", "Billing API", "--json").stdout)
	if !before.Cached {
		t.Fatal("the token was not cached")
	}
	c.must(0, testidp.AppClientSecret+"\n", "rotate-secret", "Billing API", "--new-secret-stdin")
	if after := decode[tokenJSON](t, c.must(0, "", "token", "Billing API", "--json").stdout); after.AccessToken == before.AccessToken {
		t.Fatal("the token cached before the rotation was used after it")
	}

	// A scope the client may not have: 5, with the scope advice.
	c.must(0, "", "edit", "Billing API", "--scope", testidp.DisallowedScope)
	o = c.must(exitAuth, "", "test", "Billing API")
	contains(t, "bad scope", o.stderr, "error (Scope)", "Confirm the scope permissions")

	// Nothing listens at the token URL: 6.
	c.must(0, "", "edit", "Billing API", "--scope", testidp.AppScopes,
		"--token-url", "http://127.0.0.1:"+strconv.Itoa(closedPort(t))+"/token")
	o = c.must(exitNetwork, "", "test", "Billing API")
	contains(t, "closed port", o.stderr, "error (Network)", "refused the connection", "Advice: Validate network access")

	// Rename, then delete (scripts must say --yes).
	c.must(0, "", "edit", "Billing API", "--rename", "Billing v2")
	c.must(exitNotFound, "", "show", "Billing API")
	o = c.must(exitUsage, "", "delete", "Billing v2")
	contains(t, "delete without --yes", o.stderr, "--yes")
	c.must(0, "", "delete", "Billing v2", "--yes")
	c.must(exitNotFound, "", "show", "Billing v2")
	if o := c.must(0, "", "list", "--json"); strings.TrimSpace(o.stdout) != "[]" {
		t.Fatalf("list after delete: %s", o.stdout)
	}
}

func TestTestAll(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "a-good")
	addApp(t, c, idp, "b-unreachable", "--token-url", "http://127.0.0.1:"+strconv.Itoa(closedPort(t))+"/token")
	rs := decode[[]resultJSON](t, c.must(exitNetwork, "", "test", "--all", "--json").stdout)
	if len(rs) != 2 || !rs[0].Active || rs[1].Active || rs[1].Error == nil || rs[1].Error.Category != "network" || rs[1].ExitCode != exitNetwork {
		t.Fatalf("test --all --json: %+v", rs)
	}
	c.must(0, "", "delete", "b-unreachable", "--yes")
	o := c.must(0, "", "test", "--all")
	contains(t, "test --all", o.stdout, "a-good", "Active")
}

func TestKeyringUnavailable(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "api")

	// The same profiles with a D-Bus session that is gone.
	c.env = append(c.env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	o := c.must(exitKeyring, "another-secret\n", "add", "--name", "second", "--type", "application",
		"--token-url", idp.TokenURL, "--client-id", "x", "--client-secret-stdin")
	contains(t, "add without keyring", o.stderr, "error (Keyring)", "D-Bus", "Advice: Make the OS keyring available")
	noSecret(t, o, "another-secret")
	o = c.must(exitKeyring, "", "test", "api")
	contains(t, "test without keyring", o.stderr, "Keyring", "Advice:")
	c.must(exitKeyring, "", "token", "api")
	// Reading the profile file needs no keyring.
	contains(t, "list without keyring", c.must(0, "", "list").stdout, "api")
	if strings.Contains(c.must(0, "", "list").stdout, "second") {
		t.Fatal("a profile was saved although its secret could not be stored")
	}
}

func TestRequest(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "api", "--tenant", testidp.TenantID)

	type seen struct {
		method, auth, tenant, extra, body string
	}
	got := make(chan seen, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.Header.Get("Authorization"), r.Header.Get("X-TENANT-ID"), r.Header.Get("X-Extra"), string(body)}
		switch r.URL.Path {
		case "/unauthorized":
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token", error_description="the token has expired"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/broken":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "boom")
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()

	o := c.must(0, "", "request", "api", srv.URL+"/things")
	if o.stdout != `{"ok":true}` {
		t.Fatalf("request body: %s", o)
	}
	contains(t, "request stderr", o.stderr, "HTTP 200 OK")
	s := <-got
	bearer, ok := strings.CutPrefix(s.auth, "Bearer ")
	if !ok || s.method != http.MethodGet || s.tenant != testidp.TenantID {
		t.Fatalf("the API saw %+v", s)
	}
	if cl := claims(t, bearer); cl["client_id"] != testidp.AppClientID || !strings.Contains(cl["scope"].(string), "api:read") {
		t.Fatalf("the bearer token is not the IdP's token for the app: %v", cl)
	}

	bodyFile := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(bodyFile, []byte(`{"n":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	o = c.must(0, "", "request", "api", srv.URL+"/things", "--method", "PUT", "--header", "X-Extra: 1", "--data", "@"+bodyFile, "--include")
	contains(t, "request --include", o.stdout, "HTTP 200 OK\n", "Content-Type: application/json", `{"ok":true}`)
	if s := <-got; s.method != "PUT" || s.body != `{"n":1}` || s.extra != "1" || s.tenant != testidp.TenantID {
		t.Fatalf("the API saw %+v", s)
	}
	c.must(0, "from stdin", "request", "api", srv.URL+"/things", "--data", "@-")
	if s := <-got; s.method != "POST" || s.body != "from stdin" {
		t.Fatalf("the API saw %+v", s)
	}

	o = c.must(exitAuth, "", "request", "api", srv.URL+"/unauthorized")
	contains(t, "401", o.stderr, "HTTP 401", "invalid_token", "the token has expired")
	<-got
	o = c.must(exitFailure, "", "request", "api", srv.URL+"/broken")
	contains(t, "500", o.stdout, "boom")
	contains(t, "500", o.stderr, "HTTP 500")
	<-got
	c.must(exitUsage, "", "request", "api", srv.URL, "--data", "@"+filepath.Join(t.TempDir(), "missing"))

	// Five requests, two tokens: the first served the first four requests
	// (the shared store); the 401 evicted it, so the fifth fetched anew.
	if n := tokenRequests(t, idp); n != 2 {
		t.Errorf("%d token requests at the IdP for five API requests, want 2 (one reused, one after the 401)", n)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "api", "--tenant", testidp.TenantID, "--proxy", "system", "--refresh-interval", "2m")
	c.must(0, "", "add", "--name", "portal", "--type", "user", "--issuer", idp.Issuer,
		"--client-id", testidp.PublicClientID, "--scope", "openid profile offline_access", "--redirect-port", "8765")

	file := filepath.Join(t.TempDir(), "profiles.json")
	c.must(0, "", "export", file)
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("export file mode %v, want 0600", st.Mode().Perm())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), testidp.AppClientSecret) {
		t.Fatal("the export holds the client secret")
	}
	if o := c.must(0, "", "export"); o.stdout != string(data) {
		t.Fatalf("export to stdout differs from the file:\n%s\n%s", o.stdout, data)
	}

	c2 := newCLI(t)
	o := c2.must(0, "", "import", file)
	contains(t, "import", o.stdout, "2 to add, 0 invalid", "+ api", "+ portal", "Imported 2")
	if o := c2.must(0, "", "export"); o.stdout != string(data) {
		t.Fatalf("export after import differs:\n%s\nwant\n%s", o.stdout, data)
	}
	p := decode[profileJSON](t, c2.must(0, "", "show", "api", "--json").stdout)
	if p.ClientSecret.Set || p.Tenant != testidp.TenantID || p.Proxy.Mode != "system" || p.RefreshInterval != "2m0s" {
		t.Fatalf("imported profile: %+v", p)
	}
	// Without its secret the imported profile cannot get a token; with it, it can.
	c2.must(exitAuth, "", "test", "api")
	c2.must(0, testidp.AppClientSecret+"\n", "edit", "api", "--client-secret-stdin")
	c2.must(0, "", "test", "api")
}

// claims decodes a JWT's payload (no verification: the IdP issued it).
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// fakeBrowser puts an xdg-open on PATH that records the URL it is asked to
// open in a file, for the test to play the browser with.
func fakeBrowser(t *testing.T, c *cli) (urlFile string) {
	urlFile = filepath.Join(t.TempDir(), "opened-url")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" > \"$CREDCTL_TEST_URLFILE.tmp\" && mv \"$CREDCTL_TEST_URLFILE.tmp\" \"$CREDCTL_TEST_URLFILE\"\n"
	if err := os.WriteFile(filepath.Join(c.binDir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c.env = append(c.env, "CREDCTL_TEST_URLFILE="+urlFile, "DISPLAY=:99", "WAYLAND_DISPLAY=")
	return urlFile
}

func waitForFile(t *testing.T, path string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the browser was not opened within %s", d)
	return ""
}

func addUser(t *testing.T, c *cli, idp *testidp.IdP, name string) {
	t.Helper()
	c.must(0, "", "add", "--name", name, "--type", "user", "--issuer", idp.Issuer,
		"--client-id", testidp.PublicClientID, "--scope", "openid profile offline_access api:read",
		"--username-claim", "preferred_username", "--roles-claim", "roles")
}

func TestLoginTokenLogout(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	urlFile := fakeBrowser(t, c)
	addUser(t, c, idp, "portal")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd, stdout, stderr := c.command(ctx, "", "login", "portal", "--timeout", "60s")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	authURL := waitForFile(t, urlFile, 30*time.Second)
	if err := testidp.BrowserLogin(ctx, authURL, testidp.Username, testidp.Password); err != nil {
		t.Fatalf("browser login: %v\nstderr: %s", err, stderr)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if want := "Logged in as alice (roles: admin, viewer)\n"; stdout.String() != want {
		t.Fatalf("login printed %q, want %q (stderr %s)", stdout, want, stderr)
	}
	contains(t, "login stderr", stderr.String(), "browser")
	contains(t, "show after login", c.must(0, "", "show", "portal").stdout, "Logged in as:", "alice", "Active")

	// The login's token is cached: no token request for it.
	idp.Reset(t)
	tok := strings.TrimSpace(c.must(0, "", "token", "portal").stdout)
	if cl := claims(t, tok); cl["preferred_username"] != testidp.Username {
		t.Fatalf("token claims: %v", cl)
	}
	if n := tokenRequests(t, idp); n != 0 {
		t.Fatalf("token after login reached the IdP %d times", n)
	}
	// A fresh token comes through the refresh token.
	c.must(0, "", "token", "portal", "--fresh")
	if st := idp.Stats(t); st.Grants["refresh_token"] != 1 {
		t.Fatalf("--fresh: grants %v", st.Grants)
	}

	o := c.must(0, "", "logout", "portal")
	contains(t, "logout", o.stdout, `Logged out of "portal"`)
	if st := idp.Stats(t); st.Revocation != 1 {
		t.Fatalf("logout revoked %d tokens at the IdP, want 1", st.Revocation)
	}
	o = c.must(exitAuth, "", "token", "portal")
	contains(t, "token after logout", o.stderr, "not logged in", "Advice:")
	contains(t, "show after logout", c.must(0, "", "show", "portal").stdout, "Logged out")

	// Application profiles neither log in nor out: a configuration error (4).
	addApp(t, c, idp, "api")
	contains(t, "login of an Application profile", c.must(exitValidation, "", "login", "api").stderr, "only User profiles")
	c.must(exitValidation, "", "logout", "api")
}

func TestLoginCtrlC(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addUser(t, c, idp, "portal")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd, stdout, _ := c.command(ctx, "", "login", "portal", "--no-browser")
	cmd.Stderr = nil
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errText strings.Builder
	urls := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			line := sc.Text()
			errText.WriteString(line + "\n")
			// The printed URL is the one-time start address on the loopback
			// listener (issue #18), never the IdP's URL with state and PKCE.
			if u := strings.TrimSpace(line); strings.HasPrefix(u, "http://127.0.0.1:") && strings.Contains(u, "/start/") {
				urls <- u
			}
		}
	}()
	var authURL string
	select {
	case authURL = <-urls:
	case <-time.After(30 * time.Second):
		t.Fatal("login --no-browser printed no URL")
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	redirect := u // the listener serves the start address and the callback
	if conn, err := net.Dial("tcp", redirect.Host); err != nil {
		t.Fatalf("the loopback listener is not up: %v", err)
	} else {
		conn.Close()
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-done
	err = cmd.Wait()
	if time.Since(start) > 10*time.Second {
		t.Fatalf("Ctrl-C took %s", time.Since(start))
	}
	code := cmd.ProcessState.ExitCode()
	if code != exitFailure || stdout.Len() != 0 {
		t.Fatalf("after Ctrl-C: exit %d (%v), stdout %q, stderr:\n%s", code, err, stdout, errText.String())
	}
	contains(t, "stderr after Ctrl-C", errText.String(), "cancelled")
	if conn, err := net.Dial("tcp", redirect.Host); err == nil {
		conn.Close()
		t.Fatal("the loopback listener still accepts connections after Ctrl-C")
	}
}

func TestProxyPasswordFromStdin(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	proxy := testidp.StartProxy(t, testidp.WithProxyAuth("bob", "proxy-pass-77"))
	c := newCLI(t)
	// Both secrets from one pipe: the client secret, then the proxy password.
	o := c.must(0, testidp.AppClientSecret+"\nproxy-pass-77\n", "add", "--name", "proxied", "--type", "application",
		"--token-url", idp.TokenURL, "--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes,
		"--proxy", proxy.URL.String(), "--proxy-user", "bob", "--proxy-password-stdin")
	noSecret(t, o, testidp.AppClientSecret, "proxy-pass-77")
	o = c.must(0, "", "show", "proxied", "--json")
	noSecret(t, o, testidp.AppClientSecret, "proxy-pass-77")
	p := decode[profileJSON](t, o.stdout)
	if !p.ClientSecret.Set || !p.Proxy.PasswordSet || p.Proxy.Mode != "url" || p.Proxy.Username != "bob" {
		t.Fatalf("show --json: %+v", p)
	}
	before := proxy.Forwarded(t)
	c.must(0, "", "test", "proxied")
	if proxy.Forwarded(t) <= before {
		t.Fatal("the token request did not go through the proxy")
	}

	// A wrong proxy password: 6. (tinyproxy drops a plain-http forward
	// request with bad credentials, so this shows as a network failure.)
	c.must(0, "wrong-pass\n", "edit", "proxied", "--proxy-password-stdin")
	o = c.must(exitNetwork, "", "test", "proxied")
	contains(t, "wrong proxy password", o.stderr, "Advice: Validate")
	noSecret(t, o, "wrong-pass")

	// Only one secret line for two secrets: a clear error, nothing changed.
	o = c.must(exitValidation, "only-one\n", "edit", "proxied", "--client-secret-stdin", "--proxy-password-stdin")
	contains(t, "missing second line", o.stderr, "No proxy password (line 2 of standard input)")
	c.must(0, "", "edit", "proxied", "--clear-proxy-password")
	if p := decode[profileJSON](t, c.must(0, "", "show", "proxied", "--json").stdout); p.Proxy.PasswordSet {
		t.Fatal("--clear-proxy-password left the password")
	}
}

func TestTLSAndCAFile(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	c := newCLI(t)
	addApp(t, c, idp, "tls")
	o := c.must(exitNetwork, "", "test", "tls")
	contains(t, "unknown CA", o.stderr, "error (TLS)", "Advice: Check TLS")

	// A relative --ca-file is stored as an absolute path.
	rel, err := filepath.Rel(mustGetwd(t), idp.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	c.must(0, "", "edit", "tls", "--ca-file", rel)
	if p := decode[profileJSON](t, c.must(0, "", "show", "tls", "--json").stdout); p.TLS.CAFile != idp.CAFile {
		t.Fatalf("caFile %q, want %q", p.TLS.CAFile, idp.CAFile)
	}
	c.must(0, "", "test", "tls")

	// Skipping verification works, with a warning.
	c.must(0, "", "edit", "tls", "--ca-file", "")
	o = c.must(0, "", "edit", "tls", "--insecure-skip-verify")
	contains(t, "insecure edit", o.stderr, "Warning: TLS verification is off")
	o = c.must(0, "", "test", "tls")
	contains(t, "insecure test", o.stderr, "Warning: tls:")
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
