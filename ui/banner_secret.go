package ui

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The main view's banner for client secrets and certificates that expire
// within expiryWarnDays (or have expired), with the step that fixes it:
// "Rotate now" opens the Rotate dialog of that profile, or a list when
// several are due. It is part of the window, so it shows whether or not a
// notification daemon answers.

// secretBanner is the banner and what it warns about.
type secretBanner struct {
	box    *fyne.Container
	text   *widget.Label
	rotate *widget.Button
	due    []expiringRow // soonest first
}

// expiringRow is a profile whose credential expires soon.
type expiringRow struct {
	r    *row
	at   time.Time
	what string // "client secret" or "certificate"
}

func (w *Workbench) newSecretBanner() fyne.CanvasObject {
	b := &secretBanner{text: widget.NewLabel("")}
	b.text.Wrapping = fyne.TextWrapWord
	b.text.Importance = widget.WarningImportance
	b.rotate = widget.NewButtonWithIcon("Rotate now", theme.HistoryIcon(), w.rotateNow)
	b.rotate.Importance = widget.HighImportance
	b.box = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()), b.rotate, b.text)
	b.box.Hide()
	w.secrets = b
	return b.box
}

// expiringRows are the profiles whose credential expires within
// expiryWarnDays of now, soonest first.
func (w *Workbench) expiringRows() []expiringRow {
	now := w.now()
	var out []expiringRow
	for _, r := range w.m.Rows() {
		if at, what := r.P.CredentialExpiry(); !at.IsZero() && at.Sub(now) <= expiryWarnDays*24*time.Hour {
			out = append(out, expiringRow{r: r, at: at, what: what})
		}
	}
	slices.SortStableFunc(out, func(a, b expiringRow) int { return a.at.Compare(b.at) })
	return out
}

// refreshSecretBanner shows or hides the banner for the rows as they are
// (after a load, and as days pass).
func (w *Workbench) refreshSecretBanner() {
	b := w.secrets
	if b == nil {
		return
	}
	hadDue := len(b.due) > 0
	b.due = w.expiringRows()
	if len(b.due) > 0 != hadDue && w.tbl != nil && w.tbl.tableArea != nil {
		w.applyColumnWidths() // the Secret expires column stays while something is due
	}
	if len(b.due) == 0 {
		b.box.Hide()
		return
	}
	now := w.now()
	first := b.due[0]
	when := func(e expiringRow) string {
		text, _ := credentialExpiryText(*e.r.P, now)
		return text + " (" + e.at.UTC().Format("2006-01-02") + ")"
	}
	if len(b.due) == 1 {
		b.text.SetText(fmt.Sprintf("The %s of %q expires %s: rotate it before then.", first.what, first.r.P.Name, when(first)))
		if !now.Before(first.at) {
			b.text.SetText(fmt.Sprintf("The %s of %q has expired (%s): rotate it.", first.what, first.r.P.Name, first.at.UTC().Format("2006-01-02")))
		}
	} else {
		b.text.SetText(fmt.Sprintf("%d client secrets or certificates expire within %d days; the first: %q, %s.",
			len(b.due), expiryWarnDays, first.r.P.Name, when(first)))
	}
	b.box.Show()
}

// rotateNow is the banner's button: the Rotate dialog of the one profile
// due, or the list of them.
func (w *Workbench) rotateNow() {
	b := w.secrets
	if b == nil || len(b.due) == 0 || w.dlg != nil {
		return
	}
	if len(b.due) == 1 {
		w.renewCredentialOf(b.due[0])
		return
	}
	now := w.now()
	list := container.NewVBox()
	for _, e := range b.due {
		text, _ := credentialExpiryText(*e.r.P, now)
		label := "Rotate…"
		if e.what == "certificate" {
			label = "Edit certificate…"
		}
		btn := widget.NewButton(label, func() {
			w.closeDialog()
			w.renewCredentialOf(e)
		})
		list.Add(container.NewBorder(nil, nil, nil, btn,
			widget.NewLabel(fmt.Sprintf("%s — %s %s (%s)", e.r.P.Name, e.what, text, e.at.UTC().Format("2006-01-02")))))
	}
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(520, min(float32(len(b.due))*44, 360)))
	w.showDialog("Secrets and certificates to renew", scroll, dialogButton{label: "Close"})
}

// renewCredentialOf selects the profile (showing it first if the filters
// hide it) and opens what renews its credential: the Rotate dialog for a
// client secret, the Edit form (its certificate section) for a certificate.
func (w *Workbench) renewCredentialOf(e expiringRow) {
	id := e.r.P.ID
	if w.m.ViewIndex(id) < 0 {
		w.filter.SetText("")
		w.statusFilter.SetSelected(statusAll)
	}
	w.clearMarks()
	w.selectRow(w.m.ViewIndex(id))
	if w.m.SelectedID() != id {
		return
	}
	if e.what == "certificate" || !w.allowed(actRotate, e.r) {
		w.editSelected()
		return
	}
	w.rotateSelected()
}

// secretsDue reports whether any credential expires soon: the Secret
// expires column then stays in narrow windows.
func (w *Workbench) secretsDue() bool { return w.secrets != nil && len(w.secrets.due) > 0 }
