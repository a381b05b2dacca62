//go:build installtest

package installtest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

const (
	installDirWin = `C:\Program Files\Credential Workbench`
	oldSecret     = "app-secret-before-rotation-7f3a"
	newSecret     = "app-secret-after-rotation-91c2"
	keptSecret    = "kept-profile-secret-5d1e"
	envKey        = `HKLM\System\CurrentControlSet\Control\Session Manager\Environment`
	uninstallKey  = `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall`
)

// winePrefix is a fresh Wine prefix with the ProcessPrng shim in system32.
type winePrefix struct {
	dir string
	env []string
}

func newWinePrefix(t *testing.T) *winePrefix {
	t.Helper()
	tmp := t.TempDir()
	w := &winePrefix{dir: filepath.Join(tmp, "prefix")}
	// mscoree/mshtml off: no Mono/Gecko install prompts in the fresh prefix.
	w.env = []string{"WINEPREFIX=" + w.dir, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="}
	t.Cleanup(func() {
		// Ends every Wine process of this prefix, also one a failed step left.
		run(t, cmdSpec{env: w.env, timeout: time.Minute}, "wineserver", "-k")
	})
	mustRun(t, cmdSpec{env: w.env, timeout: 6 * time.Minute}, "wineboot", "-i")
	mustRun(t, cmdSpec{env: w.env, timeout: 2 * time.Minute}, "wineserver", "-w")

	// Go >= 1.24 programs need ProcessPrng from bcryptprimitives.dll, which
	// Wine 8 lacks; the runtime loads it only from system32.
	src := filepath.Join(repoRoot(t), "packaging", "windows", "wine")
	dll := filepath.Join(w.dir, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	mustRun(t, cmdSpec{}, "x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll,
		filepath.Join(src, "processprng.c"), filepath.Join(src, "processprng.def"), "-ladvapi32")
	return w
}

func (w *winePrefix) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return run(t, cmdSpec{env: w.env, stdin: stdin, timeout: 3 * time.Minute}, "wine", args...)
}

// unix turns C:\... into the file in the prefix.
func (w *winePrefix) unix(winPath string) string {
	p := strings.TrimPrefix(winPath, `C:\`)
	return filepath.Join(w.dir, "drive_c", filepath.FromSlash(strings.ReplaceAll(p, `\`, "/")))
}

// regQuery is `reg query KEY /v NAME`'s value, "" when absent.
func (w *winePrefix) regQuery(t *testing.T, key, name string) string {
	t.Helper()
	r := w.run(t, "", "reg", "query", key, "/v", name)
	if r.code != 0 {
		return ""
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && strings.EqualFold(f[0], name) {
			return strings.TrimSpace(line[strings.Index(line, f[1])+len(f[1]):])
		}
	}
	return ""
}

// installedVersions lists the DisplayVersion of every "Credential Workbench"
// entry in Installed apps (the Uninstall key).
func (w *winePrefix) installedVersions(t *testing.T) []string {
	t.Helper()
	var versions []string
	ours := false
	for _, line := range strings.Split(w.run(t, "", "reg", "query", uninstallKey, "/s").stdout, "\n") {
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "HKEY_"):
			ours = false
		case len(f) >= 3 && f[0] == "DisplayName":
			ours = strings.Join(f[2:], " ") == "Credential Workbench"
		case len(f) >= 3 && f[0] == "DisplayVersion" && ours:
			versions = append(versions, f[2])
		}
	}
	return versions
}

const olderVersion = "0.0.1.1"

// olderMSI is a copy of msi that claims to be an older release: another
// ProductCode and package code, version olderVersion, the same UpgradeCode.
func olderMSI(t *testing.T, msi string) string {
	t.Helper()
	requireTools(t, "msibuild")
	older := filepath.Join(t.TempDir(), "older.msi")
	b, err := os.ReadFile(msi) // #nosec G304 -- the package under test
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(older, b, 0o600); err != nil {
		t.Fatal(err)
	}
	set := func(prop, value string) {
		mustRun(t, cmdSpec{}, "msibuild", older, "-q",
			"UPDATE `Property` SET `Value` = '"+value+"' WHERE `Property` = '"+prop+"'")
	}
	set("ProductCode", "{0E1D2C3B-4A59-4687-9A8B-7C6D5E4F3A21}")
	set("ProductVersion", olderVersion)
	// Its upgrade rows speak of its own version, as an older build's would.
	code := "{51CDCF57-0957-47E2-873D-AB2C6487DFD2}"
	mustRun(t, cmdSpec{}, "msibuild", older, "-q", "DELETE FROM `Upgrade`")
	mustRun(t, cmdSpec{}, "msibuild", older, "-q", "INSERT INTO `Upgrade` (`UpgradeCode`, `VersionMax`, `Attributes`, `ActionProperty`) "+
		"VALUES ('"+code+"', '"+olderVersion+"', 513, 'WIX_UPGRADE_DETECTED')")
	mustRun(t, cmdSpec{}, "msibuild", older, "-q", "INSERT INTO `Upgrade` (`UpgradeCode`, `VersionMin`, `Attributes`, `ActionProperty`) "+
		"VALUES ('"+code+"', '"+olderVersion+"', 2, 'WIX_DOWNGRADE_DETECTED')")
	// A new package code (summary information revision number) as well.
	mustRun(t, cmdSpec{}, "msibuild", older, "-s", "Installation Database", "Credential Workbench contributors",
		"x64;1033", "{5A6B7C8D-9E0F-4A1B-8C2D-3E4F5A6B7C8D}")
	return older
}

// credentialEntries lists the Credential Manager targets Wine keeps in the
// registry (one key per entry under Software\Wine\Credential Manager).
func (w *winePrefix) credentialEntries(t *testing.T) string {
	t.Helper()
	return w.run(t, "", "reg", "query", `HKCU\Software\Wine\Credential Manager`).stdout
}

// TestWindowsMSIUnderWine installs the MSI silently into a fresh Wine prefix
// and uses the installed programs as a Windows user would, then uninstalls.
func TestWindowsMSIUnderWine(t *testing.T) {
	requireTools(t, "wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc", "xdotool", "import", "tesseract")
	msi := distFile(t, "credworkbench-VERSION-windows-amd64.msi")
	w := newWinePrefix(t)

	// --- an older release first, then this MSI over it: the upgrade replaces it
	older := olderMSI(t, msi)
	mustRun(t, cmdSpec{env: w.env, timeout: 5 * time.Minute}, "wine", "msiexec", "/i", older, "/qn")
	if v := w.installedVersions(t); len(v) != 1 || v[0] != olderVersion {
		t.Fatalf("after installing the older MSI, want version %s in Installed apps, got %v", olderVersion, v)
	}
	mustRun(t, cmdSpec{env: w.env, timeout: 5 * time.Minute}, "wine", "msiexec", "/i", msi, "/qn")
	if v := w.installedVersions(t); len(v) != 1 || v[0] == olderVersion {
		t.Fatalf("the MSI did not upgrade the older install: Installed apps lists versions %v", v)
	}
	// And the older one refuses to go over the newer one.
	if r := run(t, cmdSpec{env: w.env, timeout: 5 * time.Minute}, "wine", "msiexec", "/i", older, "/qn"); r.code == 0 {
		t.Fatal("the older MSI installed over the newer one (downgrade not refused)")
	}
	installDir := w.unix(installDirWin)
	for _, f := range []string{"Credential Workbench.exe", "credctl.exe", "README.txt"} {
		if !exists(filepath.Join(installDir, f)) {
			t.Fatalf("after the install %s is missing from %s", f, installDirWin)
		}
	}
	// Windows puts a per-machine shortcut under ProgramData, Wine 8 under the
	// user's Start menu: either is the Start menu.
	shortcut := findShortcut(t, w)
	if shortcut == "" {
		t.Fatal("no Start-menu shortcut \"Credential Workbench.lnk\" after the install")
	}
	if p := w.regQuery(t, envKey, "PATH"); !strings.Contains(p, installDirWin) {
		t.Fatalf("the system PATH lacks %s after the install: %q", installDirWin, p)
	}

	// --- credctl.exe from the install dir, through the client-credentials path
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, oldSecret, newSecret, keptSecret))
	api, bearer := apiServer(t)
	credctl := installDirWin + `\credctl.exe`
	cc := func(stdin string, args ...string) result {
		return w.run(t, stdin, append([]string{credctl}, args...)...)
	}
	want := func(code int, r result, what string) {
		t.Helper()
		if r.code != code {
			t.Fatalf("credctl %s: want exit %d, got %s", what, code, r)
		}
	}
	want(0, cc(oldSecret+"\n", "add", "--name", "api", "--type", "application", "--issuer", idp.Issuer,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", "api:read"), "add api")
	want(0, cc(keptSecret+"\n", "add", "--name", "Billing API", "--type", "application", "--issuer", idp.Issuer,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", "api:read"), "add Billing API")

	r := cc("", "test", "api", "--json")
	want(0, r, "test api")
	var tested struct {
		Status string `json:"status"`
		Active bool   `json:"active"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tested); err != nil || !tested.Active {
		t.Fatalf("credctl test api --json: want an Active result, got %v: %s", err, r.stdout)
	}
	want(0, cc("", "test", "Billing API"), "test Billing API")

	first := tokenJSON(t, cc("", "token", "api", "--json"))
	before := idp.Stats(t).Token
	second := tokenJSON(t, cc("", "token", "api", "--json"))
	if !second.Cached || second.AccessToken != first.AccessToken {
		t.Fatalf("second credctl token: want the cached token again, got cached=%v same=%v", second.Cached, second.AccessToken == first.AccessToken)
	}
	if after := idp.Stats(t).Token; after != before {
		t.Fatalf("second credctl token called the IdP's token endpoint (%d -> %d requests)", before, after)
	}

	r = cc("", "request", "api", api.URL+"/v1/things")
	want(0, r, "request api")
	if !strings.Contains(r.stdout, "things: ok") || bearer.Load() == nil || *bearer.Load() != first.AccessToken {
		t.Fatalf("credctl request: the API did not get the cached token as Bearer (answer %q)", r.stdout)
	}

	want(0, cc(newSecret+"\n", "rotate-secret", "api", "--new-secret-stdin"), "rotate-secret api")
	r = cc("", "show", "api", "--json")
	want(0, r, "show api")
	var shown struct {
		ClientSecret struct {
			Set       bool   `json:"set"`
			RotatedAt string `json:"rotatedAt"`
		} `json:"clientSecret"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || !shown.ClientSecret.Set || shown.ClientSecret.RotatedAt == "" {
		t.Fatalf("after rotate-secret, show --json should say the secret is set and rotated: %v %s", err, r.stdout)
	}
	want(0, cc("", "test", "api"), "test api after the rotation")
	third := tokenJSON(t, cc("", "token", "api", "--json"))

	// Secrets in Wine's Credential Manager, none in the profile file or
	// anywhere else in the user's files.
	profiles := profileFile(t, w)
	data, err := os.ReadFile(profiles)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Billing API") {
		t.Fatalf("%s does not hold the profiles:\n%s", profiles, data)
	}
	secrets := []string{oldSecret, newSecret, keptSecret, first.AccessToken, third.AccessToken}
	noSecretsUnder(t, filepath.Join(w.dir, "drive_c", "users"), secrets)
	noSecretsUnder(t, w.dir, secrets[:3]) // also not in the registry files in clear text
	creds := w.credentialEntries(t)
	if strings.Count(creds, "credworkbench") < 2 {
		t.Fatalf("Wine's Credential Manager holds no credworkbench entries for the two profiles:\n%s", creds)
	}

	// --- the installed workbench shows the profiles
	stop := startGUI(t, w.env, "wine", installDirWin+`\Credential Workbench.exe`)
	checkWindow(t, 3*time.Minute, filepath.Join(artifactDir(t), "wine-workbench.png"), "Billing API")
	stop()
	mustRun(t, cmdSpec{env: w.env, timeout: time.Minute}, "wineserver", "-k")

	// --- delete removes the profile and its Credential Manager entries
	before = strings.Count(w.credentialEntries(t), "credworkbench")
	want(0, cc("", "delete", "api", "--yes"), "delete api")
	want(3, cc("", "show", "api"), "show api after delete")
	if after := strings.Count(w.credentialEntries(t), "credworkbench"); after >= before {
		t.Fatalf("delete api left its Credential Manager entries (%d before, %d after)", before, after)
	}

	// --- uninstall: the program is gone, the user's data stays
	credsBefore := w.credentialEntries(t)
	mustRun(t, cmdSpec{env: w.env, timeout: 5 * time.Minute}, "wine", "msiexec", "/x", msi, "/qn")
	if exists(installDir) {
		left, _ := os.ReadDir(installDir)
		t.Fatalf("the uninstall left %s (%d entries)", installDirWin, len(left))
	}
	if exists(shortcut) {
		t.Fatalf("the uninstall left the shortcut %s", shortcut)
	}
	if p := w.regQuery(t, envKey, "PATH"); strings.Contains(p, installDirWin) {
		t.Fatalf("the uninstall left %s on the system PATH: %q", installDirWin, p)
	}
	if v := w.installedVersions(t); len(v) != 0 {
		t.Fatalf("the uninstall left \"Credential Workbench\" %v in Installed apps", v)
	}
	if b, err := os.ReadFile(profiles); err != nil || !strings.Contains(string(b), "Billing API") {
		t.Fatalf("the uninstall removed the user's profiles (%s): %v", profiles, err)
	}
	if after := w.credentialEntries(t); after != credsBefore {
		t.Fatalf("the uninstall changed the user's Credential Manager entries:\nbefore:\n%s\nafter:\n%s", credsBefore, after)
	}
}

func findShortcut(t *testing.T, w *winePrefix) string {
	t.Helper()
	var found string
	_ = filepath.WalkDir(filepath.Join(w.dir, "drive_c"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "Credential Workbench.lnk" && strings.Contains(p, "Start Menu") {
			found = p
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// profileFile is %APPDATA%\credworkbench\profiles.json of the prefix's user.
func profileFile(t *testing.T, w *winePrefix) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(w.dir, "drive_c", "users", "*", "AppData", "Roaming", "credworkbench", "profiles.json"))
	if len(m) != 1 {
		t.Fatalf("want one %%APPDATA%%\\credworkbench\\profiles.json in the prefix, found %v", m)
	}
	return m[0]
}

// noSecretsUnder fails when any file below root holds one of secrets.
func noSecretsUnder(t *testing.T, root string, secrets []string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > 32<<20 {
			return nil
		}
		b, err := os.ReadFile(p) // #nosec G304 -- test walking its own temporary Wine prefix
		if err != nil {
			return nil
		}
		for i, s := range secrets {
			if s != "" && strings.Contains(string(b), s) {
				return fmt.Errorf("%s holds secret #%d in clear text", p, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type tokenOut struct {
	AccessToken string `json:"accessToken"`
	Cached      bool   `json:"cached"`
}

func tokenJSON(t *testing.T, r result) tokenOut {
	t.Helper()
	var tok tokenOut
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("credctl token --json: want a token, got %s", r)
	}
	return tok
}

// apiServer is the API credctl request calls; it records the bearer token.
func apiServer(t *testing.T) (*httptest.Server, *atomic.Pointer[string]) {
	t.Helper()
	var bearer atomic.Pointer[string]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || r.URL.Path != "/v1/things" {
			http.Error(w, "no bearer token", http.StatusUnauthorized)
			return
		}
		bearer.Store(&tok)
		_, _ = fmt.Fprintln(w, "things: ok")
	}))
	t.Cleanup(srv.Close)
	return srv, &bearer
}
