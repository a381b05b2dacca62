package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Large lists: with nothing selected the details pane shrinks to its one
// line and the table gets the room; the split the user drags is kept (in
// the app's preferences, across restarts); one mouse-wheel notch scrolls
// three rows, not Fyne's 25 px (two thirds of a row).

const (
	prefSplit = "window.details.split"
	// defaultSplit is the table's share with a row selected, until the
	// user drags the divider.
	defaultSplit = 0.55
	// wheelRows is how many rows one notch of the wheel scrolls.
	wheelRows = 3
	// wheelNotch is the distance Fyne's desktop driver reports for one
	// notch (25 px on Linux and Windows, 10 on macOS, where trackpads send
	// many small events: scaling keeps them proportional).
	wheelNotch = 25
)

// WindowSize is the remembered window size, or a default.
func WindowSize(app fyne.App) fyne.Size {
	p := app.Preferences()
	return fyne.NewSize(float32(p.FloatWithFallback(prefWidth, 1280)), float32(p.FloatWithFallback(prefHeight, 780)))
}

// fitSplit gives the details pane its remembered share when a row is
// selected, and the whole height to the table when none is.
func (t *tableView) fitSplit(selected bool) {
	if t.split == nil {
		return
	}
	if !selected {
		if off := t.split.Offset; off > 0.05 && off < 0.95 && t.splitShown {
			t.prefs.SetFloat(prefSplit, off) // what the user left it at
		}
		t.splitShown = false
		t.split.SetOffset(1)
		return
	}
	if !t.splitShown {
		t.splitShown = true
		t.split.SetOffset(t.prefs.FloatWithFallback(prefSplit, defaultSplit))
	}
}

// rememberSplit keeps the divider's place at quit.
func (t *tableView) rememberSplit() {
	if t.split != nil && t.splitShown && t.split.Offset > 0.05 && t.split.Offset < 0.95 {
		t.prefs.SetFloat(prefSplit, t.split.Offset)
	}
}

// Scrolled makes a table cell scroll the table by wheelRows rows per notch;
// Fyne would otherwise move its content 25 px per notch.
func (c *tableCell) Scrolled(ev *fyne.ScrollEvent) {
	c.t.scrollTable(c, ev.Scrolled.DY)
}

var _ fyne.Scrollable = (*tableCell)(nil)

// scrollTable scrolls the table by dy scaled to rows. Fyne keeps the
// table's offset to itself, so it is worked out from where the cell under
// the pointer is shown: its row's place in the content less its distance
// from the content's top.
func (t *tableView) scrollTable(c *tableCell, dy float32) {
	if c.id.Row < 0 || c.id.Row >= len(t.m.View()) {
		return
	}
	drv := fyne.CurrentApp().Driver()
	stride := c.Size().Height + theme.Padding()
	top := drv.AbsolutePositionForObject(t.table).Y + t.headerHeight()
	offset := float32(c.id.Row)*stride - (drv.AbsolutePositionForObject(c).Y - top)
	next := offset - dy*wheelRows*stride/wheelNotch
	maxOff := float32(len(t.m.View()))*stride - (t.table.Size().Height - t.headerHeight())
	next = max(0, min(next, maxOff))
	t.table.ScrollToOffset(fyne.NewPos(0, next))
}

// headerHeight is the table's header row as Fyne sizes it (its template's
// minimum height).
func (t *tableView) headerHeight() float32 {
	if t.headerH == 0 {
		t.headerH = newHeaderCell(t).MinSize().Height
	}
	return t.headerH
}
