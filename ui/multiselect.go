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
	if i < 0 || i >= len(w.view) {
		return
	}
	id := w.view[i].p.ID
	switch {
	case mod&fyne.KeyModifierShortcutDefault != 0:
		w.ensureMarks()
		if w.marked[id] && len(w.marked) > 1 {
			delete(w.marked, id)
			if id == w.selected { // the details follow another marked row
				for _, r := range w.view {
					if w.marked[r.p.ID] {
						id = r.p.ID
						break
					}
				}
			}
		} else {
			w.marked[id] = true
		}
		w.selectKeepingMarks(w.viewIndex(id))
	case mod&fyne.KeyModifierShift != 0 && w.viewIndex(w.selected) >= 0:
		from := w.viewIndex(w.selected)
		w.marked = map[string]bool{}
		for j := min(from, i); j <= max(from, i); j++ {
			w.marked[w.view[j].p.ID] = true
		}
		w.selectKeepingMarks(i)
	default:
		w.marked = nil
		w.selectRow(i)
	}
	w.afterMarks()
}

// ensureMarks starts a multiple selection from the single one.
func (w *Workbench) ensureMarks() {
	if w.marked == nil {
		w.marked = map[string]bool{}
		if w.viewIndex(w.selected) >= 0 {
			w.marked[w.selected] = true
		}
	}
}

func (w *Workbench) selectKeepingMarks(i int) {
	w.keepMarks = true
	defer func() { w.keepMarks = false }()
	w.selectRow(i)
}

// selectAllShown is Ctrl+A: every row the filter shows.
func (w *Workbench) selectAllShown() {
	if w.dialogs.top() != nil || len(w.view) == 0 {
		return
	}
	w.marked = map[string]bool{}
	for _, r := range w.view {
		w.marked[r.p.ID] = true
	}
	if w.viewIndex(w.selected) < 0 {
		w.selectKeepingMarks(0)
	}
	w.afterMarks()
}

// clearMarks goes back to the single selection; false when there was none.
func (w *Workbench) clearMarks() bool {
	if len(w.marked) == 0 {
		return false
	}
	w.marked = nil
	w.afterMarks()
	return true
}

func (w *Workbench) afterMarks() {
	w.table.Refresh()
	w.updateActions()
	if n := len(w.selection()); n > 1 {
		w.setStatus(fmt.Sprintf("%d profiles selected: Test, Delete, Export and Set secret act on all of them (Escape: just one)", n))
	}
}

// marks reports whether the row is part of a multiple selection.
func (w *Workbench) markedRow(id string) bool { return len(w.marked) > 1 && w.marked[id] }

// selection is what the bulk actions work on: the marked rows the filter
// shows (in table order), else the selected row.
func (w *Workbench) selection() []*row {
	if len(w.marked) > 1 {
		var out []*row
		for _, r := range w.view {
			if w.marked[r.p.ID] {
				out = append(out, r)
			}
		}
		if len(out) > 1 {
			return out
		}
	}
	if r := w.selectedRow(); r != nil {
		return []*row{r}
	}
	return nil
}

// multi is the selection when it holds more than one profile.
func (w *Workbench) multi() []*row {
	if s := w.selection(); len(s) > 1 {
		return s
	}
	return nil
}

// selectionMenu is the right-click menu inside a multiple selection: the
// actions that work on all of it, each naming how many it acts on.
func (w *Workbench) selectionMenu(rows []*row) *fyne.Menu {
	n := len(rows)
	test := fyne.NewMenuItem(fmt.Sprintf("Test %d profiles (Ctrl+T)", n), w.testSelected)
	test.Disabled = w.readOnly
	secret := fyne.NewMenuItem(fmt.Sprintf("Set client secret of %d…", n), w.screens.setSecretSelected)
	secret.Disabled = w.readOnly
	export := fyne.NewMenuItem(fmt.Sprintf("Export %d…", n), w.screens.exportProfiles)
	del := fyne.NewMenuItem(fmt.Sprintf("Delete %d…", n), w.screens.deleteSelected)
	del.Disabled = w.readOnly
	one := fyne.NewMenuItem("Select just this one (Escape)", func() { w.clearMarks() })
	return fyne.NewMenu("", test, secret, export, one, fyne.NewMenuItemSeparator(), del)
}

// rowMenuAt is the menu for a right click on view row i: inside a multiple
// selection the selection stays and the menu acts on all of it; elsewhere
// the row is selected alone.
func (w *Workbench) rowMenuAt(i int) *fyne.Menu {
	if id := w.view[i].p.ID; w.markedRow(id) {
		w.selectKeepingMarks(i) // the details follow the clicked row
		if rows := w.multi(); rows != nil {
			return w.selectionMenu(rows)
		}
	}
	w.marked = nil
	w.selectRow(i)
	w.afterMarks()
	return w.rowMenu(w.view[i])
}
