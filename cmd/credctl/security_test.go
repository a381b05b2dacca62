package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/twouser"
)

// Issue #18: credctl runs non-dumpable without core files, does not write
// its export through a planted symlink, does not hang on a FIFO, and asks
// before importing proxy and TLS-off settings.

// TestSecurityNotDumpable runs credctl as nobody (so the owner of its /proc
// files tells the dumpable flag: a non-dumpable process's are root's) while
// it waits on its standard input.
func TestSecurityNotDumpable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux prctl")
	}
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test runs credctl as nobody (setpriv) and needs root; CI must run it as root")
		}
		t.Skip("needs root to run credctl as nobody")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) is needed: %v", err)
	}
	shared, err := os.MkdirTemp("", "credctl-dump-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(shared) })
	if err := os.Chmod(shared, 0o777); err != nil { // #nosec G302 -- nobody's HOME in this test
		t.Fatal(err)
	}
	bin := filepath.Join(shared, "credctl")
	data, err := os.ReadFile(credctlBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil { // #nosec G306 -- run by nobody
		t.Fatal(err)
	}
	nb, _ := user.Lookup("nobody")
	nobodyUID, _ := strconv.Atoi(nb.Uid)
	cmd := exec.Command(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin, "import", "-")
	cmd.Env = []string{"HOME=" + shared, "XDG_CONFIG_HOME=" + filepath.Join(shared, "cfg")}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	// credctl turns off core dumps and ptrace first thing in main: wait
	// for that (not a guessed time) once setpriv has exec'd it as nobody.
	var owner int
	var core string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid))
		if strings.HasPrefix(string(b), bin) {
			st, err := os.Stat(status)
			if err != nil {
				t.Fatal(err)
			}
			owner = int(st.Sys().(*syscall.Stat_t).Uid)
			core = coreLimit(t, cmd.Process.Pid)
			if f := strings.Fields(core); owner != nobodyUID && len(f) >= 2 && f[0] == "0" && f[1] == "0" {
				return
			}
		}
		if time.Now().After(deadline) {
			if owner == nobodyUID {
				t.Fatalf("credctl is dumpable: %s belongs to its user (uid %d), not to root", status, owner)
			}
			t.Fatalf("credctl did not start, or may write core files: Max core file size %s", core)
		}
	}
}

// coreLimit is the "Max core file size" row of the process' limits.
func coreLimit(t *testing.T, pid int) string {
	t.Helper()
	limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(limits), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max core file size"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

func TestSecurityExportAndImportFiles(t *testing.T) {
	c := newCLI(t)
	c.must(0, "s3cret\n", "add", "--name", "exp", "--type", "application", "--token-url", "https://idp.example.com/token",
		"--client-id", "x", "--client-secret-stdin")
	t.Run("export through a planted symlink", func(t *testing.T) {
		dir := t.TempDir()
		victim := filepath.Join(t.TempDir(), "authorized_keys")
		if err := os.WriteFile(victim, []byte("ssh-ed25519 AAAA victim\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, "export.json")
		if err := os.Symlink(victim, target); err != nil {
			t.Fatal(err)
		}
		c.must(0, "", "export", target)
		if b, _ := os.ReadFile(victim); string(b) != "ssh-ed25519 AAAA victim\n" {
			t.Fatalf("the export was written through the symlink into %s", victim)
		}
		if st, err := os.Lstat(target); err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
			t.Fatalf("export file %v %v", st, err)
		}
	})
	t.Run("import from a FIFO", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "in.json")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		o := c.run("", "import", fifo)
		if o.code == 0 || !strings.Contains(o.stderr, "FIFO") {
			t.Fatalf("import from a FIFO: %s", o)
		}
	})
	t.Run("proxy and TLS-off need confirmation", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "risky.json")
		content := `{"format":"credworkbench-profiles","version":1,"profiles":[{"name":"risky","type":"application",` +
			`"tokenUrl":"https://idp.example.com/t","clientId":"c","proxy":{"mode":"url","url":"http://proxy.example:3128"},` +
			`"tls":{"insecureSkipVerify":true}}]}`
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		o := c.run("", "import", file)
		if o.code == 0 || !strings.Contains(o.stdout, "TLS verification OFF") || !strings.Contains(o.stdout, "proxy http://proxy.example:3128") ||
			!strings.Contains(o.stderr, "--accept-network-settings") {
			t.Fatalf("risky import without confirmation: %s", o)
		}
		if o := c.run("", "show", "risky"); o.code == 0 {
			t.Fatal("the risky profile was imported without confirmation")
		}
		c.must(0, "", "import", "--accept-network-settings", file)
	})
}

// attackerOpener makes the browser opener credctl runs the second local
// user's attacker (uid 65534, over family): it gets the one-time start
// address as the argument, as an attacker reading the opener's command
// line would. It returns the file with the attacker's report.
func attackerOpener(t *testing.T, c *cli, family string, mode ...string) (report string) {
	t.Helper()
	report = filepath.Join(t.TempDir(), "attacker.out")
	argv := twouser.Argv(t, mode[0], family)
	script := "#!/bin/sh\nexec " + strings.Join(argv, " ") + ` "$1" ` + strings.Join(mode[1:], " ") + " > " + report + " 2>&1\n"
	if err := os.WriteFile(filepath.Join(c.binDir, "xdg-open"), []byte(script), 0o755); err != nil { // #nosec G306 -- a test script
		t.Fatal(err)
	}
	c.env = append(c.env, "DISPLAY=:99", "WAYLAND_DISPLAY=")
	return report
}

// Issue #23 through the binary: the opener is another local user's
// attacker, which takes the login over IPv4 or IPv6. credctl must not log
// anyone in, and says why it failed.
func TestSecurityLoginOtherUser(t *testing.T) {
	twouser.Require(t)
	requireKeyring(t)
	idp := testidp.Shared(t)
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			c := newCLI(t)
			addUser(t, c, idp, "portal")
			report := attackerOpener(t, c, family, "login", testidp.Username2, testidp.Password2)
			o := c.run("", "login", "portal", "--timeout", "15s")
			attack, _ := os.ReadFile(report) // #nosec G304 -- the test's file
			t.Logf("attacker:\n%s\ncredctl: %s", attack, o)
			if o.code == 0 || strings.Contains(o.stdout, "Logged in") {
				t.Fatalf("credctl reported a login the other user completed:\n%s", o)
			}
			contains(t, "login stderr", o.stderr, "Another local user (uid 65534) tried to use this login's address; it was refused")
			contains(t, "attacker", string(attack), "ATTACKER REFUSED")
		})
	}
}

// The same for `logout --end-session`: the other user's fake return from
// the IdP must not make credctl say the IdP session was ended.
func TestSecurityLogoutOtherUser(t *testing.T) {
	twouser.Require(t)
	requireKeyring(t)
	idp := testidp.Shared(t)
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			c := newCLI(t)
			urlFile := fakeBrowser(t, c)
			addUser(t, c, idp, "portal")
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			cmd, stdout, stderr := c.command(ctx, "", "login", "portal", "--timeout", "60s")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if err := testidp.BrowserLogin(ctx, waitForFile(t, urlFile, 30*time.Second), testidp.Username, testidp.Password); err != nil {
				t.Fatalf("browser login: %v\nstderr: %s", err, stderr)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("login: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
			}
			report := attackerOpener(t, c, family, "logout")
			o := c.run("", "logout", "portal", "--end-session", "--timeout", "10s")
			attack, _ := os.ReadFile(report) // #nosec G304 -- the test's file
			t.Logf("attacker:\n%s\ncredctl: %s", attack, o)
			if o.code == 0 || strings.Contains(o.stdout, "session was ended") {
				t.Fatalf("credctl reported an IdP logout the other user faked:\n%s", o)
			}
			contains(t, "logout", o.stdout, `Logged out of "portal"`)
			contains(t, "logout stderr", o.stderr, "Another local user (uid 65534) tried to use this IdP logout's address; it was refused")
			contains(t, "attacker", string(attack), "ATTACKER REFUSED")
		})
	}
}
