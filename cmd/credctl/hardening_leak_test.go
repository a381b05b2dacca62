package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// canary is a recognisable secret value.
func canary(kind string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "LEAKCANARY-" + kind + "-" + hex.EncodeToString(b)
}

// leakRun is one credctl run of the leak test: what it printed and what its
// /proc entries showed while it ran.
type leakRun struct {
	args           []string
	stdout, stderr string
	code           int
	proc           []string // samples of /proc/PID/cmdline and /proc/PID/environ
}

// leakWatch runs every credctl command of the leak test and keeps all it saw.
type leakWatch struct {
	t    *testing.T
	c    *cli
	mu   sync.Mutex
	runs []*leakRun
}

// start runs credctl and samples its command line and environment every
// 10 ms until it exits; wait returns the finished run.
func (w *leakWatch) start(ctx context.Context, stdin string, args ...string) (wait func() *leakRun) {
	w.t.Helper()
	cmd, stdout, stderr := w.c.command(ctx, stdin, args...)
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	r := &leakRun{args: args}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	pid := strconv.Itoa(cmd.Process.Pid)
	go func() {
		defer close(sampled)
		for {
			for _, f := range []string{"cmdline", "environ"} {
				if b, err := os.ReadFile(filepath.Join("/proc", pid, f)); err == nil && len(b) > 0 {
					r.proc = append(r.proc, f+": "+strings.ReplaceAll(string(b), "\x00", " "))
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() *leakRun {
		err := cmd.Wait()
		close(stop)
		<-sampled
		r.stdout, r.stderr = stdout.String(), stderr.String()
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			w.t.Fatalf("credctl %s: %v", strings.Join(args, " "), err)
		}
		w.mu.Lock()
		w.runs = append(w.runs, r)
		w.mu.Unlock()
		return r
	}
}

// must runs credctl to the end and checks its exit code.
func (w *leakWatch) must(want int, stdin string, args ...string) *leakRun {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	r := w.start(ctx, stdin, args...)()
	if r.code != want {
		w.t.Fatalf("credctl %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// keyringValue reads an entry of the real keyring, as the test knows where
// credctl keeps what.
func keyringValue(t *testing.T, id string, kind credentials.SecretKind) string {
	t.Helper()
	v, err := credentials.NewSecrets(nil).Get(id, kind)
	if err != nil {
		t.Fatalf("keyring %s/%s: %v", id, kind, err)
	}
	return v
}

// TestHardeningNoSecretLeaks runs every flow of credctl (add, test, token,
// request, rotate, login, device login, refresh, logout, export, import and
// error paths)
// with recognisable secrets, then searches every file under the
// installation's HOME, config, cache and data directories, the export, every
// stdout and stderr, and the command lines and environments of the credctl
// processes (sampled while they ran, a login included): a secret anywhere
// fails. Access tokens may appear only on the standard output of `token`.
func TestHardeningNoSecretLeaks(t *testing.T) {
	requireKeyring(t)
	clientSecret, rotated, wrong := canary("client"), canary("rotated"), canary("wrong")
	proxyPass, echoed := canary("proxy"), canary("echoed")
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, clientSecret, rotated))
	proxy := testidp.StartProxy(t, testidp.WithProxyAuth("leakuser", proxyPass))
	c := newCLI(t)
	c.timeout = 90 * time.Second
	c.env = append(c.env, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"), "XDG_DATA_HOME="+filepath.Join(c.home, ".local", "share"))
	urlFile := fakeBrowser(t, c)
	w := &leakWatch{t: t, c: c}

	api := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(rw, `{"ok":true}`)
	}))
	defer api.Close()
	// A "token endpoint" that echoes what it was sent, secret included.
	echo := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(rw, `{"error":"invalid_client","error_description":"you sent `+r.PostForm.Get("client_secret")+` and `+r.Header.Get("Authorization")+`"}`)
	}))
	defer echo.Close()

	// Application profile through an authenticating proxy.
	w.must(0, clientSecret+"\n"+proxyPass+"\n", "add", "--name", "api", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes,
		"--proxy", proxy.URL.String(), "--proxy-user", "leakuser", "--proxy-password-stdin", "--tenant", testidp.TenantID)
	w.must(0, "", "show", "api")
	w.must(0, "", "show", "api", "--json")
	w.must(0, "", "list", "--json")
	w.must(0, "", "test", "api")
	w.must(0, "", "test", "api", "--json")
	appTokens := []string{strings.TrimSpace(w.must(0, "", "token", "api").stdout)}
	appTokens = append(appTokens, strings.TrimSpace(w.must(0, "", "token", "api", "--fresh").stdout))
	w.must(0, "", "request", "api", api.URL+"/things", "--include")
	w.must(0, "payload", "request", "api", api.URL+"/things", "--data", "@-")
	w.must(0, rotated+"\n", "rotate-secret", "api", "--new-secret-stdin")
	appTokens = append(appTokens, strings.TrimSpace(w.must(0, "", "token", "api", "--fresh").stdout))
	w.must(0, "", "test", "--all")

	// Error paths: a wrong secret, an echoing endpoint, a failing rotation.
	w.must(0, wrong+"\n", "add", "--name", "wrong", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes)
	w.must(exitAuth, "", "test", "wrong")
	w.must(exitAuth, "", "token", "wrong")
	w.must(exitAuth, echoed+"\n", "rotate-secret", "wrong", "--new-secret-stdin")
	w.must(0, echoed+"\n", "add", "--name", "echo", "--type", "application", "--token-url", echo.URL+"/token",
		"--client-id", "echo-client", "--client-secret-stdin", "--auth-method", "client_secret_post")
	w.start(context.Background(), "", "test", "echo")()
	w.start(context.Background(), "", "test", "--all", "--json")()
	w.must(0, "", "delete", "echo", "--yes")
	w.must(0, "", "delete", "wrong", "--yes")

	// User login: the browser is played by testidp while credctl waits.
	w.must(0, "", "add", "--name", "portal", "--type", "user", "--issuer", idp.Issuer,
		"--client-id", testidp.PublicClientID, "--scope", "openid profile offline_access api:read")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	wait := w.start(ctx, "", "login", "portal", "--timeout", "60s")
	authURL := waitForFile(t, urlFile, 30*time.Second)
	if err := testidp.BrowserLogin(ctx, authURL, testidp.Username, testidp.Password); err != nil {
		t.Fatalf("browser login: %v", err)
	}
	if r := wait(); r.code != 0 {
		t.Fatalf("login: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	portal := decode[profileJSON](t, w.must(0, "", "show", "portal", "--json").stdout)
	refreshTokens := []string{keyringValue(t, portal.ID, credentials.RefreshToken)}
	userTokens := []string{strings.TrimSpace(w.must(0, "", "token", "portal").stdout)}
	userTokens = append(userTokens, strings.TrimSpace(w.must(0, "", "token", "portal", "--fresh").stdout))
	refreshTokens = append(refreshTokens, keyringValue(t, portal.ID, credentials.RefreshToken))
	w.must(0, "", "test", "portal")
	w.must(0, "", "show", "portal")
	idTokens := []string{keyringValue(t, portal.ID, credentials.IDToken)} // kept for RP-initiated logout
	w.must(0, "", "logout", "portal")
	w.must(exitAuth, "", "token", "portal")

	// A device login (RFC 8628): its tokens stay in the keyring as well.
	devOut, devErr, err := runDeviceLogin(t, c, "portal", func(ctx context.Context, uri, code string) error {
		return testidp.DeviceApprove(ctx, uri, code, testidp.Username, testidp.Password)
	})
	if err != nil {
		t.Fatalf("login --device: %v\n%s\n%s", err, devOut, devErr)
	}
	refreshTokens = append(refreshTokens, keyringValue(t, portal.ID, credentials.RefreshToken))
	idTokens = append(idTokens, keyringValue(t, portal.ID, credentials.IDToken))
	userTokens = append(userTokens, strings.TrimSpace(w.must(0, "", "token", "portal").stdout))
	w.must(0, "", "show", "portal", "--json")
	w.must(0, "", "logout", "portal")

	// Export and import.
	exportDir := t.TempDir()
	exportFile := filepath.Join(exportDir, "export.json")
	w.must(0, "", "export", exportFile)
	w.must(0, "", "export")
	w.must(exitValidation, "", "import", exportFile, "--dry-run") // the names exist: an error path too

	// The log file (shared with the workbench) holds the events of all this,
	// and `credctl logs` prints them: both are searched below with the rest.
	logText, err := os.ReadFile(filepath.Join(c.home, ".local", "state", "credworkbench", logfile.FileName))
	if err != nil {
		t.Fatalf("credctl wrote no log: %v", err)
	}
	for _, want := range []string{"profile=api event=tested", "profile=wrong event=failed", "profile=echo event=failed",
		`profile=api event="secret rotated"`, `profile=portal event="logged in"`, `profile=portal event="logged out"`} {
		if !strings.Contains(string(logText), want) {
			t.Errorf("the log lacks %q:\n%s", want, logText)
		}
	}
	w.must(0, "", "logs")
	w.must(0, "", "logs", "--json")

	// The search.
	type secret struct{ what, value string }
	secrets := []secret{{"client secret", clientSecret}, {"rotated client secret", rotated},
		{"wrong client secret", wrong}, {"proxy password", proxyPass}, {"echoed client secret", echoed}}
	tokens := map[string]bool{}
	for i, v := range append(append([]string{}, appTokens...), userTokens...) {
		if strings.Count(v, ".") != 2 {
			t.Fatalf("token %d is not a JWT: %q", i, v)
		}
		tokens[v] = true
		secrets = append(secrets, secret{"access token " + strconv.Itoa(i), v})
	}
	for i, v := range refreshTokens {
		if len(v) < 16 {
			t.Fatalf("refresh token %d looks wrong: %q", i, v)
		}
		secrets = append(secrets, secret{"refresh token " + strconv.Itoa(i), v})
	}
	for i, v := range idTokens {
		if strings.Count(v, ".") != 2 {
			t.Fatalf("ID token %d is not a JWT: %q", i, v)
		}
		secrets = append(secrets, secret{"ID token " + strconv.Itoa(i), v})
	}
	found := func(text string) []string {
		var out []string
		for _, s := range secrets {
			if strings.Contains(text, s.value) {
				out = append(out, s.what)
			}
		}
		if strings.Contains(text, "LEAKCANARY-") {
			out = append(out, "a LEAKCANARY value")
		}
		return out
	}
	// The search itself must find what it looks for.
	if got := found("x" + refreshTokens[0] + "y"); len(got) != 1 {
		t.Fatalf("the search does not find a planted refresh token: %v", got)
	}
	hits := 0
	report := func(where string, text string) {
		for _, what := range found(text) {
			hits++
			t.Errorf("the %s appears in %s", what, where)
		}
	}
	files := 0
	for _, dir := range []string{c.home, exportDir} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
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
	}
	report("the standard output of credctl login --device", devOut)
	report("the standard error of credctl login --device", devErr)
	samples := 0
	for _, r := range w.runs {
		name := "credctl " + strings.Join(r.args, " ")
		out := r.stdout
		if r.args[0] == "token" && r.code == 0 && tokens[strings.TrimSpace(out)] {
			out = "" // printing the access token is what `token` is for
		}
		report("the standard output of "+name, out)
		report("the standard error of "+name, r.stderr)
		for _, p := range r.proc {
			samples++
			report("/proc of "+name, p)
		}
	}
	if files < 1 || samples < len(w.runs) {
		t.Fatalf("searched %d files and %d /proc samples of %d runs: the search saw too little", files, samples, len(w.runs))
	}
	t.Logf("%d secrets (%d client secrets/passwords, %d access, %d refresh and %d ID tokens) searched in %d files, %d runs' stdout/stderr and %d /proc samples: %d hits",
		len(secrets), 5, len(appTokens)+len(userTokens), len(refreshTokens), len(idTokens), files, len(w.runs)+1, samples, hits)
}
