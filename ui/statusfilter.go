package ui

import (
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// Choices of the status filter beside the text filter.
const (
	statusAll         = "All statuses"
	statusFailed      = "Failed"
	statusNeedsSecret = "Needs secret"
	statusExpiring    = "Expiring (< 10 min)"
	statusActive      = "Active"
)

// expiringWithin is how close to its expiry a token counts as Expiring.
const expiringWithin = 10 * time.Minute

func (w *Workbench) newStatusFilter() *widget.Select {
	s := widget.NewSelect([]string{statusAll, statusFailed, statusNeedsSecret, statusExpiring, statusActive}, func(string) {
		w.applyView()
		w.table.ScrollToTop()
	})
	s.Selected = statusAll
	return s
}

// statusMatches says whether r passes the status filter.
func (w *Workbench) statusMatches(r *row) bool {
	if w.statusFilter == nil || w.statusFilter.Selected == statusAll {
		return true // without asking every row for its status (10,000 clock reads at load)
	}
	st := w.effectiveStatus(r)
	switch w.statusFilter.Selected {
	case statusFailed:
		return st == credentials.StatusFailed && !needsSecret(r.p)
	case statusNeedsSecret:
		return needsSecret(r.p)
	case statusExpiring:
		return st == credentials.StatusActive && !r.p.TokenExpiry.IsZero() && r.p.TokenExpiry.Sub(w.now()) < expiringWithin
	case statusActive:
		return st == credentials.StatusActive && !needsSecret(r.p)
	}
	return true
}
