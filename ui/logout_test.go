package ui

import (
	"context"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Logout in the workbench ends the IdP's session too: in one browser, a
// second login is silent while the IdP session lasts, and after Logout the
// login asks for the password again. The signed-out page says so.
func TestLogoutEndsIdPSession(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile", RolesClaim: "roles"}, "")
	jar, _ := cookiejar.New(nil)
	var (
		mu     sync.Mutex
		asked  bool
		page   string
		errs   []error
		logins int
		mode   = "login"
	)
	browser := browserFunc(func(u string) error {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			mu.Lock()
			logout := mode == "logout"
			mu.Unlock()
			var err error
			if logout {
				var p string
				p, err = testidp.BrowserLogout(ctx, u, jar)
				mu.Lock()
				page = p
				mu.Unlock()
			} else {
				var a bool
				err = testidp.BrowserLogin(ctx, u, testidp.Username, testidp.Password, testidp.WithCookieJar(jar), testidp.WithCredentialsAsked(&a))
				mu.Lock()
				asked, logins = a, logins+1
				mu.Unlock()
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
		return nil
	})
	h := newHarness(t, repo, browser)
	h.selectProfile("Portal")
	login := func(n int) bool {
		t.Helper()
		h.shortcut(fyne.KeyL)
		h.waitFor("the login", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return logins == n && len(errs) == 0 && h.statusOf("Portal") == "Active (alice)"
		})
		h.key(fyne.KeyEscape) // the "Logged in" message
		mu.Lock()
		defer mu.Unlock()
		return asked
	}
	if !login(1) {
		t.Fatal("the first login did not ask for the password")
	}
	if login(2) {
		t.Fatal("the second login asked although the IdP session was there")
	}

	mu.Lock()
	mode = "logout"
	mu.Unlock()
	h.wb.logoutSelected()
	h.waitFor("the IdP logout", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(errs) > 0 || strings.Contains(h.wb.bar.text.Text, "IdP's session was ended")
	})
	mu.Lock()
	if len(errs) > 0 || !strings.Contains(page, "You are signed out") {
		t.Fatalf("browser errors %v; signed-out page %.200q", errs, page)
	}
	mu.Unlock()
	if got := h.statusOf("Portal"); got != "Logged out" || h.wb.dialogs.top() != nil {
		t.Errorf("after logout the table says %q (a dialog left open: %v)", got, h.wb.dialogs.top() != nil)
	}
	mu.Lock()
	mode = "login"
	mu.Unlock()
	if !login(3) {
		t.Fatal("after Logout the login did not ask for the password: the IdP session was not ended")
	}
}
