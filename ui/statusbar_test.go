package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
)

// The status bar says what holds now (#24.3): a one-off message goes after
// a while (fake clock) or when the view or selection changes; a collapsed
// multiple selection is no longer "6 profiles selected".
func TestStatusBarFollowsViewAndSelection(t *testing.T) {
	repo := newRepo(t, nil)
	var ps []credentials.Profile
	for _, n := range []string{"Alpha", "Beta", "Gamma"} {
		ps = append(ps, credentials.Profile{Name: n, Type: credentials.TypeApplication,
			TokenURL: "https://idp.example.com/token", ClientID: "c-" + n})
	}
	seedNoSecrets(t, repo, ps...)
	h := newHarness(t, repo, nil)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	h.wb.now = func() time.Time { return now }
	bar := func() string { return h.wb.bar.text.Text }

	// A message times out.
	h.wb.bar.set("Exported 3 profiles to /tmp/x.json (no secrets)")
	if !strings.HasPrefix(bar(), "Exported") {
		t.Fatalf("status bar %q", bar())
	}
	now = now.Add(statusMessageFor - time.Second)
	h.wb.tick()
	if !strings.HasPrefix(bar(), "Exported") {
		t.Fatalf("the message went early: %q", bar())
	}
	now = now.Add(2 * time.Second)
	h.wb.tick()
	if bar() != "Ready" {
		t.Errorf("after %v the status bar still says %q", statusMessageFor, bar())
	}

	// The selection: one row, all rows, back to one.
	h.selectProfile("Beta")
	if bar() != "Beta: Needs secret" {
		t.Errorf("one selected: %q", bar())
	}
	h.shortcut(fyne.KeyA)
	if !strings.HasPrefix(bar(), "3 profiles selected") {
		t.Errorf("all selected: %q", bar())
	}
	h.key(fyne.KeyEscape)
	if strings.Contains(bar(), "selected") || !strings.HasPrefix(bar(), "Beta: ") {
		t.Errorf("after the selection collapsed: %q", bar())
	}

	// A message about one selection goes when another is made.
	h.wb.bar.set("Beta: Needs secret — enter the client secret to test it")
	h.selectProfile("Gamma")
	if bar() != "Gamma: Needs secret" {
		t.Errorf("after selecting Gamma: %q", bar())
	}

	// Another view: its own line, not the last message of the table.
	h.wb.bar.set("Saved \"Gamma\"")
	h.wb.nav.tree.Select(nodeLogs)
	h.wb.tick()
	if bar() != "Ready" {
		t.Errorf("in the Logs view: %q", bar())
	}
	h.wb.nav.tree.Select(nodeCredentials)
	h.wb.tick()
	if bar() != "Gamma: Needs secret" {
		t.Errorf("back in Credentials: %q", bar())
	}
}

// Background work shows while it runs, then the line of the selection.
func TestStatusBarShowsWorkWhileItRuns(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, credentials.Profile{Name: "Alpha", Type: credentials.TypeApplication,
		TokenURL: "https://idp.example.com/token", ClientID: "c"})
	h := newHarness(t, repo, nil)
	h.selectProfile("Alpha")
	finish := h.wb.bar.startWork("Exporting…")
	if h.wb.bar.text.Text != "Exporting…" {
		t.Errorf("while working: %q", h.wb.bar.text.Text)
	}
	finish()
	if h.wb.bar.text.Text != "Alpha: Needs secret" {
		t.Errorf("after the work: %q", h.wb.bar.text.Text)
	}
}
