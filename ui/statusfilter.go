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
	// statusSecretExpiring: the client secret or certificate expires within
	// expiryWarnDays, or has expired.
	statusSecretExpiring = "Secret expiring"
)

// expiringWithin is how close to its expiry a token counts as Expiring.
const expiringWithin = 10 * time.Minute

func (w *Workbench) newStatusFilter() *widget.Select {
	s := widget.NewSelect([]string{statusAll, statusFailed, statusNeedsSecret, statusExpiring, statusActive, statusSecretExpiring}, func(string) {
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
	if w.statusFilter.Selected == statusSecretExpiring {
		at, _ := r.p.CredentialExpiry()
		return !at.IsZero() && at.Sub(w.now()) <= expiryWarnDays*24*time.Hour
	}
	st := w.effectiveStatus(r)
	switch w.statusFilter.Selected {
	case statusFailed: // a failing renewal too, while its token still works
		return st == credentials.StatusFailed && !needsSecret(r.p)
	case statusNeedsSecret:
		return needsSecret(r.p)
	case statusExpiring:
		sd := w.standing(r)
		return sd.Status == credentials.StatusActive && !sd.Expiry.IsZero() && sd.Left < expiringWithin
	case statusActive: // a failing renewal too: its token is still handed out
		return w.standing(r).Status == credentials.StatusActive && !needsSecret(r.p)
	}
	return true
}
