package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// Ctrl+A as the desktop driver sends it (fyne.ShortcutSelectAll) selects
// every shown row; a right click inside a multiple selection keeps it and
// its menu acts on all of it; outside it selects that row alone (#24.11).
func TestSelectAllAndMenuInsideSelection(t *testing.T) {
	h := fleetHarness(t)
	h.wb.marks.click(h.rowOf("Fleet a"), 0)
	h.win.Canvas().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutSelectAll{})
	if n := len(h.wb.m.Sel.Selection()); n != 5 {
		t.Fatalf("Ctrl+A (SelectAll) selected %d rows, want 5", n)
	}

	ctrl := fyne.KeyModifierShortcutDefault
	h.wb.marks.click(h.rowOf("Fleet a"), 0)
	h.wb.marks.click(h.rowOf("Fleet b"), ctrl)
	h.wb.marks.click(h.rowOf("Fleet d"), ctrl)
	h.cell(h.rowOf("Fleet b"), colName).TappedSecondary(&fyne.PointEvent{})
	if got := names(h.wb.m.Sel.Selection()); !slices.Equal(got, []string{"Fleet a", "Fleet b", "Fleet d"}) {
		t.Fatalf("a right click inside the selection changed it to %v", got)
	}
	var labels []string
	for _, it := range h.wb.menu.Items {
		labels = append(labels, it.Label)
	}
	if !strings.Contains(strings.Join(labels, "|"), "Test 3 profiles") || !strings.Contains(strings.Join(labels, "|"), "Delete 3") {
		t.Fatalf("menu inside the selection: %q", labels)
	}
	if h.wb.m.Sel.Selected().P.Name != "Fleet b" {
		t.Errorf("the details should follow the clicked row, not %q", h.wb.m.Sel.Selected().P.Name)
	}
	// Delete from that menu asks once for all three.
	for _, it := range h.wb.menu.Items {
		if strings.HasPrefix(it.Label, "Delete 3") {
			it.Action()
		}
	}
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().button("Delete 3") == nil {
		t.Fatal("Delete from the selection menu should confirm all three")
	}
	h.key(fyne.KeyEscape)

	// Outside the selection: just that row.
	h.cell(h.rowOf("Fleet e"), colName).TappedSecondary(&fyne.PointEvent{})
	if got := names(h.wb.m.Sel.Selection()); !slices.Equal(got, []string{"Fleet e"}) {
		t.Fatalf("a right click outside the selection: %v", got)
	}
}
