package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// The Add form and the Request dialog fit an 800×600 window whole: their
// buttons are not cut off, their content scrolls inside (#24.8).
func TestDialogsFit800x600(t *testing.T) {
	h, _ := requestHarness(t)
	h.win.Resize(fyne.NewSize(800, 600))
	room := h.win.Canvas().Size()
	for name, open := range map[string]func(){
		"Add form": func() { h.wb.screens.openForm(nil) },
		"Request":  func() { h.shortcut(fyne.KeyR) },
	} {
		open()
		top := h.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatalf("%s: no dialog", name)
		}
		if m := top.MinSize(); m.Width > room.Width || m.Height > room.Height {
			t.Errorf("%s needs %v in a %v window", name, m, room)
		}
		h.wb.dialogs.closeTop()
	}
}
