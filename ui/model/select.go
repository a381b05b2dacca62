package model

// Several profiles at once: Ctrl+click adds or removes a row, Shift+click
// takes the rows from the current one to the clicked one, Ctrl+A every
// shown row, Escape goes back to one. The bulk actions then work on all
// of them; the details show the row clicked last.

// SelectedID is the selected profile's ID ("" for none).
func (l *List) SelectedID() string { return l.selected }

// Selected is the selected row, nil for none.
func (l *List) Selected() *Row {
	if l.selected == "" {
		return nil
	}
	return l.Find(l.selected)
}

// Select makes a profile the selected one; unless keepMarks, a multiple
// selection ends (a plain click or key). It reports whether the marks
// ended.
func (l *List) Select(id string, keepMarks bool) (unmarked bool) {
	if !keepMarks && len(l.marked) > 0 {
		l.marked, unmarked = nil, true
	}
	l.selected = id
	return unmarked
}

// Unselect selects nothing and ends a multiple selection.
func (l *List) Unselect() { l.selected, l.marked = "", nil }

// Click is a click on view row i with Ctrl (toggle) or Shift (range)
// held. It returns the row to select then, and whether the marks stay.
func (l *List) Click(i int, ctrl, shift bool) (sel int, keep bool) {
	if i < 0 || i >= len(l.view) {
		return -1, false
	}
	id := l.view[i].P.ID
	switch {
	case ctrl:
		l.ensureMarks()
		if l.marked[id] && len(l.marked) > 1 {
			delete(l.marked, id)
			if id == l.selected { // the details follow another marked row
				for _, r := range l.view {
					if l.marked[r.P.ID] {
						id = r.P.ID
						break
					}
				}
			}
		} else {
			l.marked[id] = true
		}
		return l.ViewIndex(id), true
	case shift && l.ViewIndex(l.selected) >= 0:
		from := l.ViewIndex(l.selected)
		l.marked = map[string]bool{}
		for j := min(from, i); j <= max(from, i); j++ {
			l.marked[l.view[j].P.ID] = true
		}
		return i, true
	}
	l.marked = nil
	return i, false
}

// ensureMarks starts a multiple selection from the single one.
func (l *List) ensureMarks() {
	if l.marked == nil {
		l.marked = map[string]bool{}
		if l.ViewIndex(l.selected) >= 0 {
			l.marked[l.selected] = true
		}
	}
}

// MarkAll is Ctrl+A: every shown row. It returns the row to select
// (keeping the marks) when the selected one is not shown, else -1.
func (l *List) MarkAll() int {
	if len(l.view) == 0 {
		return -1
	}
	l.marked = map[string]bool{}
	for _, r := range l.view {
		l.marked[r.P.ID] = true
	}
	if l.ViewIndex(l.selected) < 0 {
		return 0
	}
	return -1
}

// ClearMarks goes back to the single selection; false when there was none.
func (l *List) ClearMarks() bool {
	if len(l.marked) == 0 {
		return false
	}
	l.marked = nil
	return true
}

// Marked reports whether the row is part of a multiple selection.
func (l *List) Marked(id string) bool { return len(l.marked) > 1 && l.marked[id] }

// Selection is what the bulk actions work on: the marked rows the filter
// shows (in table order), else the selected row.
func (l *List) Selection() []*Row {
	if len(l.marked) > 1 {
		var out []*Row
		for _, r := range l.view {
			if l.marked[r.P.ID] {
				out = append(out, r)
			}
		}
		if len(out) > 1 {
			return out
		}
	}
	if r := l.Selected(); r != nil {
		return []*Row{r}
	}
	return nil
}

// Multi is the selection when it holds more than one profile.
func (l *List) Multi() []*Row {
	if s := l.Selection(); len(s) > 1 {
		return s
	}
	return nil
}
