package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
)

// Several profiles at once: Ctrl+click adds or removes a row, Shift+click
// takes the rows from the current one to the clicked one, Ctrl+A every
// shown row, Escape (without a dialog) goes back to one. Test, Delete,
// Export and Set secret then work on all of them; the details pane shows
// the row clicked last.

// clickRow is a click on table row i with the modifiers held.
func (w *Workbench) clickRow(i int, mod fyne.KeyModifier) {
	sel, keep := w.m.Click(i, mod&fyne.KeyModifierShortcutDefault != 0, mod&fyne.KeyModifierShift != 0)
	if sel < 0 {
		return
	}
	if keep {
		w.selectKeepingMarks(sel)
	} else {
		w.selectRow(sel)
	}
	w.afterMarks()
}

func (w *Workbench) selectKeepingMarks(i int) {
	w.keepMarks = true
	defer func() { w.keepMarks = false }()
	w.selectRow(i)
}

// selectAllShown is Ctrl+A: every row the filter shows.
func (w *Workbench) selectAllShown() {
	if w.dialogs.top() != nil || len(w.m.View()) == 0 {
		return
	}
	if i := w.m.MarkAll(); i >= 0 {
		w.selectKeepingMarks(i)
	}
	w.afterMarks()
}

// clearMarks goes back to the single selection; false when there was none.
func (w *Workbench) clearMarks() bool {
	if !w.m.ClearMarks() {
		return false
	}
	w.afterMarks()
	return true
}

func (w *Workbench) afterMarks() {
	w.table.Refresh()
	w.updateActions()
	if n := len(w.m.Selection()); n > 1 {
		w.setStatus(fmt.Sprintf("%d profiles selected: Test, Delete, Export and Set secret act on all of them (Escape: just one)", n))
	}
}

// selectionMenu is the right-click menu inside a multiple selection: the
// actions that work on all of it, each naming how many it acts on.
func (w *Workbench) selectionMenu(rows []*row) *fyne.Menu {
	n := len(rows)
	test := fyne.NewMenuItem(fmt.Sprintf("Test %d profiles (Ctrl+T)", n), w.testSelected)
	test.Disabled = w.m.ReadOnly()
	secret := fyne.NewMenuItem(fmt.Sprintf("Set client secret of %d…", n), w.screens.setSecretSelected)
	secret.Disabled = w.m.ReadOnly()
	export := fyne.NewMenuItem(fmt.Sprintf("Export %d…", n), w.screens.exportProfiles)
	del := fyne.NewMenuItem(fmt.Sprintf("Delete %d…", n), w.screens.deleteSelected)
	del.Disabled = w.m.ReadOnly()
	one := fyne.NewMenuItem("Select just this one (Escape)", func() { w.clearMarks() })
	return fyne.NewMenu("", test, secret, export, one, fyne.NewMenuItemSeparator(), del)
}

// rowMenuAt is the menu for a right click on view row i: inside a multiple
// selection the selection stays and the menu acts on all of it; elsewhere
// the row is selected alone.
func (w *Workbench) rowMenuAt(i int) *fyne.Menu {
	if id := w.m.View()[i].P.ID; w.m.Marked(id) {
		w.selectKeepingMarks(i) // the details follow the clicked row
		if rows := w.m.Multi(); rows != nil {
			return w.selectionMenu(rows)
		}
	}
	w.m.ClearMarks()
	w.selectRow(i)
	w.afterMarks()
	return w.rowMenu(w.m.View()[i])
}
