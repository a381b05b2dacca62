package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

func userProfile(name, clientID, authURL string) credentials.Profile {
	return credentials.Profile{Name: name, Type: credentials.TypeUser, ClientID: clientID,
		AuthURL: authURL, TokenURL: strings.Replace(authURL, "/auth", "/token", 1)}
}

func TestEmptyTableShowsFirstRunHint(t *testing.T) {
	h := newHarness(t, newRepo(t, nil), nil)
	if !h.wb.tbl.emptyHint.Visible() || h.wb.table.Visible() {
		t.Fatal("an empty store should show the first-run hint instead of the table")
	}
	var add *widget.Button
	walk(h.wb.tbl.emptyHint, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, "Add") {
			add = b
		}
	})
	h.tap(add)
	if h.wb.screens.form == nil || h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Add profile" {
		t.Fatal("the hint's Add button should open the Add form")
	}
	if h.wb.screens.form.save.Disabled() == false {
		t.Error("Save must be disabled while the empty form is invalid")
	}
}

func TestFilterAndSort(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo,
		userProfile("Zeta portal", "zeta-client", "https://zeta.example.com/auth"),
		userProfile("alpha portal", "alpha-client", "https://alpha.example.com/auth"),
		userProfile("Mid portal", "shared-id", "https://idp.corp.example/auth"),
	)
	h := newHarness(t, repo, nil)
	if got := h.columnTexts(colName); !slices.Equal(got, []string{"alpha portal", "Mid portal", "Zeta portal"}) {
		t.Fatalf("initial order by name = %v", got)
	}
	if h.wb.bar.count.Text != "3 profiles" {
		t.Errorf("count = %q", h.wb.bar.count.Text)
	}

	// Clicking the Name header reverses the order; Client ID sorts by it.
	test.Tap(h.header(colName))
	if got := h.columnTexts(colName); !slices.Equal(got, []string{"Zeta portal", "Mid portal", "alpha portal"}) {
		t.Fatalf("after clicking Name = %v", got)
	}
	if hc := h.header(colName); !hc.icon.Visible() || hc.icon.Resource != theme.MoveDownIcon() || strings.ContainsAny(hc.label.Text, "▲▼") {
		t.Errorf("Name header should show a descending theme icon (no Unicode arrow), shows %q", hc.label.Text)
	}
	test.Tap(h.header(colClientID))
	if got := h.columnTexts(colClientID); !slices.Equal(got, []string{"alpha-client", "shared-id", "zeta-client"}) {
		t.Fatalf("after clicking Client ID = %v", got)
	}

	// The filter narrows by name, client ID and endpoint as one types.
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"zeta", []string{"Zeta portal"}},
		{"SHARED", []string{"Mid portal"}},
		{"corp.example", []string{"Mid portal"}},
		{"portal", []string{"alpha portal", "Mid portal", "Zeta portal"}},
		{"nothing-like-this", nil},
	} {
		h.wb.filter.SetText("")
		test.Type(h.wb.filter, c.q)
		got := h.columnTexts(colName)
		slices.SortFunc(got, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
		if !slices.Equal(got, c.want) {
			t.Errorf("filter %q shows %v, want %v", c.q, got, c.want)
		}
	}
	if h.wb.bar.count.Text != "0 of 3 profiles" {
		t.Errorf("count with a filter = %q", h.wb.bar.count.Text)
	}
	// Escape in the filter clears it.
	h.wb.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.wb.m.View()) != 3 {
		t.Errorf("Escape in the filter should clear it; %d rows shown", len(h.wb.m.View()))
	}
}

func TestRightClickMenuOffersLoginForUserProfiles(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, userProfile("Portal", "portal", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)
	test.TapSecondary(h.cell(0, colStatus))
	if h.win.Canvas().Overlays().Top() == nil || h.wb.menu == nil {
		t.Fatal("right-click should pop up a menu")
	}
	var items []string
	for _, it := range h.wb.menu.Items {
		items = append(items, it.Label)
	}
	if !slices.Contains(items, "Log in with this credential (Ctrl+L)") || !slices.Contains(items, "Delete…") {
		t.Fatalf("right-click menu items = %v", items)
	}
	if h.wb.m.Sel.Selected() == nil || h.wb.m.Sel.Selected().P.Name != "Portal" {
		t.Error("right-click should select the row")
	}
}

func TestAddApplicationProfileTypedTurnsActive(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	repo := newRepo(t, nil)
	h := newHarness(t, repo, nil)

	h.shortcut(fyne.KeyN)
	f := h.wb.screens.form
	if f == nil {
		t.Fatal("Ctrl+N did not open the Add form")
	}
	if !f.fields[credentials.FieldAudience].label.Visible() || f.fields[credentials.FieldAuthURL].label.Visible() {
		t.Error("an Application form shows audience, not the authorization endpoint")
	}
	test.Type(f.name, "Billing/API")
	if msg := f.message(credentials.FieldName); !strings.Contains(msg, "letters, digits") {
		t.Errorf("name message = %q", msg)
	}
	f.name.SetText("")
	test.Type(f.name, "Billing API")
	test.Type(f.tokenURL, "http://idp.example.com/token")
	if msg := f.message(credentials.FieldTokenURL); !strings.Contains(msg, "https") {
		t.Errorf("token URL message = %q", msg)
	}
	if !f.save.Disabled() {
		t.Error("Save must be disabled while the form is invalid")
	}
	f.tokenURL.SetText("")
	test.Type(f.tokenURL, idp.TokenURL)
	test.Type(f.clientID, testidp.AppClientID)
	test.Type(f.scope, testidp.AppScopes)
	if !strings.Contains(f.problems.Text, "Client secret") {
		t.Errorf("the summary should say the secret is still needed: %q", f.problems.Text)
	}
	test.Type(f.secret, testidp.AppClientSecret)
	f.advanced.Open(0)
	test.Type(f.caFile, idp.CAFile)
	if f.save.Disabled() {
		t.Fatalf("Save still disabled: %q", f.problems.Text)
	}
	h.tap(f.save)
	h.waitFor("the profile to be saved and tested Active", func() bool { return h.statusOf("Billing API") == "Active" })
	if h.wb.dialogs.top() != nil {
		t.Error("the form should close after Save")
	}
	if got := h.cellText(h.rowOf("Billing API"), colExpires); !strings.Contains(got, "m") {
		t.Errorf("Expires in = %q", got)
	}
	if c := h.cell(h.rowOf("Billing API"), colStatus); c.label.Importance != widget.SuccessImportance {
		t.Error("Active should be shown in the success colour")
	}
	// The details show the token's claims, never the secret.
	d := h.wb.details
	if !d.sections["token"].Visible() {
		t.Fatal("details should show the current token")
	}
	var texts []string
	walk(d.box, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	})
	all := strings.Join(texts, "\n")
	for _, want := range []string{testidp.AppUsername, "service", idp.Issuer, "set on"} {
		if !strings.Contains(all, want) {
			t.Errorf("details lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, testidp.AppClientSecret) {
		t.Error("the details show the client secret")
	}
	if v, err := repo.Secrets.Get(h.wb.m.Sel.SelectedID(), credentials.ClientSecret); err != nil || v != testidp.AppClientSecret {
		t.Errorf("keyring secret = %q, %v", v, err)
	}
}

func TestAddUserProfileByTyping(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	h := newHarness(t, newRepo(t, nil), nil)
	h.tap(h.wb.toolbar["Add"])
	f := h.wb.screens.form
	f.typ.SetSelected(typeUser)
	if !f.fields[credentials.FieldAuthURL].label.Visible() || !f.fields[credentials.FieldRedirectPort].label.Visible() ||
		!f.fields[credentials.FieldRolesClaim].label.Visible() || !f.fields[credentials.FieldAudience].label.Visible() ||
		!f.fields[credentials.FieldResource].label.Visible() {
		t.Fatal("a User form shows the authorization endpoint, redirect port, claims, audience and resource")
	}
	test.Type(f.name, "Portal login")
	test.Type(f.clientID, testidp.PublicClientID)
	test.Type(f.redirectPort, "80")
	if msg := f.message(credentials.FieldRedirectPort); !strings.Contains(msg, "1024") {
		t.Errorf("redirect port message = %q", msg)
	}
	f.redirectPort.SetText("")
	test.Type(f.issuer, idp.Issuer)
	h.tap(f.discover)
	h.waitFor("discovery to fill the endpoints", func() bool { return f.tokenURL.Text != "" && f.authURL.Text != "" })
	if f.tokenURL.Text != idp.TokenURL || f.authURL.Text != idp.AuthURL {
		t.Errorf("discovered %q %q, want %q %q", f.tokenURL.Text, f.authURL.Text, idp.TokenURL, idp.AuthURL)
	}
	test.Type(f.scope, "openid profile")
	test.Type(f.rolesClaim, "realm_access.roles")
	h.tap(f.save)
	h.waitFor("the User row", func() bool { return h.rowOf("Portal login") >= 0 })
	i := h.rowOf("Portal login")
	if got := h.cellText(i, colType); got != "User" {
		t.Errorf("type = %q", got)
	}
	if got := h.cellText(i, colGrant); got != "Authorization Code" {
		t.Errorf("grant = %q", got)
	}
	if got := h.cellText(i, colStatus); got != "Untested" {
		t.Errorf("a new User profile is Untested until login, got %q", got)
	}
}

func TestEditKeepsTheSecret(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saved := saveProfile(t, repo, appProfile("Reports", idp), testidp.AppClientSecret)
	h := newHarness(t, repo, nil)

	// Double-click opens Edit.
	test.DoubleTap(h.cell(h.rowOf("Reports"), colClientID))
	f := h.wb.screens.form
	if f == nil || f.orig == nil || f.orig.ID != saved.ID {
		t.Fatal("double-click did not open the Edit form of the row")
	}
	if f.secret.Text != "" || !strings.Contains(f.secret.PlaceHolder, "keep") {
		t.Errorf("edit secret entry = %q placeholder %q: should be empty, saying it keeps the secret", f.secret.Text, f.secret.PlaceHolder)
	}
	f.scope.SetText("api:read")
	h.tap(f.save)
	h.waitFor("the edit to be saved and tested", func() bool { return h.statusOf("Reports") == "Active" })
	got, err := repo.Get(saved.ID)
	if err != nil || got.Scope != "api:read" || !got.HasSecret {
		t.Fatalf("after edit: %+v, %v", got, err)
	}
	if v, err := repo.Secrets.Get(saved.ID, credentials.ClientSecret); err != nil || v != testidp.AppClientSecret {
		t.Errorf("the secret changed on edit: %q, %v", v, err)
	}
}

func TestDeleteAsksAndCancelKeeps(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, credentials.Profile{Name: "Old app", Type: credentials.TypeApplication,
		TokenURL: "https://idp.example.com/token", ClientID: "old"}, "old-secret")
	seedNoSecrets(t, repo, userProfile("Keep me", "keep", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)

	h.selectProfile("Old app")
	h.key(fyne.KeyDelete)
	if h.wb.dialogs.top() == nil || !strings.Contains(h.wb.dialogs.top().body.Text, `"Old app"`) || !strings.Contains(h.wb.dialogs.top().body.Text, "cannot be undone") {
		t.Fatalf("Delete should ask, naming the profile and warning: %+v", h.wb.dialogs.top())
	}
	h.tap(h.wb.dialogs.top().button("Cancel"))
	if h.wb.dialogs.top() != nil || h.rowOf("Old app") < 0 {
		t.Fatal("Cancel must keep the profile")
	}
	if _, err := repo.Get(p.ID); err != nil {
		t.Fatal(err)
	}

	h.tap(h.wb.toolbar["Delete"])
	h.tap(h.wb.dialogs.top().button("Delete"))
	h.waitFor("the row to go", func() bool { return h.rowOf("Old app") < 0 })
	if _, err := repo.Get(p.ID); !errors.Is(err, credentials.ErrNotFound) {
		t.Errorf("store still has it: %v", err)
	}
	if _, err := repo.Secrets.Get(p.ID, credentials.ClientSecret); !errors.Is(err, credentials.ErrSecretNotFound) {
		t.Errorf("keyring still has the secret: %v", err)
	}
	if h.rowOf("Keep me") < 0 {
		t.Error("the other profile vanished")
	}
}

func TestFailingProfileShowsCategoryAndAdvice(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, appProfile("Wrong secret", idp), "not-the-secret")
	h := newHarness(t, repo, nil)
	h.selectProfile("Wrong secret")
	h.shortcut(fyne.KeyT)
	if got := h.statusOf("Wrong secret"); got != "Testing…" {
		t.Errorf("while testing the row says %q", got)
	}
	h.waitFor("the test to fail", func() bool { return strings.HasPrefix(h.statusOf("Wrong secret"), "Failed") })
	if got := h.statusOf("Wrong secret"); got != "Failed: Credentials" {
		t.Errorf("status = %q", got)
	}
	if c := h.cell(h.rowOf("Wrong secret"), colStatus); c.label.Importance != widget.DangerImportance {
		t.Error("Failed should be shown in the danger colour")
	}
	d := h.wb.details
	if !d.sections["failure"].Visible() || !strings.HasPrefix(d.failure.Text, "Credentials:") ||
		!strings.Contains(d.advice.Text, "Verify the client ID and client secret") {
		t.Fatalf("details: failure %q advice %q", d.failure.Text, d.advice.Text)
	}
	if !strings.Contains(d.history.Text, "failed") {
		t.Errorf("history = %q", d.history.Text)
	}
}

func TestLoginEndsWithLoggedInAs(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, credentials.Profile{Name: "Alice portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile", RolesClaim: "roles"}, "")
	h := newHarness(t, repo, loginBrowser(t, idp, testidp.Username, testidp.Password))
	h.selectProfile("Alice portal")
	h.shortcut(fyne.KeyL)
	if h.wb.dialogs.top() == nil || !strings.Contains(h.wb.dialogs.top().body.Text, "Waiting for the browser") {
		t.Fatal("Login should show the waiting dialog")
	}
	if h.wb.dialogs.top().button("Cancel") == nil || h.wb.dialogs.top().button("Copy login URL") == nil {
		t.Fatal("the waiting dialog offers Cancel and Copy login URL")
	}
	h.waitFor("Logged in as", func() bool {
		return h.wb.dialogs.top() != nil && strings.HasPrefix(h.wb.dialogs.top().body.Text, "Logged in as")
	})
	msg := h.wb.dialogs.top().body.Text
	if !strings.Contains(msg, "Logged in as "+testidp.Username) || !strings.Contains(msg, "admin, viewer") {
		t.Errorf("message = %q", msg)
	}
	if got := h.statusOf("Alice portal"); got != "Active ("+testidp.Username+")" {
		t.Errorf("row status = %q", got)
	}
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() != nil {
		t.Error("Escape should close the dialog")
	}
}

func TestLoginCancelKeepsState(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, credentials.Profile{Name: "Slow user", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid"}, "")
	var opened string
	h := newHarness(t, repo, browserFunc(func(u string) error { opened = u; return nil }))
	h.selectProfile("Slow user")
	h.tap(h.wb.toolbar["Login"])
	copyBtn := h.wb.dialogs.top().button("Copy login URL")
	h.waitFor("the login URL", func() bool { return !copyBtn.Disabled() })
	h.tap(copyBtn)
	// The one-time local start address (issue #18), not the IdP's URL.
	if got := h.app.Clipboard().Content(); !strings.HasPrefix(got, "http://127.0.0.1:") || !strings.Contains(got, "/start/") {
		t.Errorf("clipboard = %q", got)
	}
	_ = opened
	h.tap(h.wb.dialogs.top().button("Cancel"))
	h.waitFor("the login to end", func() bool { return h.wb.m.Busy(h.wb.m.Sel.SelectedID()) == model.Idle })
	// The dead login URL does not stay in the clipboard.
	if got := h.app.Clipboard().Content(); got != "" {
		t.Errorf("after the login the clipboard still holds %q", got)
	}
	if got := h.statusOf("Slow user"); got != "Untested" {
		t.Errorf("after cancel the row says %q", got)
	}
	if !strings.Contains(h.wb.bar.text.Text, "cancelled") {
		t.Errorf("status bar = %q", h.wb.bar.text.Text)
	}
}

// heldTests is the real service whose tests wait until released: what the
// window does meanwhile is done while they are in flight, counted, not
// timed.
type heldTests struct {
	*oauthflow.Service
	release  chan struct{}
	started  atomic.Int64
	returned atomic.Int64
}

func (o *heldTests) Test(ctx context.Context, id string) (oauthflow.Result, error) {
	o.started.Add(1)
	defer o.returned.Add(1)
	select {
	case <-o.release:
	case <-ctx.Done():
	}
	return o.Service.Test(ctx, id)
}

// The window answers taps while Test all runs: the taps are handled, and
// none of the tests has returned by the time they are (the tests are held,
// so a tap that waited for them would hang instead).
func TestTapHandledWhileTestAllInFlight(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, appProfile("One", idp), testidp.AppClientSecret)
	saveProfile(t, repo, appProfile("Two", idp), testidp.AppClientSecret)
	svc := oauthflow.NewService(repo, nil, nil)
	t.Cleanup(svc.Close)
	ops := &heldTests{Service: svc, release: make(chan struct{})}
	h := newHarnessOps(t, repo, ops)
	released := false
	release := func() {
		if !released {
			released = true
			close(ops.release)
		}
	}
	t.Cleanup(release)
	h.tap(h.wb.toolbar["Test all"])
	if !h.wb.bar.activity.Visible() || h.statusOf("One") != "Testing…" {
		t.Fatalf("Test all should show progress; row says %q", h.statusOf("One"))
	}
	test.Tap(h.header(colName))
	test.Tap(h.cell(h.rowOf("Two"), colName))
	if n := ops.returned.Load(); n != 0 {
		t.Fatalf("%d tests returned before the taps were handled; they are held", n)
	}
	if h.wb.m.Sel.Selected() == nil || h.wb.m.Sel.Selected().P.Name != "Two" {
		t.Error("the row tap was not handled while testing")
	}
	if got := h.columnTexts(colName); !slices.Equal(got, []string{"Two", "One"}) {
		t.Errorf("the sort tap was not handled while testing: %v", got)
	}
	if h.statusOf("One") != "Testing…" {
		t.Fatal("Test all finished too early to prove anything")
	}
	release()
	h.waitFor("Test all to finish", func() bool { return h.statusOf("One") == "Active" && h.statusOf("Two") == "Active" })
	if n := ops.started.Load(); n != 2 {
		t.Errorf("%d tests started, want 2", n)
	}
	if h.wb.bar.activity.Visible() {
		t.Error("the progress bar should hide when done")
	}
}

func TestKeyboardShortcuts(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, userProfile("Keys", "keys", "https://idp.example.com/auth"),
		userProfile("More keys", "more", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)

	h.shortcut(fyne.KeyF)
	if h.win.Canvas().Focused() != h.wb.filter {
		t.Error("Ctrl+F should focus the filter")
	}
	h.win.Canvas().Unfocus()
	h.shortcut(fyne.KeyN)
	if h.wb.screens.form == nil || h.wb.screens.form.orig != nil {
		t.Fatal("Ctrl+N should open the Add form")
	}
	// Escape in a focused form entry closes the dialog.
	h.wb.screens.form.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.wb.dialogs.top() != nil || h.wb.screens.form != nil {
		t.Fatal("Escape should close the form")
	}
	h.key(fyne.KeyDown)
	if r := h.wb.m.Sel.Selected(); r == nil || r.P.Name != "Keys" {
		t.Fatalf("Down should select the first row: %v", r)
	}
	h.key(fyne.KeyDown)
	if r := h.wb.m.Sel.Selected(); r == nil || r.P.Name != "More keys" {
		t.Fatal("Down should move the selection")
	}
	h.key(fyne.KeyReturn)
	if h.wb.screens.form == nil || h.wb.screens.form.orig == nil || h.wb.screens.form.orig.Name != "More keys" {
		t.Fatal("Enter should edit the selection")
	}
	h.key(fyne.KeyEscape)
	h.key(fyne.KeyDelete)
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Delete profile" {
		t.Fatal("Delete should ask to delete the selection")
	}
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() != nil || h.rowOf("More keys") < 0 {
		t.Fatal("Escape should cancel the delete")
	}
}

func TestCorruptConfigBannerAndStartFresh(t *testing.T) {
	repo := newRepo(t, nil)
	path := repo.Store.Path()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"schemaVersion": 1, "profiles": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, repo, nil)
	if !h.wb.banner.showing() || !strings.Contains(h.wb.banner.text.Text, path) || !strings.Contains(h.wb.banner.text.Text, ".broken-") {
		t.Fatalf("banner = %q", h.wb.banner.text.Text)
	}
	if !h.wb.toolbar["Add"].Disabled() || !h.wb.toolbar["Import"].Disabled() {
		t.Error("a corrupt file makes the workbench read-only")
	}
	h.tap(h.wb.banner.fix)
	if h.wb.dialogs.top() == nil {
		t.Fatal("the fix should ask first")
	}
	h.tap(h.wb.dialogs.top().button("Start with an empty list (the broken file is kept)"))
	if h.wb.banner.showing() || h.wb.toolbar["Add"].Disabled() || !h.wb.tbl.emptyHint.Visible() {
		t.Fatal("after starting afresh the workbench is usable and empty")
	}
	matches, _ := filepath.Glob(path + ".broken-*")
	if len(matches) != 1 {
		t.Errorf("the broken file should be kept: %v", matches)
	}
}

// failingKeyring injects the "no Secret Service" failure.
func failingKeyring() *credtest.Keyring {
	err := errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	kr := credtest.NewKeyring()
	kr.GetErr, kr.DelErr, kr.SetErr = err, err, func(string) error { return err }
	return kr
}

func TestKeyringUnavailableBanner(t *testing.T) {
	repo := newRepo(t, failingKeyring())
	seedNoSecrets(t, repo, userProfile("Still listed", "x", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)
	h.wb.CheckKeyring()
	h.waitFor("the keyring banner", func() bool { return h.wb.banner.showing() })
	if !strings.Contains(h.wb.banner.text.Text, "keyring") || !strings.Contains(h.wb.banner.text.Text, "gnome-keyring") {
		t.Errorf("banner = %q", h.wb.banner.text.Text)
	}
	if h.rowOf("Still listed") < 0 {
		t.Error("profiles stay listed without a keyring")
	}
}

func TestImportPreviewSkipsInvalid(t *testing.T) {
	repo := newRepo(t, nil)
	h := newHarness(t, repo, nil)
	data := []byte(`{"format":"credworkbench-profiles","version":1,"profiles":[
	 {"name":"Good one","type":"application","tokenUrl":"https://idp.example.com/token","clientId":"good"},
	 {"name":"Bad/one","type":"application","tokenUrl":"ftp://x","clientId":"bad"}]}`)
	s := h.wb.screens.previewImport("profiles.json", data)
	if !strings.Contains(s.body.Text, "✓ Good one") || !strings.Contains(s.body.Text, "✗ Bad/one") ||
		!strings.Contains(s.body.Text, "must start with https") {
		t.Fatalf("preview = %q", s.body.Text)
	}
	h.tap(s.button("Import"))
	if h.rowOf("Good one") < 0 || len(h.wb.m.Rows()) != 1 {
		t.Fatalf("rows after import: %v", h.columnTexts(colName))
	}
	if !strings.Contains(h.wb.bar.text.Text, "skipped 1 invalid") {
		t.Errorf("status = %q", h.wb.bar.text.Text)
	}
}

func TestColumnWidthIsRemembered(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, userProfile("W", "w", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)
	hc := h.header(colEndpoint)
	before := h.wb.tbl.colWidths[colEndpoint]
	hc.Dragged(&fyne.DragEvent{Dragged: fyne.Delta{DX: 40}})
	hc.DragEnd()
	if got := h.app.Preferences().Float("table.column.3.width"); got != float64(before+40) {
		t.Errorf("remembered width = %v, want %v", got, before+40)
	}
	// A new workbench on the same app starts with that width.
	w2 := newWorkbench(h.app, test.NewTempWindow(t, nil), h.wb.ops, h.q.do)
	if w2.tbl.colWidths[colEndpoint] != before+40 {
		t.Errorf("new workbench width = %v", w2.tbl.colWidths[colEndpoint])
	}
}

func TestCountdown(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "expired", 12 * time.Second: "12s", 59*time.Minute + 58*time.Second: "59m 58s",
		time.Hour + 5*time.Minute: "1h 05m", 50 * time.Hour: "2d 02h",
	} {
		if got := model.Countdown(d); got != want {
			t.Errorf("model.Countdown(%v) = %q, want %q", d, got, want)
		}
	}
}

// liveRow is a workbench with one Active profile whose token expires in
// 90 s on the clock *now, which the test moves.
func liveRow(t *testing.T) (*harness, *time.Time) {
	t.Helper()
	repo := newRepo(t, nil)
	p := userProfile("Live", "live", "https://idp.example.com/auth")
	p.LastStatus = credentials.StatusActive
	seedNoSecrets(t, repo, p)
	h := newHarness(t, repo, nil)
	now := time.Now()
	h.wb.now = func() time.Time { return now }
	h.wb.m.Rows()[0].Edit().TokenExpiry = now.Add(90 * time.Second)
	return h, &now
}

func TestExpiresInCountsDownLive(t *testing.T) {
	h, now := liveRow(t)
	h.wb.tick()
	if got := h.cellText(0, colExpires); got != "1m 30s" {
		t.Fatalf("expires = %q", got)
	}
	*now = now.Add(91 * time.Second)
	h.wb.tick()
	if got, st := h.cellText(0, colExpires), h.cellText(0, colStatus); got != "—" || st != "Expired" {
		t.Errorf("after expiry: %q %q", got, st)
	}
}

func TestRotateSecretReportsEachStep(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, "brand-new-secret"))
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, appProfile("Rotating", idp), testidp.AppClientSecret)
	h := newHarness(t, repo, nil)
	h.selectProfile("Rotating")
	h.shortcut(fyne.KeyT)
	h.waitFor("the profile to be Active", func() bool { return h.statusOf("Rotating") == "Active" })

	h.tap(h.wb.toolbar["Rotate secret"])
	s := h.wb.dialogs.top()
	secret := s.input
	test.Type(secret, "wrong-secret")
	h.tap(s.button("Test and replace"))
	h.waitFor("the failed rotation", func() bool { return strings.Contains(s.body.Text, "✗") })
	if !strings.Contains(s.body.Text, "did not accept") || !strings.Contains(s.body.Text, "old secret stays in use") {
		t.Errorf("report = %q", s.body.Text)
	}
	if v, _ := repo.Secrets.Get(p.ID, credentials.ClientSecret); v != testidp.AppClientSecret {
		t.Fatalf("a rejected secret replaced the old one: %q", v)
	}
	// A refused candidate is the rotation's outcome, not the profile's.
	if got := h.statusOf("Rotating"); got != "Active" {
		t.Errorf("after a refused rotation the healthy profile shows %q", got)
	}
	if st := h.wb.bar.text.Text; strings.Contains(st, "Failed") || !strings.Contains(st, "old secret") {
		t.Errorf("status bar = %q", st)
	}
	if h.wb.details.sections["failure"].Visible() {
		t.Errorf("the details show a Last error after a refused rotation: %q", h.wb.details.failure.Text)
	}

	secret.SetText("brand-new-secret")
	h.tap(s.button("Test and replace"))
	h.waitFor("the rotation", func() bool { return strings.Contains(s.body.Text, "replaced the old one") })
	if !strings.Contains(s.body.Text, "✓ The IdP accepted the new secret") {
		t.Errorf("report = %q", s.body.Text)
	}
	if v, _ := repo.Secrets.Get(p.ID, credentials.ClientSecret); v != "brand-new-secret" {
		t.Errorf("keyring secret after rotation = %q", v)
	}
	h.waitFor("the row to be Active", func() bool { return h.statusOf("Rotating") == "Active" })
}

func TestImportPreviewAsksForEndpointsAndConfirmsNetworkSettings(t *testing.T) {
	repo := newRepo(t, nil)
	h := newHarness(t, repo, nil)
	// A client-registration array has no endpoints: Import waits for one.
	regs := []byte(`[{"clientId":"reports","authorizedGrantTypes":["client_credentials"],"scope":"read"}]`)
	s := h.wb.screens.previewImport("registrations.json", regs)
	if !s.button("Import").Disabled() {
		t.Fatalf("Import enabled before the token URL is given: %q", s.body.Text)
	}
	dlgTokenURL := findEntry(t, h, "or the token URL")
	test.Type(dlgTokenURL, "https://idp.example.com/token")
	if s.button("Import").Disabled() || !strings.Contains(s.body.Text, "✓ reports") {
		t.Fatalf("after the token URL: %q", s.body.Text)
	}
	h.tap(s.button("Import"))
	if h.rowOf("reports") < 0 {
		t.Fatalf("rows after import: %v", h.columnTexts(colName))
	}

	// A profile that turns TLS verification off needs an explicit yes.
	data := []byte(`{"format":"credworkbench-profiles","version":1,"profiles":[
	 {"name":"Lax","type":"application","tokenUrl":"https://idp.example.com/token","clientId":"lax","tls":{"insecureSkipVerify":true}}]}`)
	s = h.wb.screens.previewImport("profiles.json", data)
	if !strings.Contains(s.body.Text, "TLS verification OFF") || !s.button("Import").Disabled() {
		t.Fatalf("risky import preview = %q (Import disabled: %v)", s.body.Text, s.button("Import").Disabled())
	}
	trust := findCheck(t, h, "I trust these network settings")
	test.Tap(trust)
	if s.button("Import").Disabled() {
		t.Fatal("Import still disabled after the user trusted the settings")
	}
}

func findEntry(t *testing.T, h *harness, placeholder string) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	walk(h.wb.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, placeholder) {
			found = e
		}
	})
	if found == nil {
		t.Fatalf("no entry %q in the dialog", placeholder)
	}
	return found
}

func findCheck(t *testing.T, h *harness, label string) *widget.Check {
	t.Helper()
	var found *widget.Check
	walk(h.wb.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok && strings.HasPrefix(c.Text, label) {
			found = c
		}
	})
	if found == nil {
		t.Fatalf("no check %q in the dialog", label)
	}
	return found
}

// shownCellText reads what the rendered cell at row/col shows now, without
// refreshing the table first (h.cell refreshes it).
func (h *harness) shownCellText(row, col int) (string, bool) {
	var text string
	found := false
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*tableCell); ok && c.Visible() && c.id.Row == row && c.id.Col == col {
			text, found = c.label.Text, true
		}
	})
	return text, found
}

// The countdown and event results update the visible cells through
// refreshCells (no full table refresh, which builds a template cell and
// header each time): the cells must still show the new values.
func TestTickUpdatesCellsWithoutFullRefresh(t *testing.T) {
	h, now := liveRow(t)
	if h.cell(0, colExpires) == nil {
		t.Fatal("the Expires in cell is not shown")
	}
	*now = now.Add(30 * time.Second)
	h.wb.tick()
	if got, ok := h.shownCellText(0, colExpires); !ok || got != "1m 00s" {
		t.Fatalf("after a tick the cell shows %q (found %v), want 1m 00s", got, ok)
	}

	id := h.wb.m.Rows()[0].P.ID
	h.wb.onEvent(oauthflow.Event{ProfileID: id, Name: "Live", Kind: oauthflow.EventFailed, Time: *now,
		Result: &oauthflow.Result{ProfileID: id, Name: "Live", Status: credentials.StatusFailed, CheckedAt: *now,
			Failure: &oauthflow.Failure{Category: oauthflow.CatNetwork, Message: "no route"}}})
	// Within cellRefreshInterval of the tick's refresh: this one follows
	// a moment later.
	h.waitFor("the failed result in the status cell", func() bool {
		got, _ := h.shownCellText(0, colStatus)
		return strings.Contains(got, "renewal failing (Network)") // the token still counts down
	})
}

// Nothing counting down: the once-a-second tick leaves the table alone
// (each refresh re-shapes the headers), except once a minute for the
// texts that change with the date.
func TestIdleTickDoesNotRefreshTheTable(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, userProfile("Idle", "idle", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)
	if h.cell(0, colName) == nil {
		t.Fatal("the row is not shown")
	}
	h.wb.tbl.refreshCells()
	last := h.wb.tbl.lastCellRefresh
	for i := 0; i < 59 && h.wb.ticks%60 != 59; i++ {
		h.wb.tick()
	}
	if h.wb.tbl.lastCellRefresh != last {
		t.Fatal("an idle tick refreshed the table")
	}
	for h.wb.ticks%60 != 0 {
		h.wb.tick()
	}
	if h.wb.tbl.lastCellRefresh == last {
		t.Error("no refresh in a minute of ticks")
	}
}
