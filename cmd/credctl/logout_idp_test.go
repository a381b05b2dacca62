package main

import (
	"context"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestLogoutEndSessionAndAnotherUser: in one browser (one cookie jar),
// `login --another-user` signs a second user in although the first one's
// IdP session is there, and `logout --end-session` ends the IdP session so
// the next login asks for the password again.
func TestLogoutEndSessionAndAnotherUser(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	urlFile := fakeBrowser(t, c)
	addUser(t, c, idp, "portal")
	jar, _ := cookiejar.New(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// runWithBrowser runs credctl and plays the browser on the URL it opens.
	runWithBrowser := func(browse func(u string) error, args ...string) string {
		t.Helper()
		_ = os.Remove(urlFile)
		cmd, stdout, stderr := c.command(ctx, "", args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if err := browse(waitForFile(t, urlFile, 30*time.Second)); err != nil {
			t.Fatalf("browser for %v: %v\nstderr: %s", args, err, stderr)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("credctl %v: %v\nstdout: %s\nstderr: %s", args, err, stdout, stderr)
		}
		return stdout.String()
	}
	var asked bool
	var prompt string
	loginAs := func(user, password string) func(string) error {
		return func(u string) error {
			return testidp.BrowserLogin(ctx, u, user, password, testidp.WithCookieJar(jar), testidp.WithCredentialsAsked(&asked),
				testidp.WithAuthURL(func(a *url.URL) { prompt = a.Query().Get("prompt") }))
		}
	}

	runWithBrowser(loginAs(testidp.Username, testidp.Password), "login", "portal", "--timeout", "60s")
	out := runWithBrowser(loginAs(testidp.Username, testidp.Password), "login", "portal", "--timeout", "60s")
	if asked || !strings.Contains(out, "Logged in as alice") {
		t.Fatalf("second login: asked=%v, %q; want alice from the IdP session", asked, out)
	}
	out = runWithBrowser(loginAs(testidp.Username2, testidp.Password2), "login", "portal", "--another-user", "--timeout", "60s")
	if !asked || prompt != "login" || !strings.Contains(out, "Logged in as bob") {
		t.Fatalf("--another-user: asked=%v prompt=%q, %q; want bob after the login page", asked, prompt, out)
	}
	if strings.Contains(out, "someone else") {
		t.Errorf("--another-user raised the takeover alarm for the user it asked for: %q", out)
	}

	var page string
	out = runWithBrowser(func(u string) error {
		if !strings.HasPrefix(u, "http://127.0.0.1:") || strings.Contains(u, "id_token_hint") {
			t.Errorf("the browser was given %q, not the one-time local address", u)
		}
		var err error
		page, err = testidp.BrowserLogout(ctx, u, jar)
		return err
	}, "logout", "portal", "--end-session", "--timeout", "60s")
	contains(t, "logout --end-session", out, `Logged out of "portal"`, "IdP's session was ended")
	contains(t, "post-logout page", page, "You are signed out")

	runWithBrowser(loginAs(testidp.Username, testidp.Password), "login", "portal", "--timeout", "60s")
	if !asked {
		t.Fatal("after logout --end-session the login did not ask for credentials")
	}
}
