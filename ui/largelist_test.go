package ui

import (
	"fmt"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// With nothing selected the table has the room; a selection brings the
// details back at the split the user left; one wheel notch scrolls three
// rows (#24.19).
func TestLargeListSplitAndWheel(t *testing.T) {
	repo := newRepo(t, nil)
	var ps []credentials.Profile
	for i := range 80 {
		ps = append(ps, credentials.Profile{Name: fmt.Sprintf("Bulk %02d", i), Type: credentials.TypeApplication,
			TokenURL: "https://idp.example.com/token", ClientID: fmt.Sprintf("bulk-%d", i)})
	}
	seedNoSecrets(t, repo, ps...)
	h := newHarness(t, repo, nil)
	w := h.wb
	w.details.show(nil)
	if w.tbl.split.Offset != 1 {
		t.Fatalf("nothing selected: split %v, want the table to have the room", w.tbl.split.Offset)
	}
	w.marks.click(h.rowOf("Bulk 10"), 0)
	if w.tbl.split.Offset != defaultSplit {
		t.Fatalf("a selection: split %v, want %v", w.tbl.split.Offset, defaultSplit)
	}
	w.tbl.split.SetOffset(0.4) // the user drags the divider
	w.details.show(nil)
	w.marks.click(h.rowOf("Bulk 11"), 0)
	if math.Abs(w.tbl.split.Offset-0.4) > 1e-9 {
		t.Errorf("the dragged split was not kept: %v", w.tbl.split.Offset)
	}
	w.Stop()
	if got := w.app.Preferences().Float(prefSplit); math.Abs(got-0.4) > 1e-9 {
		t.Errorf("the split is not remembered for the next start: %v", got)
	}

	w.table.ScrollTo(widget.TableCellID{Row: 0, Col: 0})
	first := topRow(h)
	var under *tableCell
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*tableCell); ok && under == nil && c.id.Row == first+1 {
			under = c
		}
	})
	if under == nil {
		t.Fatal("no cell under the pointer")
	}
	under.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -wheelNotch)})
	if got := topRow(h); got != first+wheelRows {
		t.Errorf("one wheel notch: top row %d → %d, want %d", first, got, first+wheelRows)
	}
}

// topRow is the first table row shown in full.
func topRow(h *harness) int {
	w := h.wb
	drv := fyne.CurrentApp().Driver()
	top := drv.AbsolutePositionForObject(w.table).Y + w.tbl.headerHeight()
	best := -1
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*tableCell); ok && c.id.Col == 0 && c.id.Row < len(w.m.View()) {
			if drv.AbsolutePositionForObject(c).Y >= top-1 && (best < 0 || c.id.Row < best) {
				best = c.id.Row
			}
		}
	})
	return best
}
