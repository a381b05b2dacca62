package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/ui/model"
)

// A Test that fails while the token of the last good one is still valid
// shows both facts (the token is still handed out, its renewal fails) in
// the row, the Expires column, the details and the tray's label; once the
// token runs out the row is Failed (#24.2).
func TestFailedTestKeepsAValidTokenActive(t *testing.T) {
	requireKeyring(t)
	idp, stopIdP, err := testidp.Launch(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { stopIdP() }) }
	t.Cleanup(stop)
	repo := newRepo(t, nil)
	saveProfile(t, repo, appProfile("Billing", idp), testidp.AppClientSecret)
	h := newHarness(t, repo, nil)
	h.selectProfile("Billing")
	testNow := func(what string, done func(string) bool) {
		t.Helper()
		h.shortcut(fyne.KeyT)
		h.waitFor(what, func() bool { return h.wb.m.Busy(h.wb.m.Sel.SelectedID()) == model.Idle && done(h.statusOf("Billing")) })
	}
	testNow("the first test", func(s string) bool { return s == "Active" })

	stop() // the IdP goes down
	testNow("the test against the stopped IdP", func(s string) bool { return s != "Active" })
	row := h.rowOf("Billing")
	if got := h.statusOf("Billing"); got != "Active — renewal failing (Network)" {
		t.Errorf("row status %q", got)
	}
	h.q.drain() // the Status column widens for the whole text
	if need := cellWidthStyled(fyne.TextStyle{Bold: true}, h.statusOf("Billing")); h.wb.tbl.shownWidths[colStatus] < need {
		t.Errorf("the status is cut at 1280 px: %v < %v", h.wb.tbl.shownWidths[colStatus], need)
	}
	t.Logf("columns shown %v, widths %v", h.wb.tbl.shownCols, h.wb.tbl.shownWidths)
	if got := h.cellText(row, colExpires); got == "—" || got == "" || got == "expired" {
		t.Errorf("Expires in = %q, want the valid token's countdown", got)
	}
	d := h.wb.details
	if !strings.HasPrefix(d.status.Text, "Status: Active — renewal failing (Network), token valid 5") {
		t.Errorf("details status %q", d.status.Text)
	}
	if !d.sections["failure"].Visible() || !strings.HasPrefix(d.failure.Text, "Network") {
		t.Errorf("details last error shown %v: %q", d.sections["failure"].Visible(), d.failure.Text)
	}
	if !d.sections["token"].Visible() {
		t.Error("the valid token's claims are hidden")
	}
	if label, _ := h.wb.m.Status(h.wb.m.Sel.Selected()); !strings.Contains(label, "renewal failing (Network), token valid") {
		t.Errorf("tray label %q", label) // the tray menu shows statusOf (tray.go)
	}

	// The token runs out: Failed.
	exp := h.wb.m.Sel.Selected().P.TokenExpiry
	h.wb.now = func() time.Time { return exp.Add(time.Second) }
	h.wb.tbl.refreshCells()
	h.wb.details.show(h.wb.m.Sel.Selected())
	if got := h.statusOf("Billing"); got != "Failed: Network" {
		t.Errorf("after the token ran out the row says %q", got)
	}
	if got := h.cellText(row, colExpires); got != "—" {
		t.Errorf("Expires in = %q after the token ran out", got)
	}
	if d.status.Text != "Status: Failed: Network" {
		t.Errorf("details status %q after the token ran out", d.status.Text)
	}
}

// "Last checked" and the counts say only what happened (#24.4): the
// start-up test does not give a profile without a secret a check time,
// and Test all neither turns a never-logged-in User profile into "Logged
// out" nor counts it as not active.
func TestNothingCheckedShowsNoLastChecked(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo,
		credentials.Profile{Name: "Imported", Type: credentials.TypeApplication, TokenURL: "https://127.0.0.1:1/token", ClientID: "c"},
		credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: "https://127.0.0.1:1", ClientID: "p", Scope: "openid"})
	h := newHarness(t, repo, nil)
	lastChecked := func(name string) string {
		for _, r := range h.wb.m.Rows() {
			if r.P.Name == name {
				s, _ := h.wb.tbl.cellText(r, colChecked)
				return s
			}
		}
		return "no row"
	}
	imported := h.wb.m.Rows()[0].P.ID
	if h.wb.m.Rows()[0].P.Name != "Imported" {
		imported = h.wb.m.Rows()[1].P.ID
	}

	// A restart: the workbench brings every profile live.
	h.wb.GoLive(h.svc)
	h.waitFor("the start-up test", func() bool { return len(h.wb.m.History(imported)) >= 2 }) // Testing, then its outcome
	if got := lastChecked("Imported"); got != "never" {
		t.Errorf("a profile without a secret, never tested, shows Last checked %q after the start-up", got)
	}
	stored, err := repo.Get("Imported")
	if err != nil || !stored.LastChecked.IsZero() {
		t.Errorf("recorded Last checked %v (%v)", stored.LastChecked, err)
	}

	h.tap(h.wb.toolbar["Test all"])
	h.waitFor("Test all", func() bool { return strings.HasPrefix(h.wb.bar.text.Text, "Tested") })
	if got := h.wb.bar.text.Text; !strings.Contains(got, "0 active, 0 not") || !strings.Contains(got, "1 not logged in") {
		t.Errorf("Test all summary %q", got)
	}
	if got := h.statusOf("Portal"); got != "Untested" {
		t.Errorf("a never-logged-in User profile shows %q after Test all", got)
	}
	if got := lastChecked("Portal"); got != "never" {
		t.Errorf("its Last checked is %q", got)
	}
}
