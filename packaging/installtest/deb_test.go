//go:build installtest

package installtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	appID    = "io.github.credworkbench"
	debName  = "credworkbench"
	desktopF = "/usr/share/applications/" + appID + ".desktop"
	metainfo = "/usr/share/metainfo/" + appID + ".metainfo.xml"
)

var aptEnv = []string{"DEBIAN_FRONTEND=noninteractive"}

// TestDebInstall installs the .deb with apt as an administrator would, uses
// the installed programs, removes the package and checks that only the
// user's data is left. It needs root and changes the machine (CI's).
func TestDebInstall(t *testing.T) {
	requireTools(t, "apt-get", "dpkg", "desktop-file-validate", "appstreamcli", "xdotool", "import", "tesseract", "secret-tool")
	if os.Geteuid() != 0 {
		t.Fatal("the .deb install test needs root (apt-get install): run it in CI or with sudo")
	}
	deb := distFile(t, "credworkbench_VERSION_amd64.deb")
	if r := run(t, cmdSpec{}, "dpkg-query", "-W", "-f=${Status}", debName); strings.Contains(r.stdout, "install ok installed") {
		t.Fatalf("%s is installed already; remove it first (apt-get remove %s): the test must see its own install", debName, debName)
	}
	t.Cleanup(func() { // after a failure too: leave the machine as it was
		if r := run(t, cmdSpec{}, "dpkg-query", "-W", "-f=${Status}", debName); r.code == 0 && !strings.Contains(r.stdout, "not-installed") {
			run(t, cmdSpec{env: aptEnv, timeout: 5 * time.Minute}, "apt-get", "purge", "-y", "-q", debName)
		}
	})

	// --- install with apt (it resolves the dependencies)
	mustRun(t, cmdSpec{env: aptEnv, timeout: 10 * time.Minute}, "apt-get", "install", "-y", "-q", deb)
	var files []string
	for _, l := range strings.Split(mustRun(t, cmdSpec{}, "dpkg", "-L", debName).stdout, "\n") {
		if fi, err := os.Lstat(l); err == nil && !fi.IsDir() {
			files = append(files, l)
		}
	}
	for _, want := range []string{"/usr/bin/credworkbench", "/usr/bin/credctl", desktopF, metainfo,
		"/usr/share/icons/hicolor/256x256/apps/" + appID + ".png", "/usr/share/icons/hicolor/scalable/apps/" + appID + ".svg",
		"/usr/share/man/man1/credctl.1.gz", "/usr/share/bash-completion/completions/credctl",
		"/usr/share/zsh/vendor-completions/_credctl", "/usr/share/fish/vendor_completions.d/credctl.fish"} {
		if !contains(files, want) {
			t.Errorf("the package did not install %s", want)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// --- the installed files as the desktop and the shell see them
	v := mustRun(t, cmdSpec{}, "/usr/bin/credctl", "version").stdout
	if want := os.Getenv("VERSION"); want != "" && !strings.Contains(v, want) {
		t.Fatalf("/usr/bin/credctl version printed %q, want %s", v, want)
	}
	mustRun(t, cmdSpec{}, "desktop-file-validate", desktopF)
	// --no-net: CI has no network for the screenshot URLs; everything else is checked.
	mustRun(t, cmdSpec{}, "appstreamcli", "validate", "--no-net", metainfo)
	mustRun(t, cmdSpec{}, "bash", "-c", "source /usr/share/bash-completion/completions/credctl && complete -p credctl")
	if man := mustRun(t, cmdSpec{}, "zcat", "/usr/share/man/man1/credctl.1.gz").stdout; !strings.Contains(man, ".TH CREDCTL 1") {
		t.Fatal("credctl.1.gz is not the credctl man page")
	}

	// --- the user's data: a profile with a secret in the keyring
	home := os.Getenv("HOME")
	profiles := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "credworkbench", "profiles.json")
	if !strings.HasPrefix(profiles, home) || home == "" {
		t.Fatalf("HOME/XDG_CONFIG_HOME not set to a throw-away directory (%q, %q): run under scripts/test.sh", home, profiles)
	}
	mustRun(t, cmdSpec{stdin: "deb-test-secret\n"}, "/usr/bin/credctl", "add", "--name", "Billing API", "--type", "application",
		"--token-url", "http://127.0.0.1:9/token", "--client-id", "billing", "--client-secret-stdin")
	if !exists(profiles) {
		t.Fatalf("credctl add wrote no %s", profiles)
	}

	// --- the workbench from its installed path, in a real window
	stop := startGUI(t, []string{"LANG=en_US.UTF-8"}, "/usr/bin/credworkbench")
	checkWindow(t, 2*time.Minute, filepath.Join(artifactDir(t), "deb-workbench.png"), "Billing API")
	stop()

	// --- removal: every installed file gone, the user's data kept
	mustRun(t, cmdSpec{env: aptEnv, timeout: 5 * time.Minute}, "apt-get", "remove", "-y", "-q", debName)
	if r := run(t, cmdSpec{}, "dpkg-query", "-W", "-f=${Status}", debName); strings.Contains(r.stdout, "installed") && !strings.Contains(r.stdout, "not-installed") {
		t.Fatalf("after apt-get remove, dpkg still says %q", r.stdout)
	}
	for _, f := range files {
		if exists(f) {
			t.Errorf("apt-get remove left %s", f)
		}
	}
	if b, err := os.ReadFile(profiles); err != nil || !strings.Contains(string(b), "Billing API") { // #nosec G304 -- the test's own temp HOME
		t.Errorf("apt-get remove touched the user's profiles %s: %v", profiles, err)
	}
	if r := run(t, cmdSpec{}, "secret-tool", "search", "--all", "service", "credworkbench"); !strings.Contains(r.stdout+r.stderr, "credworkbench") {
		t.Errorf("apt-get remove touched the user's keyring entries: %s", r)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
