package e2e

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// updateScreenshots regenerates the README's docs/screenshot-*.png from the
// real window (off by default: the images are committed).
var updateScreenshots = flag.Bool("update-screenshots", false, "write docs/screenshot-*.png from the real window")

// The package's shared parts, set up once by TestMain.
var (
	// workbenchBin and credctlBin are the shipped binaries (../bin).
	workbenchBin, credctlBin string
	// sharedIdP is the test IdP every scenario may use (plain http, default
	// clients and users); nil when it could not start (setupProblems says why).
	sharedIdP *testidp.IdP
	// setupProblems are what is missing; each test reports them through
	// testenv (skip, or fail under CI=true).
	setupProblems []string
	repoRoot      string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code, cleanup := setup()
	if code == 0 {
		code = m.Run()
	}
	cleanup()
	os.Exit(code)
}

// setup finds or builds the binaries and starts the shared IdP. A missing
// prerequisite is not fatal here: the tests report it through testenv.
func setup() (code int, cleanup func()) {
	cleanup = func() {}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, cleanup
	}
	repoRoot = filepath.Dir(wd)
	workbenchBin = filepath.Join(repoRoot, "bin", "credworkbench")
	credctlBin = filepath.Join(repoRoot, "bin", "credctl")
	if err := ensureBinaries(); err != nil {
		// A broken build is a failure everywhere, not a missing tool.
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1, cleanup
	}
	for _, tool := range []string{"xdotool", "import", "convert", "tesseract"} {
		if _, err := exec.LookPath(tool); err != nil {
			setupProblems = append(setupProblems, tool+" is missing (scripts/deps.sh test installs xdotool, imagemagick, tesseract-ocr)")
		}
	}
	if !testenv.RealKeyring() {
		setupProblems = append(setupProblems, "needs the real Secret Service: run via scripts/test.sh (sets CREDWB_KEYRING=real)")
	}
	if os.Getenv("DISPLAY") == "" {
		setupProblems = append(setupProblems, "DISPLAY is not set: run under Xvfb (scripts/test.sh does)")
	}
	dir, err := os.MkdirTemp("", "e2e-idp-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, cleanup
	}
	idp, stop, err := testidp.Launch(dir)
	if err != nil {
		setupProblems = append(setupProblems, "the test IdP did not start: "+err.Error())
		return 0, func() { _ = os.RemoveAll(dir) }
	}
	sharedIdP = idp
	return 0, func() {
		if log := stop(); os.Getenv("E2E_IDP_LOG") != "" {
			fmt.Fprintln(os.Stderr, log)
		}
		_ = os.RemoveAll(dir)
	}
}

// ensureBinaries runs `make build credctl` (the real targets) when a binary
// is missing or older than any Go source of the module.
func ensureBinaries() error {
	newest, err := newestSource(repoRoot)
	if err != nil {
		return err
	}
	stale := false
	for _, b := range []string{workbenchBin, credctlBin} {
		fi, err := os.Stat(b)
		if err != nil || fi.ModTime().Before(newest) {
			stale = true
		}
	}
	if !stale {
		return nil
	}
	fmt.Fprintln(os.Stderr, "e2e: bin/ is missing or older than the sources: make build credctl")
	cmd := exec.Command("make", "build", "credctl")
	cmd.Dir = repoRoot
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("make build credctl: %w", err)
	}
	return nil
}

// newestSource is the latest modification time of the module's .go files
// (and go.mod/go.sum) outside e2e/, bin/ and dist/.
func newestSource(root string) (time.Time, error) {
	var newest time.Time
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "e2e", "bin", "dist", "node_modules", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		n := d.Name()
		if (strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go")) || n == "go.mod" || n == "go.sum" || n == "Makefile" {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if fi.ModTime().After(newest) {
				newest = fi.ModTime()
			}
		}
		return nil
	})
	return newest, err
}

// H is one scenario's world: a fresh HOME and runtime directory (so its
// workbench is the only one its credctl and second start see), the shared
// keyring session, the shared IdP.
type H struct {
	t       *testing.T
	Home    string
	Runtime string // XDG_RUNTIME_DIR (instance socket)
	// IdP is the shared test IdP; use StartIdP for one with options.
	IdP *testidp.IdP
	// Env are extra variables for every process this H starts (last wins),
	// e.g. from LoginBrowser.
	Env []string
}

// New prepares a scenario. It skips (fails under CI=true) when a
// prerequisite is missing.
func New(t *testing.T) *H {
	t.Helper()
	if len(setupProblems) > 0 {
		testenv.Unavailable(t, strings.Join(setupProblems, "; "))
	}
	dir := t.TempDir()
	h := &H{t: t, Home: filepath.Join(dir, "home"), Runtime: filepath.Join(dir, "run"), IdP: sharedIdP}
	for _, d := range []string{h.Home, h.Runtime, filepath.Join(h.Home, ".config"), filepath.Join(h.Home, ".cache")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// The keyring is shared by every scenario of the session: remove this
	// one's profiles (and with them their secrets) at the end.
	t.Cleanup(h.deleteAllProfiles)
	return h
}

// ConfigDir is where both binaries keep profiles.json and the token store.
func (h *H) ConfigDir() string { return filepath.Join(h.Home, ".config", "credworkbench") }

// Environ is the environment of the binaries: the caller's (DISPLAY, the
// D-Bus session with the keyring), with HOME and the XDG folders replaced
// and no proxy or BROWSER of the developer's.
func (h *H) Environ() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "BROWSER",
			"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+h.Home,
		"XDG_CONFIG_HOME="+filepath.Join(h.Home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(h.Home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(h.Home, ".local", "share"),
		"XDG_RUNTIME_DIR="+h.Runtime,
		"LANG=en_US.UTF-8",
		"BROWSER=", // no real browser: LoginBrowser sets one
	)
	return append(env, h.Env...)
}

// StartIdP runs an IdP of this test's own (e.g. short token lifetimes).
func (h *H) StartIdP(opts ...testidp.Option) *testidp.IdP {
	h.t.Helper()
	return testidp.Start(h.t, opts...)
}

// API starts a JSON resource server that accepts tokens of idp (nil: the
// shared one) with scope (may be "").
func (h *H) API(idp *testidp.IdP, scope string) *testapi.Server {
	h.t.Helper()
	if idp == nil {
		idp = h.IdP
	}
	return testapi.StartJSON(h.t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL,
		Audience: testidp.Resource, Scope: scope, Client: idp.HTTPClient()})
}

// AddApp adds an Application profile for the IdP's client_credentials
// client through `credctl add` (secret on stdin, not tested at once).
func (h *H) AddApp(idp *testidp.IdP, name string, extra ...string) {
	h.t.Helper()
	if idp == nil {
		idp = h.IdP
	}
	args := append([]string{"add", "--name", name, "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes,
		"--username-claim", "preferred_username", "--roles-claim", "roles", "--no-test"}, extra...)
	if idp.CAFile != "" {
		args = append(args, "--ca-file", idp.CAFile)
	}
	h.MustCredctlIn(testidp.AppClientSecret+"\n", args...)
}

// AddUser adds a User profile for the IdP's public client (PKCE).
func (h *H) AddUser(idp *testidp.IdP, name string, extra ...string) {
	h.t.Helper()
	if idp == nil {
		idp = h.IdP
	}
	args := append([]string{"add", "--name", name, "--type", "user", "--issuer", idp.Issuer,
		"--client-id", testidp.PublicClientID, "--scope", "openid profile offline_access api:read",
		"--username-claim", "preferred_username", "--roles-claim", "roles"}, extra...)
	if idp.CAFile != "" {
		args = append(args, "--ca-file", idp.CAFile)
	}
	h.MustCredctl(args...)
}

// deleteAllProfiles removes what the scenario left in the shared keyring.
func (h *H) deleteAllProfiles() {
	if _, err := os.Stat(filepath.Join(h.ConfigDir(), "profiles.json")); errors.Is(err, os.ErrNotExist) {
		return
	}
	var ps []struct {
		Name string `json:"name"`
	}
	r := h.Credctl("list", "--json")
	if r.Code != 0 || r.JSON(&ps) != nil {
		return
	}
	for _, p := range ps {
		_ = h.Credctl("delete", "--yes", p.Name)
	}
}
