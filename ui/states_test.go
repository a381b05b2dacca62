package ui

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// firstShownRow is the lowest row the table renders now (-1: none), read
// without scrolling.
func (h *harness) firstShownRow() int {
	h.wb.table.Refresh()
	first := -1
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*tableCell); ok && c.Visible() && c.id.Row < len(h.wb.m.View()) && (first < 0 || c.id.Row < first) {
			first = c.id.Row
		}
	})
	return first
}

func TestFilterOnAScrolledListStartsAtTheTopAndDropsAHiddenSelection(t *testing.T) {
	repo := newRepo(t, nil)
	var ps []credentials.Profile
	for i := range 203 {
		ps = append(ps, credentials.Profile{Name: fmt.Sprintf("svc %03d", i), Type: credentials.TypeApplication,
			TokenURL: "https://idp.example.com/token", ClientID: fmt.Sprintf("client-%03d", i)})
	}
	seedNoSecrets(t, repo, ps...)
	h := newHarness(t, repo, nil)
	h.key(fyne.KeyEnd) // select the last row; the table scrolls down to it
	if h.wb.m.Sel.Selected() == nil || h.wb.m.Sel.Selected().P.Name != "svc 202" {
		t.Fatal("End should select the last row")
	}
	if h.firstShownRow() < 100 {
		t.Fatalf("End should scroll to the bottom; first shown row %d", h.firstShownRow())
	}
	test.Type(h.wb.filter, "svc 01")
	if got := h.wb.bar.count.Text; got != "10 of 203 profiles" {
		t.Fatalf("count = %q", got)
	}
	if got := h.firstShownRow(); got != 0 {
		t.Errorf("a filtered list must show its first rows; first shown row is %d", got)
	}
	if h.wb.m.Sel.SelectedID() != "" || !h.wb.toolbar["Edit"].Disabled() || !h.wb.toolbar["Delete"].Disabled() {
		t.Error("the profile the filter hides must not stay selected for Edit/Delete")
	}
	if h.wb.details.title.Text != "No profile selected" {
		t.Errorf("details still show %q", h.wb.details.title.Text)
	}

	// Down from the filter moves into the results.
	h.win.Canvas().Focus(h.wb.filter)
	h.wb.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if h.win.Canvas().Focused() != nil || h.wb.m.Sel.Selected() == nil || h.wb.m.Sel.Selected().P.Name != "svc 010" {
		t.Fatalf("Down in the filter should select the first match and leave the filter")
	}
	h.key(fyne.KeyPageDown)
	if i, want := h.wb.m.ViewIndex(h.wb.m.Sel.SelectedID()), min(h.wb.tbl.pageRows(), 9); i != want || want < 2 {
		t.Errorf("PageDown should move a screen (%d rows), is at %d", want, i)
	}
	h.key(fyne.KeyEnd)
	if i := h.wb.m.ViewIndex(h.wb.m.Sel.SelectedID()); i != 9 {
		t.Errorf("End should select the last row, selected %d", i)
	}
	h.key(fyne.KeyHome)
	if i := h.wb.m.ViewIndex(h.wb.m.Sel.SelectedID()); i != 0 {
		t.Errorf("Home should select the first row, selected %d", i)
	}
}

// A busy row allows the same actions on the toolbar as in its menu.
func TestToolbarAndMenuAgreeOnABusyRow(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, userProfile("Portal", "portal", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)
	h.selectProfile("Portal")
	r := h.wb.m.Sel.Selected()
	h.wb.m.SetBusy(r.P.ID, model.BusyTesting)
	h.wb.refreshRow(r.P.ID)
	menu := map[string]bool{}
	for _, it := range rowMenu(h.wb.m, &h.wb.acts, r).Items {
		menu[it.Label] = !it.Disabled
	}
	for tool, item := range map[string]string{"Delete": "Delete…", "Edit": "Edit…", "Test": "Test (Ctrl+T)",
		"Login": "Log in with this credential (Ctrl+L)", "Logout": "Log out", "Request": menuRequest} {
		if on := !h.wb.toolbar[tool].Disabled(); on != menu[item] {
			t.Errorf("%s: toolbar enabled=%v, menu enabled=%v", tool, on, menu[item])
		}
	}
	if !h.wb.toolbar["Delete"].Disabled() {
		t.Error("Delete must be disabled while the row is busy")
	}
	h.wb.screens.deleteSelected()
	if h.wb.dialogs.top() != nil {
		t.Error("the Delete handler must refuse a busy row too")
	}
}

func TestProfileWithoutSecretNeedsSecretAndIsNotTested(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	imported := appProfile("Imported", idp)
	seedNoSecrets(t, repo, imported)
	saveProfile(t, repo, appProfile("Working", idp), testidp.AppClientSecret)
	h := newHarness(t, repo, nil)
	if got := h.statusOf("Imported"); got != "Needs secret" {
		t.Fatalf("a profile without a secret shows %q", got)
	}
	h.tap(h.wb.toolbar["Test all"])
	h.waitFor("Test all", func() bool { return strings.HasPrefix(h.wb.bar.text.Text, "Tested") })
	if got := h.wb.bar.text.Text; !strings.Contains(got, "1 active, 0 not") || !strings.Contains(got, "1 need a secret") {
		t.Errorf("Test all summary = %q", got)
	}
	if got := h.statusOf("Imported"); got != "Needs secret" {
		t.Errorf("after Test all the profile shows %q", got)
	}
	if p, _ := repo.Get("Imported"); p.LastStatus != credentials.StatusUntested || p.LastChecked.IsZero() == false {
		t.Errorf("a profile without a secret was tested: %+v", p.Bookkeeping)
	}

	// Easy to fill in: the details offer it, Test opens it, Enter saves.
	h.selectProfile("Imported")
	d := h.wb.details
	if !d.action.Visible() || !strings.Contains(d.action.Text, "secret") || d.sections["failure"].Visible() {
		t.Fatalf("details should offer to set the secret, not show an error; action %q", d.action.Text)
	}
	h.shortcut(fyne.KeyT)
	s := h.wb.dialogs.top()
	if s == nil || s.input == nil || !strings.Contains(s.title, "client secret") {
		t.Fatal("Test on a profile without a secret should ask for it")
	}
	test.Type(s.input, testidp.AppClientSecret)
	s.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the secret to be saved and tested", func() bool { return h.statusOf("Imported") == "Active" })
	if v, err := repo.Secrets.Get(h.wb.m.Sel.SelectedID(), credentials.ClientSecret); err != nil || v != testidp.AppClientSecret {
		t.Errorf("keyring = %q, %v", v, err)
	}
}

func TestUserNotLoggedInSaysSoAndOffersLogin(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile"}, "")
	h := newHarness(t, repo, nil)
	h.selectProfile("Portal")
	h.shortcut(fyne.KeyT)
	h.waitFor("the test", func() bool {
		return h.wb.m.Busy(h.wb.m.Sel.SelectedID()) == model.Idle && strings.Contains(h.wb.bar.text.Text, "Not logged in")
	})
	if got := h.statusOf("Portal"); got != string(credentials.StatusUntested) { // never logged in: not "Logged out" (#24.4)
		t.Errorf("row = %q", got)
	}
	if got := h.wb.bar.text.Text; !strings.Contains(got, "Not logged in") || strings.Contains(got, "refused") {
		t.Errorf("status bar = %q", got)
	}
	d := h.wb.details
	if d.sections["failure"].Visible() || !d.action.Visible() || d.action.Text != "Log in" {
		t.Errorf("details: failure shown %v, action %q", d.sections["failure"].Visible(), d.action.Text)
	}

	// A test request says the same.
	h.shortcut(fyne.KeyR)
	rd := h.wb.screens.req
	if rd == nil {
		t.Fatal("no request dialog")
	}
	rd.url.SetText("https://127.0.0.1:1/api")
	h.send(rd)
	texts := dialogTexts(h)
	if !strings.Contains(texts, "Not logged in") || strings.Contains(texts, "refused or abandoned") {
		t.Errorf("request dialog says:\n%s", texts)
	}
}

func TestLoginDialogSaysTheBrowserErrorOnceAndShowsTheURL(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid"}, "")
	broken := browserFunc(func(string) error {
		return errors.New("the browser could not be opened (exit status 4): open the login URL in a browser yourself")
	})
	h := newHarness(t, repo, broken)
	h.selectProfile("Portal")
	h.shortcut(fyne.KeyL)
	s := h.wb.dialogs.top()
	h.waitFor("the login URL", func() bool { return strings.Contains(s.body.Text, "could not be opened") })
	if n := strings.Count(strings.ToLower(s.body.Text), "could not be opened"); n != 1 {
		t.Errorf("the browser error is said %d times: %q", n, s.body.Text)
	}
	var url *widget.Label
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Selectable {
			url = l
		}
	})
	// The one-time local start address (issue #18), not the IdP's URL.
	if url == nil || !strings.HasPrefix(url.Text, "http://127.0.0.1:") || !strings.Contains(url.Text, "/start/") {
		t.Fatal("the login URL should be shown as selectable text")
	}
	if s.button("Copy login URL").Disabled() {
		t.Error("Copy login URL should be enabled")
	}
	h.tap(s.button("Cancel"))
	h.waitFor("the cancel", func() bool { return strings.Contains(h.wb.bar.text.Text, "cancelled") })
}

// The details show what the token store holds: after a restart the claims
// of the stored token, and after the token is dropped (here: the profile
// changed in another window) nothing older.
func TestDetailsShowOnlyTheTokenTheStoreHolds(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, appProfile("Reports", idp), testidp.AppClientSecret)
	h := newHarness(t, repo, nil)
	h.selectProfile("Reports")
	h.shortcut(fyne.KeyT)
	h.waitFor("Active", func() bool { return h.statusOf("Reports") == "Active" })
	if d := h.wb.details; !d.sections["token"].Visible() || len(d.token.Objects) == 0 || d.noToken.Visible() {
		t.Fatal("the details should show the token's claims")
	}
	// The claims without the expiry line: the store keeps the expiry the
	// token response gave, the live token may round it a second apart.
	withoutExpiry := func(s string) string { s, _, _ = strings.Cut(s, "Expires\n"); return s }
	claims := withoutExpiry(texts(h.wb.details.token))

	// "Restart": a new service and workbench on the same store.
	svc := oauthflow.NewService(repo, nil, nil)
	t.Cleanup(svc.Close)
	h2 := newHarnessOps(t, repo, svc)
	h2.selectProfile("Reports")
	d := h2.wb.details
	if got := withoutExpiry(texts(d.token)); !d.sections["token"].Visible() || got != claims || !strings.Contains(texts(d.token), "Expires") {
		t.Errorf("after a restart the details show claims\n%s\nwant\n%s", got, claims)
	}

	// Changed elsewhere: the stored token no longer belongs to the profile.
	p, _ := repo.Get("Reports")
	p.Scope = "api:read"
	if _, err := svc.Save(p, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	h2.waitFor("the reload", func() bool { r := h2.wb.m.Sel.Selected(); return r != nil && r.P.Scope == "api:read" })
	if d.sections["token"].Visible() && len(d.token.Objects) > 0 {
		t.Errorf("the old token's claims stay:\n%s", texts(d.token))
	}
}

// "Log in as another user" asks the IdP for a fresh login (prompt=login),
// so a second user's roles can be compared without clearing cookies.
func TestLoginAsAnotherUser(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithUser(testidp.User{Username: "bob", Password: "builder", Roles: []string{"viewer"}}))
	repo := newRepo(t, nil)
	saveProfile(t, repo, credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile", RolesClaim: "roles"}, "")
	var (
		mu   sync.Mutex
		urls []string
		user = testidp.Username
		pass = testidp.Password
	)
	// The opener gets the one-time start address; the IdP URL it leads to
	// is what carries prompt=.
	seen := testidp.WithAuthURL(func(u *url.URL) {
		mu.Lock()
		urls = append(urls, u.String())
		mu.Unlock()
	})
	browser := browserFunc(func(u string) error {
		mu.Lock()
		who, pw := user, pass
		mu.Unlock()
		return loginBrowser(t, idp, who, pw, seen).Open(u)
	})
	h := newHarness(t, repo, browser)
	h.selectProfile("Portal")
	h.shortcut(fyne.KeyL)
	h.waitFor("alice", func() bool { return h.statusOf("Portal") == "Active (alice)" })
	h.key(fyne.KeyEscape)
	d := h.wb.details
	if !d.action.Visible() || d.action.Text != "Log in as another user" {
		t.Fatalf("the details of a logged-in User profile should offer another user; action %q", d.action.Text)
	}
	mu.Lock()
	user, pass = "bob", "builder"
	mu.Unlock()
	test.Tap(d.action)
	h.waitFor("bob", func() bool { return h.statusOf("Portal") == "Active (bob)" })
	mu.Lock()
	defer mu.Unlock()
	if len(urls) != 2 || strings.Contains(urls[0], "prompt=") || !strings.Contains(urls[1], "prompt=login") {
		t.Errorf("login URLs: %v", urls)
	}
}
