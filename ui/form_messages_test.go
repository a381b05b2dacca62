package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
)

// Messages under fields never move the fields below; the summary names the
// field with its whole message and "Show" scrolls to it and focuses it; the
// mouse wheel over an entry scrolls the form.
func TestFormMessagesKeepTheLayout(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com",
		ClientID: "portal", RefreshInterval: credentials.Duration(5 * time.Minute)})
	h := newHarness(t, repo, nil)
	h.selectProfile("Portal")
	h.wb.screens.editSelected()
	f := h.wb.screens.form
	d := fyne.CurrentApp().Driver()
	below := f.fields[credentials.FieldScope].label
	before := d.AbsolutePositionForObject(below)

	f.clientID.SetText("")
	f.tokenURL.SetText("http://idp.example.com/token")
	if f.message(credentials.FieldClientID) == "" || f.message(credentials.FieldTokenURL) == "" {
		t.Fatalf("no messages: client ID %q, token URL %q", f.message(credentials.FieldClientID), f.message(credentials.FieldTokenURL))
	}
	if after := d.AbsolutePositionForObject(below); after != before {
		t.Errorf("messages above moved the Scope field from %v to %v", before, after)
	}
	// The summary has each problem in full, named; Show goes to the first.
	sum := f.problems.Text
	if !strings.Contains(sum, "Token endpoint: "+strings.TrimSuffix(f.message(credentials.FieldTokenURL), ".")) ||
		!strings.Contains(sum, "Client ID: ") {
		t.Errorf("summary %q should name each field with its message", sum)
	}
	if !f.problemsGo.Visible() || f.problemsGo.Text != "Show Token endpoint" {
		t.Fatalf("the summary's button: %q visible=%v", f.problemsGo.Text, f.problemsGo.Visible())
	}
	f.scroll.ScrollToBottom()
	bottom := f.scroll.Offset.Y
	if bottom <= 0 {
		t.Fatal("the form does not scroll at 1280x800: the test cannot check Show")
	}
	test.Tap(f.problemsGo)
	if f.scroll.Offset.Y >= bottom {
		t.Errorf("Show did not scroll up to the field (offset %v, bottom %v)", f.scroll.Offset.Y, bottom)
	}
	if h.win.Canvas().Focused() != f.tokenURL {
		t.Errorf("Show should focus the token endpoint; focused %T", h.win.Canvas().Focused())
	}

	// The wheel over an entry scrolls the form.
	f.scroll.ScrollToTop()
	pos := d.AbsolutePositionForObject(f.clientID).Add(fyne.NewPos(20, 10))
	test.Scroll(h.win.Canvas(), pos, 0, -80)
	if f.scroll.Offset.Y <= 0 {
		t.Errorf("the mouse wheel over the Client ID entry did not scroll the form (offset %v)", f.scroll.Offset.Y)
	}
}
