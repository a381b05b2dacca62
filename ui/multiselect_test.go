package ui

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
)

func fleetHarness(t *testing.T) *harness {
	repo := newRepo(t, nil)
	var ps []credentials.Profile
	for _, n := range []string{"Fleet a", "Fleet b", "Fleet c", "Fleet d", "Fleet e"} {
		ps = append(ps, credentials.Profile{Name: n, Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token",
			ClientID: strings.ReplaceAll(n, " ", "-")})
	}
	seedNoSecrets(t, repo, ps...)
	return newHarness(t, repo, nil)
}

// Ctrl+click and Shift+click select several profiles; Export writes only
// them; Set secret asks once for all of them; Delete asks once, listing
// them, and deletes only them; Escape and a plain click go back to one.
func TestFleetMultiSelect(t *testing.T) {
	h := fleetHarness(t)
	ctrl := fyne.KeyModifierShortcutDefault
	h.wb.marks.click(h.rowOf("Fleet a"), 0)
	h.wb.marks.click(h.rowOf("Fleet c"), ctrl)
	if got := names(h.wb.m.Sel.Selection()); !slices.Equal(got, []string{"Fleet a", "Fleet c"}) {
		t.Fatalf("Ctrl+click: selection %v", got)
	}
	if h.cell(h.rowOf("Fleet a"), colName).bg.FillColor != h.cell(h.rowOf("Fleet c"), colName).bg.FillColor {
		t.Error("both selected rows should look selected")
	}

	// Export: only the selection.
	data, n, err := h.wb.screens.exportData()
	if err != nil || n != 2 {
		t.Fatalf("export: %d profiles, %v", n, err)
	}
	var f struct{ Profiles []credentials.Profile }
	if err := json.Unmarshal(data, &f); err != nil || len(f.Profiles) != 2 || f.Profiles[0].Name != "Fleet a" || f.Profiles[1].Name != "Fleet c" {
		t.Fatalf("export of the selection: %v %+v", err, f.Profiles)
	}

	// Shift+click: a range from the current row.
	h.wb.marks.click(h.rowOf("Fleet e"), fyne.KeyModifierShift)
	if got := names(h.wb.m.Sel.Selection()); !slices.Equal(got, []string{"Fleet c", "Fleet d", "Fleet e"}) {
		t.Fatalf("Shift+click: selection %v", got)
	}
	// Set secret: one dialog for the three.
	h.wb.screens.setSecretSelected()
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Set the client secret of 3 profiles" {
		t.Fatalf("set secret for the selection: dialog %v", h.wb.dialogs.top())
	}
	h.key(fyne.KeyEscape)

	// Delete: one confirmation naming them; only they go.
	h.wb.screens.deleteSelected()
	if h.wb.dialogs.top() == nil {
		t.Fatal("Delete did not ask")
	}
	shown := texts(h.win.Canvas().Overlays().Top())
	for _, n := range []string{"Fleet c", "Fleet d", "Fleet e"} {
		if !strings.Contains(shown, n) {
			t.Errorf("the confirmation does not name %s:\n%s", n, shown)
		}
	}
	h.tap(h.wb.dialogs.top().button("Delete 3"))
	h.waitFor("the deletion", func() bool { return len(h.wb.m.Rows()) == 2 })
	for _, n := range []string{"Fleet a", "Fleet b"} {
		if _, err := h.repo.Get(n); err != nil {
			t.Errorf("%s was deleted too: %v", n, err)
		}
	}

	// Ctrl+A takes every shown row; Escape goes back to one.
	h.shortcut(fyne.KeyA)
	if len(h.wb.m.Sel.Selection()) != 2 {
		t.Fatalf("Ctrl+A: %v", names(h.wb.m.Sel.Selection()))
	}
	// Test acts on all of them (here: none has its secret yet, so none
	// is sent to the IdP and the summary says so).
	h.wb.tests.selected()
	h.waitFor("the bulk test", func() bool { return strings.Contains(h.wb.bar.text.Text, "2 need a secret") })
	h.key(fyne.KeyEscape)
	if len(h.wb.m.Sel.Selection()) != 1 {
		t.Fatalf("Escape should leave one selected: %v", names(h.wb.m.Sel.Selection()))
	}
	// A plain click after Ctrl+clicks selects just that row.
	h.wb.marks.click(0, ctrl)
	h.wb.marks.click(1, ctrl)
	test.Tap(h.cell(0, colName))
	if len(h.wb.m.Sel.Selection()) != 1 {
		t.Errorf("a plain click should select one row: %v", names(h.wb.m.Sel.Selection()))
	}
}

func names(rows []*row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.P.Name)
	}
	return out
}
