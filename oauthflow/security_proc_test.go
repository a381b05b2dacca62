//go:build linux

package oauthflow

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/twouser"
)

// The login hijack of issues #18 and #23: a second local user polls /proc
// for the browser opener's command line and completes the login URL with
// their own account, over IPv4 or from an AF_INET6 socket (which
// /proc/net/tcp does not list). The attacker runs as uid 65534 (setpriv);
// the opener is a real process (a stand-in xdg-open on PATH that keeps its
// argument visible for 2 s); the victim's browser signs in only after the
// attacker is done. The attacker looks only at this test's own children
// and takes only this opener's URL: it never touches another process's
// login on a shared machine.
func TestSecurityProcAttacker(t *testing.T) {
	twouser.Require(t)
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	if os.Getenv("DISPLAY") == "" {
		t.Setenv("DISPLAY", ":99")
	}
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			// The stand-in opener (its path is the attacker's marker): it
			// records the URL for the victim's browser and stays alive with
			// the URL on its command line.
			opened := filepath.Join(t.TempDir(), "opened")
			binDir := t.TempDir()
			opener := filepath.Join(binDir, "xdg-open")
			script := fmt.Sprintf("#!/bin/sh\nprintf '%%s' \"$1\" > %s.tmp && mv %s.tmp %s\nsleep 2\n", opened, opened, opened)
			if err := os.WriteFile(opener, []byte(script), 0o755); err != nil { // #nosec G306 -- a test script
				t.Fatal(err)
			}
			t.Setenv("PATH", binDir+string(os.PathListSeparator)+os.Getenv("PATH"))

			// The attacker polls /proc from before the login starts.
			var attackOut bytes.Buffer
			argv := twouser.Argv(t, "watch", family, strconv.Itoa(os.Getpid()), opener, testidp.Username2, testidp.Password2)
			attacker := exec.Command(argv[0], argv[1:]...) // #nosec G204 -- the test's own attacker
			attacker.Env = []string{"HOME=/nonexistent", "PATH=/usr/bin:/bin"}
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
			t.Logf("attacker:\n%s", out)
			if !strings.Contains(out, "ATTACKER SAW ") {
				t.Fatalf("the attack could not be staged (the attacker never saw the opener's URL):\n%s", out)
			}
			// Now the victim's browser.
			var u []byte
			var err error
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if u, err = os.ReadFile(opened); err == nil && len(u) > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the opener was never run")
				}
			}
			if !strings.Contains(out, "ATTACKER SAW "+string(u)) {
				t.Fatalf("the attacker took another URL than its victim's %s", u)
			}
			var res Result
			victimErr := testidp.BrowserLogin(context.Background(), string(u), testidp.Username, testidp.Password)
			select {
			case res = <-result:
			case <-time.After(150 * time.Second):
				t.Fatal("the login did not end")
			}
			if strings.Contains(out, "ATTACKER LOGGED IN") || (res.Token != nil && res.Token.Username == testidp.Username2) {
				t.Fatalf("the attacker completed the victim's login: result %s as %v", res.Status, res.Token)
			}
			if !strings.Contains(out, "ATTACKER REFUSED") {
				t.Errorf("the attacker was not refused by the listener:\n%s", out)
			}
			if victimErr != nil || !res.Active() || res.Token == nil || res.Token.Username != testidp.Username {
				t.Fatalf("the victim's own login: %v; result %s %+v", victimErr, res.Status, res.Failure)
			}
			if !strings.Contains(strings.Join(res.Warnings, " "), "Another user of this computer (uid 65534)") {
				t.Errorf("no warning about the other user's attempt: %q", res.Warnings)
			}
		})
	}
}
