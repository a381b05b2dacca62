package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/ui/model"
)

// newFilter is the text filter: Enter or Down moves to its results
// (focusResults), Escape empties it; changed re-filters the table.
func newFilter(d *dialogs, focusResults, changed func()) *entry {
	f := newEntry(d)
	f.onKey = func(ev *fyne.KeyEvent) bool { // keys no dialog took
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyDown:
			focusResults()
		case fyne.KeyEscape:
			f.SetText("")
		default:
			return false
		}
		return true
	}
	f.SetPlaceHolder("Filter by name, client ID or endpoint (Ctrl+F)")
	f.OnChanged = func(string) { changed() }
	return f
}

// Choices of the status filter beside the text filter.
const (
	statusAll         = "All statuses"
	statusFailed      = "Failed"
	statusNeedsSecret = "Needs secret"
	statusExpiring    = "Expiring (< 10 min)"
	statusActive      = "Active"
	// statusSecretExpiring: the client secret or certificate expires within
	// expiryWarnDays, or has expired.
	statusSecretExpiring = "Secret expiring"
)

// statusChoices are the choices in the order shown, with what each keeps.
var statusChoices = []struct {
	label string
	f     model.StatusFilter
}{
	{statusAll, model.AllStatuses}, {statusFailed, model.OnlyFailed}, {statusNeedsSecret, model.OnlyNeedsSecret},
	{statusExpiring, model.OnlyExpiring}, {statusActive, model.OnlyActive}, {statusSecretExpiring, model.OnlySecretExpiring},
}

// newStatusFilter is the status filter; onChange re-filters the table.
func newStatusFilter(onChange func()) *widget.Select {
	var labels []string
	for _, c := range statusChoices {
		labels = append(labels, c.label)
	}
	s := widget.NewSelect(labels, func(string) { onChange() })
	s.Selected = statusAll
	return s
}

// statusChoice is what the status filter keeps.
func statusChoice(s *widget.Select) model.StatusFilter {
	if s == nil {
		return model.AllStatuses
	}
	for _, c := range statusChoices {
		if c.label == s.Selected {
			return c.f
		}
	}
	return model.AllStatuses
}
