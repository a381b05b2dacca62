//go:build linux

package oauthflow

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/twouser"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// Issue #23: a second local user (uid 65534, a real process through
// setpriv) attacks the real login and logout listeners over IPv4 and over
// an AF_INET6 socket connected to ::ffff:127.0.0.1, which /proc/net/tcp does
// not list. Every request of it is refused with 403 and changes nothing:
// it cannot complete, cancel or fake-end a login or logout.

// attackGet has the other user fetch urls over family (with cookie, "-"
// for none) and returns the status of each.
func attackGet(t *testing.T, family, cookie string, urls ...string) []string {
	t.Helper()
	out := twouser.Run(t, 60*time.Second, append([]string{"get", family, cookie}, urls...)...)
	var statuses []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "STATUS" {
			statuses = append(statuses, f[1])
		}
	}
	if len(statuses) != len(urls) {
		t.Fatalf("the attacker did not fetch every URL:\n%s", out)
	}
	return statuses
}

func wantAllRefused(t *testing.T, what string, statuses []string) {
	t.Helper()
	for i, s := range statuses {
		if s != "403" {
			t.Errorf("%s: request %d of the other user answered %s, want 403", what, i+1, s)
		}
	}
}

// stillPending fails when the login ended.
func stillPending(t *testing.T, out <-chan Result) {
	t.Helper()
	select {
	case res := <-out:
		t.Fatalf("the other user's requests ended the login: %s %v", res.Status, res.Failure)
	case <-time.After(300 * time.Millisecond):
	}
}

// victimStarts opens the start address in the victim's browser and
// returns that browser (following redirects now) and the authorization URL.
func victimStarts(t *testing.T, startURL string) (*http.Client, string) {
	t.Helper()
	victim := browserClient()
	authURL, err := openStart(context.Background(), victim, startURL)
	if err != nil {
		t.Fatalf("the victim's own start address: %v", err)
	}
	victim.CheckRedirect = nil
	return victim, authURL
}

// victimFinishes signs in at the fake IdP in the victim's browser and
// checks the login completed, with the warning about the other user.
func victimFinishes(t *testing.T, victim *http.Client, authURL string, out <-chan Result) {
	t.Helper()
	resp, err := victim.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	res := waitResult(t, out, 15*time.Second)
	if resp.StatusCode != http.StatusOK || !res.Active() {
		t.Fatalf("the victim's own login: page %d, result %s %+v", resp.StatusCode, res.Status, res.Failure)
	}
	if w := strings.Join(res.Warnings, " "); !strings.Contains(w, "Another user of this computer (uid 65534)") {
		t.Errorf("no warning about the other user: %q", res.Warnings)
	}
}

// The start address read from the opener's command line: the other user
// gets no redirect to the IdP (with the state) and no cookie, and the
// victim's browser can still use the address afterwards.
func TestSecurityPeerLoginStart(t *testing.T) {
	twouser.Require(t)
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			_, startURL, out := waitingLogin(t, 30*time.Second)
			wantAllRefused(t, "start", attackGet(t, family, "-", startURL))
			stillPending(t, out)
			victim, authURL := victimStarts(t, startURL)
			victimFinishes(t, victim, authURL, out)
		})
	}
}

// The callback with the right state, the victim's cookie and a valid code
// of the attacker's own sign-in: refused; the victim's login completes.
func TestSecurityPeerLoginCallback(t *testing.T) {
	twouser.Require(t)
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			_, startURL, out := waitingLogin(t, 30*time.Second)
			victim, authURL := victimStarts(t, startURL)
			// The attacker's own pass through the IdP: a code and the callback address.
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noFollow.Get(authURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			callback := resp.Header.Get("Location")
			cb, _ := url.Parse(callback)
			var cookie string
			for _, c := range victim.Jar.Cookies(cb) {
				cookie = c.Name + "=" + c.Value
			}
			if cb == nil || cb.Query().Get("code") == "" || cookie == "" {
				t.Fatalf("no callback %q or cookie %q to attack with", callback, cookie)
			}
			wantAllRefused(t, "callback", attackGet(t, family, cookie, callback))
			stillPending(t, out)
			victimFinishes(t, victim, authURL, out)
		})
	}
}

// Everything that stops a login from its own user's browser (a second use
// of the start address, responses with a wrong state, an error response
// with the right state) is refused from the other user: the login waits on.
func TestSecurityPeerLoginCancel(t *testing.T) {
	twouser.Require(t)
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			_, startURL, out := waitingLogin(t, 30*time.Second)
			victim, authURL := victimStarts(t, startURL)
			au, _ := url.Parse(authURL)
			redirect, _ := url.Parse(au.Query().Get("redirect_uri"))
			urls := []string{startURL}
			for range idp.MaxBadCallbacks {
				urls = append(urls, callbackURL(redirect, url.Values{"code": {"x"}, "state": {"wrong"}}))
			}
			urls = append(urls, callbackURL(redirect, url.Values{"error": {"access_denied"}, "state": {au.Query().Get("state")}}))
			wantAllRefused(t, "cancel", attackGet(t, family, "-", urls...))
			stillPending(t, out)
			victimFinishes(t, victim, authURL, out)
		})
	}
}

// startLogout is the real end-session listener with an IdP address that
// carries the ID token hint.
func startLogout(t *testing.T) (*idp.Logout, string) {
	t.Helper()
	state := idp.RandomToken()
	l, err := idp.ListenLogout(0, state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	l.SetTarget("https://idp.example/end?id_token_hint=SECRET-HINT&state=" + state)
	return l, state
}

// The logout's start address: the other user gets neither the IdP address
// nor the ID token hint, and the victim's browser still can.
func TestSecurityPeerLogoutStart(t *testing.T) {
	twouser.Require(t)
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			l, _ := startLogout(t)
			wantAllRefused(t, "logout start", attackGet(t, family, "-", l.StartURL()))
			if _, err := openStart(context.Background(), browserClient(), l.StartURL()); err != nil {
				t.Fatalf("the victim's own logout start: %v", err)
			}
		})
	}
}

// The post-logout address with the right state (as if the other user had
// the IdP address): refused, so the logout does not report the IdP session
// ended, and its message names the refusal.
func TestSecurityPeerLogoutReturn(t *testing.T) {
	twouser.Require(t)
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			l, state := startLogout(t)
			wantAllRefused(t, "post-logout return", attackGet(t, family, "-", l.RedirectURI+"?state="+url.QueryEscape(state)))
			// Refused before any answer was sent: an ended logout would be ended by now.
			select {
			case <-l.Ended():
				t.Fatal("the other user's request ended the logout as if the IdP had sent the browser back")
			default:
			}
			if sum := l.RefusedSummary(); !strings.Contains(sum, "Another local user (uid 65534) tried to use this IdP logout's address") {
				t.Errorf("the refusal is not reported: %q", sum)
			}
		})
	}
}
