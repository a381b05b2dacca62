//go:build linux

package oauthflow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// The login hijack of issue #18: a second local user polls /proc for the
// browser opener's command line and completes the login URL with their own
// account. The attacker runs as "nobody" (setpriv); the opener is a real
// process (a stand-in xdg-open on PATH that keeps its argument visible for
// 2 s); the victim's browser signs in only after the attacker is done.
func TestSecurityProcAttacker(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test runs the attacker as another user (setpriv) and needs root; CI must run it as root")
		}
		t.Skip("needs root to run the attacker as nobody")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) is needed: %v", err)
	}
	requireKeyring(t)
	idp := testidp.Start(t)
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)

	// A world-readable copy of this test binary for the attacker.
	shared, err := os.MkdirTemp("", "cwb-attack-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(shared) })
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	bin := filepath.Join(shared, "attacker")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil { // #nosec G306 -- run by the test's "nobody"
		t.Fatal(err)
	}
	// The stand-in opener: it records the URL for the victim's browser and
	// stays alive with the URL on its command line.
	opened := filepath.Join(t.TempDir(), "opened")
	binDir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s' \"$1\" > %s.tmp && mv %s.tmp %s\nsleep 2\n", opened, opened, opened)
	if err := os.WriteFile(filepath.Join(binDir, "xdg-open"), []byte(script), 0o755); err != nil { // #nosec G306 -- a test script
		t.Fatal(err)
	}
	t.Setenv("PATH", binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if os.Getenv("DISPLAY") == "" {
		t.Setenv("DISPLAY", ":99")
	}

	// The attacker polls /proc from before the login starts.
	var attackOut bytes.Buffer
	attacker := exec.Command(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin,
		"-test.run=^TestSecurityProcAttackerHelper$", "-test.v")
	attacker.Env = []string{"CWB_ATTACKER=1", "HOME=" + shared, "PATH=/usr/bin:/bin"}
	attacker.Stdout, attacker.Stderr = &attackOut, &attackOut
	if err := attacker.Start(); err != nil {
		t.Fatal(err)
	}
	attackDone := make(chan error, 1)
	go func() { attackDone <- attacker.Wait() }()

	s := NewService(repo, SystemBrowser{}, nil)
	defer s.Close()
	result := make(chan Result, 1)
	go func() {
		res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 150 * time.Second})
		if err != nil {
			res.Failure = &Failure{Category: CatOther, Message: err.Error()}
		}
		result <- res
	}()
	select {
	case <-attackDone:
	case <-time.After(120 * time.Second):
		_ = attacker.Process.Kill()
		t.Fatalf("the attacker did not finish:\n%s", attackOut.String())
	}
	out := attackOut.String()
	if !strings.Contains(out, "ATTACKER SAW ") {
		t.Fatalf("the attack could not be staged (the attacker never saw the opener's URL):\n%s", out)
	}
	// Now the victim's browser.
	var u []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if u, err = os.ReadFile(opened); err == nil && len(u) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the opener was never run")
		}
	}
	victimErr := testidp.BrowserLogin(context.Background(), string(u), testidp.Username, testidp.Password)
	var res Result
	select {
	case res = <-result:
	case <-time.After(150 * time.Second):
		t.Fatal("the login did not end")
	}
	t.Logf("attacker:\n%s", out)
	if strings.Contains(out, "ATTACKER LOGGED IN") || (res.Token != nil && res.Token.Username == testidp.Username2) {
		t.Fatalf("the attacker completed the victim's login: result %s as %v", res.Status, res.Token)
	}
	if victimErr != nil || !res.Active() || res.Token == nil || res.Token.Username != testidp.Username {
		t.Fatalf("the victim's own login: %v; result %s %+v", victimErr, res.Status, res.Failure)
	}
	if !strings.Contains(strings.Join(res.Warnings, " "), "Another user of this computer") {
		t.Errorf("no warning about the other user's attempt: %q", res.Warnings)
	}
}

// TestSecurityProcAttackerHelper is the attacker of TestSecurityProcAttacker
// (it runs only there, as nobody): it polls every process's command line
// for a login URL and signs it in as bob.
func TestSecurityProcAttackerHelper(t *testing.T) {
	if os.Getenv("CWB_ATTACKER") != "1" {
		t.Skip("run by TestSecurityProcAttacker")
	}
	fmt.Printf("attacker uid %d\n", os.Getuid())
	deadline := time.Now().Add(100 * time.Second) // a loaded CI machine starts the login slowly
	for time.Now().Before(deadline) {
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, f := range procs {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, arg := range bytes.Split(b, []byte{0}) {
				a := string(arg)
				if strings.HasPrefix(a, "http://127.0.0.1:") || strings.Contains(a, "redirect_uri=") {
					fmt.Printf("ATTACKER SAW %s\n", a)
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					err := testidp.BrowserLogin(ctx, a, testidp.Username2, testidp.Password2)
					cancel()
					if err == nil {
						fmt.Println("ATTACKER LOGGED IN")
					} else {
						fmt.Printf("ATTACKER REFUSED: %v\n", err)
					}
					return
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	_, _ = io.WriteString(os.Stdout, "ATTACKER TIMED OUT\n")
}
