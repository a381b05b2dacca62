package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Quitting the workbench while it redeems a refresh token keeps the
// session (#24.5), through the Quit of the window (closing it with "quit
// on close" chosen) and through SIGTERM (a session logout; Fyne quits the
// app on it, so the deferred Service.Close runs). The IdP rotates
// refresh tokens, revokes the session when a used one comes back, and
// answers a refresh 5 s after carrying it out; access tokens live 8 s, so
// the workbench restores the session with a refresh as it starts. A quit
// that abandoned the redemption left the used refresh token in the
// keyring, and the next `credctl token` ended the session (invalid_grant).
func TestQuitDuringRefreshKeepsSession(t *testing.T) {
	testenv.RequireDisplay(t)
	testenv.RequireKeyring(t)
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Fatal("xdotool is missing: apt-get install -y xdotool")
	}
	idp := testidp.Start(t, testidp.WithAccessTokenTTL(8*time.Second))
	dir := t.TempDir()
	bin, ctlBin := filepath.Join(dir, "credworkbench"), filepath.Join(dir, "credctl")
	for out, pkg := range map[string]string{bin: ".", ctlBin: "../credctl"} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	home, run, fakeBin := filepath.Join(dir, "home"), filepath.Join(dir, "run"), filepath.Join(dir, "bin")
	for _, d := range []string{home, run, fakeBin} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// The browser credctl opens: the test logs in with the URL it was given.
	urlFile := filepath.Join(dir, "opened-url")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" > \"" + urlFile + ".tmp\" && mv \"" + urlFile + ".tmp\" \"" + urlFile + "\"\n"
	if err := os.WriteFile(filepath.Join(fakeBin, "xdg-open"), []byte(script), 0o700); err != nil { // #nosec G306 -- an executable the test runs
		t.Fatal(err)
	}
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_RUNTIME_DIR="+run, "LANG=en_US.UTF-8",
		"PATH="+fakeBin+string(os.PathListSeparator)+os.Getenv("PATH"))
	credctl := func(args ...string) (string, error) {
		cmd := exec.Command(ctlBin, args...) // #nosec G204 -- the binary this test built
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	if out, err := credctl("add", "--name", "portal", "--type", "user", "--issuer", idp.Issuer,
		"--client-id", testidp.PublicClientID, "--scope", "openid profile offline_access api:read"); err != nil {
		t.Fatalf("credctl add: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = credctl("delete", "--yes", "portal") })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	login := exec.CommandContext(ctx, ctlBin, "login", "portal", "--timeout", "60s") // #nosec G204 -- the binary this test built
	login.Env = env
	var loginOut bytes.Buffer
	login.Stdout, login.Stderr = &loginOut, &loginOut
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	var authURL []byte
	for deadline := time.Now().Add(30 * time.Second); len(authURL) == 0; time.Sleep(50 * time.Millisecond) {
		authURL, _ = os.ReadFile(urlFile) // #nosec G304 -- the test's own file
		if time.Now().After(deadline) {
			t.Fatalf("credctl login opened no browser\n%s", loginOut.String())
		}
	}
	if err := testidp.BrowserLogin(ctx, strings.TrimSpace(string(authURL)), testidp.Username, testidp.Password); err != nil {
		t.Fatalf("browser login: %v", err)
	}
	if err := login.Wait(); err != nil {
		t.Fatalf("credctl login: %v\n%s", err, loginOut.String())
	}
	// Closing the window quits, without the question.
	prefDir := filepath.Join(home, ".config", "fyne", "io.github.credworkbench")
	if err := os.MkdirAll(prefDir, 0o700); err != nil {
		t.Fatal(err)
	}
	prefs, _ := json.Marshal(map[string]any{"agent.closeAsked": true, "agent.keepRunning": false})
	if err := os.WriteFile(filepath.Join(prefDir, "preferences.json"), prefs, 0o600); err != nil {
		t.Fatal(err)
	}

	// Shorter than the tokens' life: an answer whose ID token has expired
	// on arrival is refused anyway.
	const answerDelay = 5 * time.Second
	for _, how := range []string{"Quit", "SIGTERM"} {
		idp.Reset(t)
		idp.SetTokenFault(t, testidp.Fault{AnswerDelay: answerDelay})
		args := []string{}
		if how == "SIGTERM" {
			args = append(args, "--hidden")
		}
		cmd, exited, log := startApp(t, bin, env, args...)
		var wid string
		// The bound is a hang guard (a loaded machine has taken over 30 s to
		// map the window and send the start-up refresh); the loop ends at both.
		for deadline := time.Now().Add(90 * time.Second); idp.Stats(t).Grants["refresh_token"] == 0 || (how == "Quit" && wid == ""); time.Sleep(100 * time.Millisecond) {
			if how == "Quit" && wid == "" {
				out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Credential Workbench$").Output()
				if f := strings.Fields(string(out)); len(f) > 0 {
					wid = f[0]
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no window or no refresh within 90 s (window %q)\n%s", how, wid, log.String())
			}
		}
		redeemed := time.Now()
		if how == "Quit" {
			closeWindow(t, wid)
		} else {
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
		if time.Since(redeemed) > answerDelay/2 {
			t.Fatalf("%s: the test took too long to quit while the refresh was in flight", how)
		}
		select {
		case err := <-exited:
			exited <- err // for startApp's cleanup
			if err != nil {
				t.Fatalf("%s: the workbench exited with %v\n%s", how, err, log.String())
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%s: the workbench did not exit within 60 s\n%s", how, log.String())
		}
		idp.Reset(t) // answer at once from now on
		if out, err := credctl("token", "portal"); err != nil {
			t.Fatalf("after %s during a refresh the session is gone: %v\n%s\nworkbench output:\n%s", how, err, out, log.String())
		}
	}
}
