package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// The tray menu lists every profile with its status word, failing ones
// first, with the actions each allows; the icon turns to its failing
// variant while anything fails, and both follow status changes.
func TestTrayMenuFollowsStatuses(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	repo := newRepo(t, nil)
	good := saveProfile(t, repo, appProfile("good app", idp), testidp.AppClientSecret)
	bad := saveProfile(t, repo, appProfile("bad app", idp), "not-the-secret")
	user := saveProfile(t, repo, credentials.Profile{Name: "portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile offline_access", TLS: credentials.TLS{CAFile: idp.CAFile}}, "")
	t.Cleanup(func() {
		for _, id := range []string{good.ID, bad.ID, user.ID} {
			_ = repo.Delete(id)
		}
	})
	h := newHarness(t, repo, nil)
	ah := newAgentHarness(h, h.svc)
	if ah.tray.window != h.win {
		t.Error("the tray does not control the window (tap to show)")
	}
	if got := labels(ah.tray.menu); got[0] != trayOpen || got[2] != "3 profiles, none failing" || got[len(got)-1] != trayQuit {
		t.Fatalf("menu before any test: %q", got)
	}
	if !ah.tray.menu.Items[len(ah.tray.menu.Items)-1].IsQuit {
		t.Error("Quit is not marked as the quit item (fyne would add a second one)")
	}

	h.wb.tests.all()
	h.waitFor("the tests", func() bool {
		return strings.HasPrefix(h.statusOf("good app"), "Active") && strings.HasPrefix(h.statusOf("bad app"), "Failed")
	})
	ah.settle(trayDelay)
	got := labels(ah.tray.menu)
	want := []string{trayOpen, "---", "1 of 3 profiles failing", "bad app — Failed: ", "good app — Active", "portal — "}
	for i, w := range want {
		if i >= len(got) || !strings.HasPrefix(got[i], w) {
			t.Fatalf("menu %q, want it to start %q", got, want)
		}
	}
	if ah.tray.icon == nil || ah.tray.icon.Name() != "tray-failing.png" {
		t.Errorf("icon %v while a profile fails, want the failing variant", ah.tray.icon)
	}
	if l := labels(ah.tray.item(t, "good app").ChildMenu); strings.Join(l, ",") != trayCopy+","+trayTest {
		t.Errorf("Application profile actions %q", l)
	}
	if l := labels(ah.tray.item(t, "portal").ChildMenu); strings.Join(l, ",") != strings.Join([]string{trayCopy, trayTest, trayLogin, trayLogout}, ",") {
		t.Errorf("User profile actions %q", l)
	}

	// The secret fixed (as credctl or the form would), Test from the tray.
	p, _ := repo.Get("bad app")
	if _, err := h.svc.Save(p, credentials.SecretChange{ClientSecret: credentials.Secret(testidp.AppClientSecret)}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the saved profile", func() bool { h.wb.reload(); return true })
	ah.settle(trayDelay)
	ah.tapItem(t, ah.tray.item(t, trayTest, "bad app"))
	h.waitFor("the tray's Test", func() bool { return strings.HasPrefix(h.statusOf("bad app"), "Active") })
	ah.settle(trayDelay)
	if got := labels(ah.tray.menu); got[2] != "3 profiles, none failing" || !strings.HasPrefix(got[3], "bad app — Active") {
		t.Errorf("menu after the fix: %q", got)
	}
	if ah.tray.icon.Name() != "icon.png" {
		t.Errorf("icon %s with nothing failing, want the plain one", ah.tray.icon.Name())
	}

	// Open workbench shows the window; Quit quits.
	ah.tapItem(t, ah.tray.item(t, trayOpen))
	ah.tapItem(t, ah.tray.item(t, trayQuit))
	if ah.quits != 1 {
		t.Errorf("Quit ran %d times", ah.quits)
	}
}

// Copy access token puts the shared store's token on the clipboard without
// asking the IdP, and takes it off after 60 s unless the user copied
// something else meanwhile.
func TestTrayCopyTokenClearedAfter60s(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, appProfile("billing", idp), testidp.AppClientSecret)
	t.Cleanup(func() { _ = repo.Delete(p.ID) })
	h := newHarness(t, repo, nil)
	if res, err := h.svc.Test(context.Background(), "billing"); err != nil || !res.Active() {
		t.Fatalf("test: %v %+v", err, res.Failure)
	}
	ah := newAgentHarness(h, h.svc)
	ah.settle(trayDelay)
	idp.Reset(t)
	cb := h.app.Clipboard()

	ah.tapItem(t, ah.tray.item(t, trayCopy, "billing"))
	h.waitFor("the token on the clipboard", func() bool { return cb.Content() != "" })
	tok, cached, err := h.svc.FetchToken(context.Background(), "billing", oauthflow.TokenOptions{})
	if err != nil || !cached || cb.Content() != tok.AccessToken {
		t.Fatalf("clipboard does not hold the stored token (cached %v, %v)", cached, err)
	}
	if n := idp.Stats(t).Token; n != 0 {
		t.Errorf("copying asked the IdP %d times; the stored token should do", n)
	}
	if strings.Contains(h.wb.bar.text.Text, tok.AccessToken) {
		t.Error("the status bar shows the token")
	}
	ah.settle(59 * time.Second)
	if cb.Content() != tok.AccessToken {
		t.Fatal("cleared before 60 s")
	}
	ah.settle(time.Second)
	if cb.Content() != "" {
		t.Fatal("the token is still on the clipboard after 60 s")
	}

	// Something the user copied after the token stays.
	ah.tapItem(t, ah.tray.item(t, trayCopy, "billing"))
	h.waitFor("the token on the clipboard", func() bool { return cb.Content() != "" })
	cb.SetContent("the user's own text")
	ah.settle(61 * time.Second)
	if cb.Content() != "the user's own text" {
		t.Fatalf("clipboard %q: the user's copy was cleared", cb.Content())
	}
	for _, n := range ah.notes.all() {
		if strings.Contains(n.title+n.body, tok.AccessToken) {
			t.Fatal("a notification holds the token")
		}
	}

	// Quit within the 60 s takes the token off the clipboard first.
	ah.tapItem(t, ah.tray.item(t, trayCopy, "billing"))
	h.waitFor("the token on the clipboard", func() bool { return cb.Content() == tok.AccessToken })
	ah.tapItem(t, ah.tray.item(t, trayQuit))
	if ah.quits != 1 || cb.Content() != "" {
		t.Fatalf("after Quit: %d quits, the token still on the clipboard: %v", ah.quits, cb.Content() != "")
	}
}

// Notifications: once per episode (Active, then failing), grouped and
// rate-limited per kind, one per expiry stage, each kind off by its
// preference, and never a secret or token in the text.
func TestNotificationsOncePerEpisodeWithoutSecrets(t *testing.T) {
	requireKeyring(t)
	const secret2 = "app-secret-the-second"
	idp := testidp.Start(t, testidp.WithTLS(), testidp.WithRefreshTokenTTL(4*time.Second),
		testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, secret2))
	repo := newRepo(t, nil)
	app := saveProfile(t, repo, appProfile("billing", idp), testidp.AppClientSecret)
	user := saveProfile(t, repo, credentials.Profile{Name: "portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile offline_access", TLS: credentials.TLS{CAFile: idp.CAFile}}, "")
	t.Cleanup(func() { _ = repo.Delete(app.ID); _ = repo.Delete(user.ID) })
	h := newHarness(t, repo, loginBrowser(t, idp, testidp.Username, testidp.Password))
	ctx := context.Background()
	if res, err := h.svc.Login(ctx, "portal", oauthflow.LoginOptions{Timeout: 60 * time.Second}); err != nil || !res.Active() {
		t.Fatalf("login: %v %+v", err, res.Failure)
	}
	refresh, err := repo.Secrets.Get(user.ID, credentials.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	loggedInAt := time.Now()
	if res, _ := h.svc.Test(ctx, "billing"); !res.Active() {
		t.Fatalf("billing: %+v", res.Failure)
	}
	access, _, err := h.svc.FetchToken(ctx, "billing", oauthflow.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.q.drain()
	ah := newAgentHarness(h, h.svc)
	count := func() int { return len(ah.notes.all()) }
	last := func() note { n := ah.notes.all(); return n[len(n)-1] }
	test := func(name string, active bool) {
		t.Helper()
		res, _ := h.svc.Test(ctx, name)
		if res.Active() != active {
			t.Fatalf("%s: Active %v, want %v (%+v)", name, res.Active(), active, res.Failure)
		}
		h.waitFor("the result in the table", func() bool {
			// A failure while the token is valid: "Active — renewal failing (…)".
			s := h.statusOf(name)
			return (strings.HasPrefix(s, "Active") && !strings.Contains(s, "renewal failing")) == active
		})
	}

	// An outage: two failed renewals, one notification.
	idp.SetTokenFault(t, testidp.Fault{Status: 503, Count: 2})
	test("billing", false)
	test("billing", false)
	ah.settle(noteGroupDelay)
	if count() != 1 || last().title != "Renewal failed" || !strings.Contains(last().body, "billing was Active and failed to renew (") {
		t.Fatalf("after an outage: %+v", ah.notes.all())
	}
	// Back, then failing again: a new episode, sent after the minimum gap.
	test("billing", true)
	idp.SetTokenFault(t, testidp.Fault{Status: 503, Count: 1})
	test("billing", false)
	ah.settle(noteGroupDelay)
	if count() != 1 {
		t.Fatalf("a second renewal note within a minute of the first: %+v", ah.notes.all())
	}
	ah.settle(noteMinGap)
	if count() != 2 {
		t.Fatalf("the second episode was not told: %+v", ah.notes.all())
	}
	test("billing", true)

	// The session's refresh token expires at the IdP.
	time.Sleep(time.Until(loggedInAt.Add(5 * time.Second)))
	test("portal", false)
	ah.settle(noteGroupDelay)
	if count() != 3 || last().title != "Session ended" || !strings.Contains(last().body, "portal") {
		t.Fatalf("session end: %+v", ah.notes.all())
	}

	// A rotation.
	if res, err := h.svc.RotateSecret(ctx, "billing", secret2, oauthflow.RotateOptions{}); err != nil || !res.Active() {
		t.Fatalf("rotate: %v %+v", err, res.Failure)
	}
	h.waitFor("the rotation note", func() bool { ah.settle(noteGroupDelay); return count() == 4 })
	if last().title != "Secret rotated" {
		t.Fatalf("rotation: %+v", last())
	}

	// The secret expires in 20 days: one warning, then one at 7 days.
	p, _ := repo.Get("billing")
	p.SecretExpiresAt = ah.clock.Now().Add(20*24*time.Hour + time.Hour)
	if _, err := h.svc.Save(p, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the expiry warning", func() bool { ah.settle(noteGroupDelay); return count() == 5 })
	if n := last(); n.title != "Client secret expires soon" || !strings.Contains(n.body, "billing: the client secret expires in 20 days") {
		t.Fatalf("30-day warning: %+v", n)
	}
	ah.settle(2 * time.Hour)
	ah.settle(noteMinGap)
	if count() != 5 {
		t.Fatalf("the 30-day warning came again: %+v", ah.notes.all())
	}
	ah.settle(14 * 24 * time.Hour)
	ah.settle(noteMinGap)
	if count() != 6 || !strings.Contains(last().body, "billing: the client secret expires in 5 days") {
		t.Fatalf("7-day warning: %+v", ah.notes.all())
	}
	if got := h.app.Preferences().StringList(prefExpiryNoted); len(got) != 2 {
		t.Errorf("remembered warnings %q, want the 30- and 7-day ones", got)
	}

	// Turned off in the tray's Settings: no rotation note.
	ah.tapItem(t, ah.tray.item(t, fmt.Sprintf(trayNotifyFmt, noteRotated.label), traySettings))
	if h.app.Preferences().BoolWithFallback(PrefNotifyRotation, true) {
		t.Fatal("the Settings item did not turn rotation notes off")
	}
	rotations := func() int {
		n := 0
		for _, ev := range h.wb.m.History(app.ID) {
			if ev.Kind == oauthflow.EventRotated {
				n++
			}
		}
		return n
	}
	before := rotations()
	if _, err := h.svc.RotateSecret(ctx, "billing", testidp.AppClientSecret, oauthflow.RotateOptions{NoSecretExpiry: true}); err != nil {
		t.Fatal(err)
	}
	// Not a pause: the window has taken the rotation's event (and so had
	// its chance to queue a note).
	h.waitFor("the rotation event", func() bool { return rotations() > before })
	ah.settle(noteMinGap)
	if count() != 6 {
		t.Fatalf("a note of a kind turned off: %+v", last())
	}

	for _, n := range ah.notes.all() {
		for _, s := range []string{testidp.AppClientSecret, secret2, access.AccessToken, refresh} {
			if strings.Contains(n.title+n.body, s) {
				t.Fatalf("notification %+v holds a secret", n)
			}
		}
	}
}

// The first close asks; Keep running (the default, also Escape) hides the
// window with a one-time notification; Quit quits; later closes do as
// chosen without asking.
func TestCloseAsksOnceAndKeepsRunning(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	ah := newAgentHarness(h, nil)

	ah.agent.onClose()
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Keep running in the background?" {
		t.Fatal("the first close did not ask")
	}
	h.key("Escape") // the default: keep running
	ah.settle(noteGroupDelay)
	if ah.quits != 0 || !h.app.Preferences().Bool(PrefKeepRunning) {
		t.Fatalf("Escape quit (%d) or did not keep running", ah.quits)
	}
	if n := ah.notes.all(); len(n) != 1 || n[0].title != "Credential Workbench is still running" {
		t.Fatalf("notes %+v", n)
	}
	ah.agent.onClose() // asked already: hides, no second note
	ah.settle(noteMinGap)
	if h.wb.dialogs.top() != nil || len(ah.notes.all()) != 1 || ah.quits != 0 {
		t.Fatalf("second close: dialog %v, %d notes, %d quits", h.wb.dialogs.top() != nil, len(ah.notes.all()), ah.quits)
	}

	// Turned off in the tray: closing quits.
	ah.tapItem(t, ah.tray.item(t, trayKeep, traySettings))
	if ah.tray.item(t, trayAtLogin, traySettings).Checked || ah.tray.item(t, trayKeep, traySettings).Checked {
		t.Fatal("the Settings check marks do not follow the preferences")
	}
	ah.agent.onClose()
	if ah.quits != 1 {
		t.Fatalf("close with keep-running off: %d quits", ah.quits)
	}
}

// A fresh preference store: the question's Quit button quits.
func TestCloseQuestionQuit(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	ah := newAgentHarness(h, nil)
	ah.agent.onClose()
	h.tap(h.wb.dialogs.top().button("Quit"))
	if ah.quits != 1 || h.app.Preferences().BoolWithFallback(PrefKeepRunning, true) {
		t.Fatalf("Quit: %d quits, keep running %v", ah.quits, h.app.Preferences().Bool(PrefKeepRunning))
	}
}

// Start at login from the tray writes the real XDG entry (with --hidden)
// and turning it off removes it.
func TestStartAtLoginWritesAndRemovesTheEntry(t *testing.T) {
	home := isolateHome(t)
	t.Setenv("HOME", home)
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	ah := newAgentHarness(h, nil)
	exe := filepath.Join(home, "bin", "credworkbench")
	ah.agent.login = NewStartAtLogin(exe)
	entry := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "autostart", "io.github.credworkbench.desktop")

	if ah.tray.item(t, trayAtLogin, traySettings).Checked {
		t.Fatal("start at login is on by default")
	}
	ah.tapItem(t, ah.tray.item(t, trayAtLogin, traySettings))
	b, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("no entry: %v (status %q)", err, h.wb.bar.text.Text)
	}
	if !strings.Contains(string(b), `Exec="`+exe+`" "--hidden"`) {
		t.Errorf("entry:\n%s", b)
	}
	if !ah.tray.item(t, trayAtLogin, traySettings).Checked || !h.app.Preferences().Bool(PrefStartAtLogin) {
		t.Error("not checked after turning it on")
	}
	ah.tapItem(t, ah.tray.item(t, trayAtLogin, traySettings))
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Fatalf("entry still there: %v", err)
	}
	if h.app.Preferences().Bool(PrefStartAtLogin) {
		t.Error("preference still on")
	}
}

// A failing entry write leaves the preference off and says why.
func TestStartAtLoginFailureKeepsPreference(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	ah := newAgentHarness(h, nil)
	ah.atLog.err = fmt.Errorf("cannot write /x: permission denied")
	ah.tapItem(t, ah.tray.item(t, trayAtLogin, traySettings))
	if h.app.Preferences().Bool(PrefStartAtLogin) || !strings.Contains(h.wb.bar.text.Text, "permission denied") {
		t.Fatalf("pref %v, status %q", h.app.Preferences().Bool(PrefStartAtLogin), h.wb.bar.text.Text)
	}
}
