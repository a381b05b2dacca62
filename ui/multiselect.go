package ui

import (
	"fmt"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/ui/model"
)

// Several profiles at once: Ctrl+click adds or removes a row, Shift+click
// takes the rows from the current one to the clicked one, Ctrl+A every
// shown row, Escape (without a dialog) goes back to one. Test, Delete,
// Export and Set secret then work on all of them; the details pane shows
// the row clicked last.

// marks is the multiple selection between the list, the table, the
// status bar and the actions.
type marks struct {
	m    *model.List
	t    *tableView
	bar  *statusBar
	acts *rowActions
	// busy: a dialog is open (the table's keys are not the table's then).
	busy func() bool
	// changed updates what the selection allows (the toolbar).
	changed func()
}

// click is a click on table row i with the modifiers held.
func (s *marks) click(i int, mod fyne.KeyModifier) {
	sel, keep := s.m.Sel.Click(i, mod&fyne.KeyModifierShortcutDefault != 0, mod&fyne.KeyModifierShift != 0)
	if sel < 0 {
		return
	}
	if keep {
		s.t.selectKeepingMarks(sel)
	} else {
		s.t.selectRow(sel)
	}
	s.after()
}

// all is Ctrl+A: every row the filter shows.
func (s *marks) all() {
	if s.busy() || len(s.m.View()) == 0 {
		return
	}
	if i := s.m.Sel.MarkAll(); i >= 0 {
		s.t.selectKeepingMarks(i)
	}
	s.after()
}

// clear goes back to the single selection; false when there was none.
func (s *marks) clear() bool {
	if !s.m.Sel.ClearMarks() {
		return false
	}
	s.after()
	return true
}

func (s *marks) after() {
	s.t.table.Refresh()
	s.changed()
	if n := len(s.m.Sel.Selection()); n > 1 {
		s.bar.set(fmt.Sprintf("%d profiles selected: Test, Delete, Export and Set secret act on all of them (Escape: just one)", n))
	}
}

// menuAt is the menu for a right click on view row i: inside a multiple
// selection the selection stays and the menu acts on all of it; elsewhere
// the row is selected alone.
func (s *marks) menuAt(i int) *fyne.Menu {
	if id := s.m.View()[i].P.ID; s.m.Sel.Marked(id) {
		s.t.selectKeepingMarks(i) // the details follow the clicked row
		if rows := s.m.Sel.Multi(); rows != nil {
			return s.selectionMenu(rows)
		}
	}
	s.m.Sel.ClearMarks()
	s.t.selectRow(i)
	s.after()
	return rowMenu(s.m, s.acts, s.m.View()[i])
}

// selectionMenu is the right-click menu inside a multiple selection: the
// actions that work on all of it, each naming how many it acts on.
func (s *marks) selectionMenu(rows []*row) *fyne.Menu {
	n, ro := len(rows), s.m.ReadOnly()
	test := fyne.NewMenuItem(fmt.Sprintf("Test %d profiles (Ctrl+T)", n), s.acts.test)
	test.Disabled = ro
	secret := fyne.NewMenuItem(fmt.Sprintf("Set client secret of %d…", n), s.acts.setSecret)
	secret.Disabled = ro
	export := fyne.NewMenuItem(fmt.Sprintf("Export %d…", n), s.acts.export)
	del := fyne.NewMenuItem(fmt.Sprintf("Delete %d…", n), s.acts.del)
	del.Disabled = ro
	one := fyne.NewMenuItem("Select just this one (Escape)", func() { s.clear() })
	atIdP := fyne.NewMenuItem(fmt.Sprintf("Rotate %d at IdP…", n), s.acts.rotateAtIdP) // bulk_idp.go
	atIdP.Disabled = ro
	return fyne.NewMenu("", test, secret, atIdP, export, one, fyne.NewMenuItemSeparator(), del)
}
