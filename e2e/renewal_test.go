package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// rotatingSession starts an IdP whose access tokens live 8 s (so every
// command restores the session through the refresh token, which the IdP
// rotates and whose reuse ends the session) and logs alice in to the User
// profile "portal" with `credctl login`.
func rotatingSession(t *testing.T, h *H) *testidp.IdP {
	t.Helper()
	idp := h.StartIdP(testidp.WithAccessTokenTTL(8 * time.Second))
	browser := h.LoginBrowser(testidp.Username, testidp.Password)
	browser.UseQuick()
	h.AddUser(idp, "portal")
	p := h.StartCredctl("", "login", "portal", "--timeout", "60s")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatalf("the browser: %v", err)
	}
	if r := p.Wait(); r.Code != 0 {
		t.Fatalf("credctl login: %s", r)
	}
	return idp
}

// TestSlowCommandKeepsSession (#24.5): `credctl request` and `credctl
// transport run` against an API that takes 6 s, while the IdP answers a
// refresh 5 s after carrying it out; the next `credctl token` still works.
// A credctl that renewed in the background abandoned the redemption on exit
// and kept the used refresh token: the session was gone.
func TestSlowCommandKeepsSession(t *testing.T) {
	h := New(t)
	idp := rotatingSession(t, h)
	slow := h.API(idp, "").URL + "/slow?ms=6000"
	h.MustCredctl("transport", "add", "--name", "Slow", "--type", "http", "--url", slow, "--credential", "portal", "--timeout", "30s")
	for _, cmd := range [][]string{{"request", "portal", slow}, {"transport", "run", "Slow"}} {
		idp.Reset(t)
		idp.SetTokenFault(t, testidp.Fault{AnswerDelay: 5 * time.Second})
		h.MustCredctl(cmd...)
		if r := h.Credctl("token", "portal"); r.Code != 0 {
			t.Fatalf("after `credctl %s` the session is gone: %s", strings.Join(cmd, " "), r)
		}
	}
}

// TestWorkbenchStopDuringRefresh (#24.5): the workbench ended (SIGTERM, as
// at logout) while its Test of a User profile is being answered keeps the
// rotated refresh token: `credctl token` works afterwards.
func TestWorkbenchStopDuringRefresh(t *testing.T) {
	h := New(t)
	idp := rotatingSession(t, h)
	w := h.StartWorkbench()
	w.Resize(1280, 800)
	w.WaitText("portal", uiWait)
	idp.Reset(t)
	idp.SetTokenFault(t, testidp.Fault{AnswerDelay: 3 * time.Second})
	w.Key("Down")
	w.Key("ctrl+t")
	for deadline := time.Now().Add(30 * time.Second); idp.Stats(t).Grants["refresh_token"] == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the window's Test sent no refresh within 30 s")
		}
	}
	w.Stop()
	if done, err := w.Exited(); !done || err != nil {
		t.Fatalf("the workbench did not end by itself on SIGTERM: %v", err)
	}
	idp.Reset(t)
	if r := h.Credctl("token", "portal"); r.Code != 0 {
		t.Fatalf("after stopping the workbench during a refresh the session is gone: %s", r)
	}
}

// TestRotateSecretKeepsExpiry (#24.1): `credctl rotate-secret
// --secret-expires` shows the new date in `credctl expiring`, and the next
// `credctl token` is served from the rotation's token without asking the
// IdP; leaving the date out for a dated secret is refused.
func TestRotateSecretKeepsExpiry(t *testing.T) {
	h := New(t)
	idp := h.StartIdP(testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, "rotated-secret"))
	h.AddApp(idp, "billing", "--secret-expires", "2026-12-31")
	if r := h.CredctlIn("rotated-secret\n", "rotate-secret", "billing", "--new-secret-stdin"); r.Code != 2 ||
		!strings.Contains(r.Stderr, "--no-secret-expiry") {
		t.Fatalf("rotate-secret without a date for a dated secret: %s", r)
	}
	h.MustCredctlIn("rotated-secret\n", "rotate-secret", "billing", "--new-secret-stdin", "--secret-expires", "2027-06-30")
	if r := h.Credctl("expiring", "--within", "36500d"); !strings.Contains(r.Stdout, "2027-06-30") || strings.Contains(r.Stdout, "2026-12-31") {
		t.Fatalf("credctl expiring after the rotation: %s", r)
	}
	idp.Reset(t)
	var tok struct {
		Cached bool `json:"cached"`
	}
	if err := h.MustCredctl("token", "billing", "--json").JSON(&tok); err != nil || !tok.Cached || idp.Stats(t).Token != 0 {
		t.Fatalf("credctl token after the rotation asked the IdP (cached %v, %d requests): %v", tok.Cached, idp.Stats(t).Token, err)
	}
}
