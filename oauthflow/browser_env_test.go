package oauthflow

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// recordingOpener writes a shell script that records its arguments (one
// a line) to the returned file and exits with code.
func recordingOpener(t *testing.T, dir, name string, code int) (path, out string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the recording opener is a shell script")
	}
	out = filepath.Join(dir, name+".args")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + out + "\necho chatter\necho more >&2\nexit " +
		string(rune('0'+code)) + "\n"
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil { // #nosec G306 -- a test script must be executable
		t.Fatal(err)
	}
	return path, out
}

func readArgs(t *testing.T, out string) []string {
	t.Helper()
	b, err := os.ReadFile(out) // #nosec G304 -- the test's own temp file
	if err != nil {
		t.Fatalf("the opener did not run: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// noDisplay is an SSH-like session: no graphical session, no WSL, and no
// platform opener on PATH.
func noDisplay(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("WSL_DISTRO_NAME", "")
	t.Setenv("WSL_INTEROP", "")
	return dir
}

func TestSystemBrowserHonoursBROWSER(t *testing.T) {
	const u = "http://127.0.0.1:4711/start/abc%20def"

	t.Run("program without placeholder gets the URL appended", func(t *testing.T) {
		dir := noDisplay(t)
		path, out := recordingOpener(t, dir, "opener", 0)
		t.Setenv("BROWSER", path)
		if err := (SystemBrowser{}).Open(u); err != nil {
			t.Fatal(err)
		}
		if got := readArgs(t, out); len(got) != 1 || got[0] != u {
			t.Fatalf("args %q, want [%q]", got, u)
		}
	})
	t.Run("list: a missing and a failing entry are skipped, %s is replaced", func(t *testing.T) {
		dir := noDisplay(t)
		failing, failOut := recordingOpener(t, dir, "failing", 3)
		_, out := recordingOpener(t, dir, "good", 0)
		t.Setenv("BROWSER", "no-such-opener:"+failing+":good --new-tab --url=%s 100%%")
		if err := (SystemBrowser{}).Open(u); err != nil {
			t.Fatal(err)
		}
		if got := readArgs(t, failOut); len(got) != 1 || got[0] != u {
			t.Errorf("the failing entry got %q", got)
		}
		got := readArgs(t, out)
		want := []string{"--new-tab", "--url=" + u, "100%"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("args %q, want %q", got, want)
		}
	})
	t.Run("every entry fails: the error names them, not the URL", func(t *testing.T) {
		dir := noDisplay(t)
		failing, _ := recordingOpener(t, dir, "failing", 4)
		t.Setenv("BROWSER", "nothere:"+failing)
		err := (SystemBrowser{}).Open(u + "SECRETPATH")
		if err == nil || !strings.Contains(err.Error(), "BROWSER") || !strings.Contains(err.Error(), "nothere: not found") ||
			!strings.Contains(err.Error(), "exit status 4") || !strings.Contains(err.Error(), "yourself") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "SECRETPATH") {
			t.Fatalf("the error echoes the URL: %v", err)
		}
	})
	t.Run("unset: no display is still explained", func(t *testing.T) {
		noDisplay(t)
		t.Setenv("BROWSER", " ")
		if runtime.GOOS != "linux" {
			t.Skip("the display check is Linux's")
		}
		err := (SystemBrowser{}).Open(u)
		if err == nil || !strings.Contains(err.Error(), "no graphical session") || !strings.Contains(err.Error(), "BROWSER") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not a web address never reaches BROWSER", func(t *testing.T) {
		dir := noDisplay(t)
		path, out := recordingOpener(t, dir, "opener", 0)
		t.Setenv("BROWSER", path)
		for _, bad := range []string{"file:///etc/passwd", "javascript:alert(1)", "-version"} {
			if err := (SystemBrowser{}).Open(bad); err == nil {
				t.Errorf("Open(%q) succeeded", bad)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatal("the opener ran for a non-web address")
		}
	})
}

// TestLoginThroughBROWSER is a login over "SSH": no display, $BROWSER names
// a script. What the script gets on its command line (visible to every
// local user) is the one-time local start address, never the IdP's
// authorization URL with its state and PKCE challenge; a browser that
// follows it logs in.
func TestLoginThroughBROWSER(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	dir := noDisplay(t)
	path, out := recordingOpener(t, dir, "remote-open", 0)
	t.Setenv("BROWSER", path)

	s := NewService(repo, nil, nil) // the system browser
	defer s.Close()
	offered := make(chan string, 1)
	browserErr := make(chan error, 1)
	go func() {
		// The user's browser at the other end of $BROWSER.
		u := <-offered
		b, err := os.ReadFile(out) // #nosec G304 -- the test's own temp file
		if err != nil || strings.TrimSuffix(string(b), "\n") != u {
			browserErr <- fmt.Errorf("the opener recorded %q (%v), the login offered %q", b, err, u)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		browserErr <- testidp.BrowserLogin(ctx, u, testidp.Username, testidp.Password)
	}()
	res := loginOK(t, s, p.Name, LoginOptions{OnURL: func(u string, berr error) {
		if berr != nil {
			t.Errorf("the BROWSER opener failed: %v", berr)
		}
		offered <- u
	}})
	if err := <-browserErr; err != nil {
		t.Fatalf("browser: %v", err)
	}
	assertAlice(t, res)
	arg := readArgs(t, out)[0]
	au, err := url.Parse(arg)
	if err != nil || au.Hostname() != "127.0.0.1" || !strings.HasPrefix(au.Path, "/start/") {
		t.Fatalf("the opener got %q, want the local start address", arg)
	}
	for _, leak := range []string{"state=", "code_challenge", "client_id", idp.Issuer} {
		if strings.Contains(arg, leak) {
			t.Errorf("the opener's command line carries %q: %q", leak, arg)
		}
	}
}
