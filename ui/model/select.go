package model

// Several profiles at once: Ctrl+click adds or removes a row, Shift+click
// takes the rows from the current one to the clicked one, Ctrl+A every
// shown row, Escape goes back to one. The bulk actions then work on all
// of them; the details show the row clicked last.

// Selection is the selected profile and a multiple selection of the rows
// a List shows (List.Sel).
type Selection struct {
	l        *List
	selected string // profile ID
	marked   map[string]bool
}

// SelectedID is the selected profile's ID ("" for none).
func (s *Selection) SelectedID() string { return s.selected }

// Selected is the selected row, nil for none.
func (s *Selection) Selected() *Row {
	if s.selected == "" {
		return nil
	}
	return s.l.Find(s.selected)
}

// Select makes a profile the selected one; unless keepMarks, a multiple
// selection ends (a plain click or key). It reports whether the marks
// ended.
func (s *Selection) Select(id string, keepMarks bool) (unmarked bool) {
	if !keepMarks && len(s.marked) > 0 {
		s.marked, unmarked = nil, true
	}
	s.selected = id
	return unmarked
}

// Unselect selects nothing and ends a multiple selection.
func (s *Selection) Unselect() { s.selected, s.marked = "", nil }

// Click is a click on view row i with Ctrl (toggle) or Shift (range)
// held. It returns the row to select then, and whether the marks stay.
func (s *Selection) Click(i int, ctrl, shift bool) (sel int, keep bool) {
	if i < 0 || i >= len(s.l.view) {
		return -1, false
	}
	id := s.l.view[i].P.ID
	switch {
	case ctrl:
		s.ensureMarks()
		if s.marked[id] && len(s.marked) > 1 {
			delete(s.marked, id)
			if id == s.selected { // the details follow another marked row
				for _, r := range s.l.view {
					if s.marked[r.P.ID] {
						id = r.P.ID
						break
					}
				}
			}
		} else {
			s.marked[id] = true
		}
		return s.l.ViewIndex(id), true
	case shift && s.l.ViewIndex(s.selected) >= 0:
		from := s.l.ViewIndex(s.selected)
		s.marked = map[string]bool{}
		for j := min(from, i); j <= max(from, i); j++ {
			s.marked[s.l.view[j].P.ID] = true
		}
		return i, true
	}
	s.marked = nil
	return i, false
}

// ensureMarks starts a multiple selection from the single one.
func (s *Selection) ensureMarks() {
	if s.marked == nil {
		s.marked = map[string]bool{}
		if s.l.ViewIndex(s.selected) >= 0 {
			s.marked[s.selected] = true
		}
	}
}

// MarkAll is Ctrl+A: every shown row. It returns the row to select
// (keeping the marks) when the selected one is not shown, else -1.
func (s *Selection) MarkAll() int {
	if len(s.l.view) == 0 {
		return -1
	}
	s.marked = map[string]bool{}
	for _, r := range s.l.view {
		s.marked[r.P.ID] = true
	}
	if s.l.ViewIndex(s.selected) < 0 {
		return 0
	}
	return -1
}

// ClearMarks goes back to the single selection; false when there was none.
func (s *Selection) ClearMarks() bool {
	if len(s.marked) == 0 {
		return false
	}
	s.marked = nil
	return true
}

// Marked reports whether the row is part of a multiple selection.
func (s *Selection) Marked(id string) bool { return len(s.marked) > 1 && s.marked[id] }

// Selection is what the bulk actions work on: the marked rows the filter
// shows (in table order), else the selected row.
func (s *Selection) Selection() []*Row {
	if len(s.marked) > 1 {
		var out []*Row
		for _, r := range s.l.view {
			if s.marked[r.P.ID] {
				out = append(out, r)
			}
		}
		if len(out) > 1 {
			return out
		}
	}
	if r := s.Selected(); r != nil {
		return []*Row{r}
	}
	return nil
}

// Multi is the selection when it holds more than one profile.
func (s *Selection) Multi() []*Row {
	if s := s.Selection(); len(s) > 1 {
		return s
	}
	return nil
}
