package ui

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// The main view's banner for client secrets and certificates that expire
// within expiryWarnDays (or have expired), with the step that fixes it:
// "Rotate now" opens the Rotate dialog of that profile, or a list when
// several are due. It is part of the window, so it shows whether or not a
// notification daemon answers.

// bannerHost is what the banner reads of the window.
type bannerHost interface {
	uiHost
	allProfiles() []*credentials.Profile
	secretsDueChanged()
}

// secretBanner is the banner and what it warns about.
type secretBanner struct {
	h      bannerHost
	renew  func(expiringRow) // opens what renews the credential
	box    *fyne.Container
	text   *widget.Label
	rotate *widget.Button
	due    []expiringRow // soonest first
}

// expiringRow is a profile whose credential expires soon.
type expiringRow struct {
	p    *credentials.Profile
	at   time.Time
	what string // "client secret" or "certificate"
}

func newSecretBanner(h bannerHost, renew func(expiringRow)) *secretBanner {
	b := &secretBanner{h: h, renew: renew, text: widget.NewLabel("")}
	b.text.Wrapping = fyne.TextWrapWord
	b.text.Importance = widget.WarningImportance
	b.rotate = widget.NewButtonWithIcon("Rotate now", theme.HistoryIcon(), b.rotateNow)
	b.rotate.Importance = widget.HighImportance
	b.box = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()), b.rotate, b.text)
	b.box.Hide()
	return b
}

// expiringRows are the profiles whose credential expires within
// expiryWarnDays of now, soonest first.
func expiringRows(ps []*credentials.Profile, now time.Time) []expiringRow {
	var out []expiringRow
	for _, p := range ps {
		if at, what := p.CredentialExpiry(); !at.IsZero() && at.Sub(now) <= expiryWarnDays*24*time.Hour {
			out = append(out, expiringRow{p: p, at: at, what: what})
		}
	}
	slices.SortStableFunc(out, func(a, b expiringRow) int { return a.at.Compare(b.at) })
	return out
}

// refresh shows or hides the banner for the rows as they are (after a
// load, and as days pass).
func (b *secretBanner) refresh() {
	hadDue := len(b.due) > 0
	now := b.h.clock()
	b.due = expiringRows(b.h.allProfiles(), now)
	if len(b.due) > 0 != hadDue {
		b.h.secretsDueChanged() // the Secret expires column stays while something is due
	}
	if len(b.due) == 0 {
		b.box.Hide()
		return
	}
	first := b.due[0]
	when := func(e expiringRow) string {
		text, _ := credentialExpiryText(*e.p, now)
		return text + " (" + e.at.UTC().Format("2006-01-02") + ")"
	}
	if len(b.due) == 1 {
		b.text.SetText(fmt.Sprintf("The %s of %q expires %s: rotate it before then.", first.what, first.p.Name, when(first)))
		if !now.Before(first.at) {
			b.text.SetText(fmt.Sprintf("The %s of %q has expired (%s): rotate it.", first.what, first.p.Name, first.at.UTC().Format("2006-01-02")))
		}
	} else {
		b.text.SetText(fmt.Sprintf("%d client secrets or certificates expire within %d days; the first: %q, %s.",
			len(b.due), expiryWarnDays, first.p.Name, when(first)))
	}
	b.box.Show()
}

// rotateNow is the banner's button: the Rotate dialog of the one profile
// due, or the list of them.
func (b *secretBanner) rotateNow() {
	d := b.h.dialogs()
	if len(b.due) == 0 || d.top() != nil {
		return
	}
	if len(b.due) == 1 {
		b.renew(b.due[0])
		return
	}
	now := b.h.clock()
	list := container.NewVBox()
	for _, e := range b.due {
		text, _ := credentialExpiryText(*e.p, now)
		label := "Rotate…"
		if e.what == "certificate" {
			label = "Edit certificate…"
		}
		btn := widget.NewButton(label, func() {
			d.closeTop()
			b.renew(e)
		})
		list.Add(container.NewBorder(nil, nil, nil, btn,
			widget.NewLabel(fmt.Sprintf("%s — %s %s (%s)", e.p.Name, e.what, text, e.at.UTC().Format("2006-01-02")))))
	}
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(520, min(float32(len(b.due))*44, 360)))
	d.show("Secrets and certificates to renew", scroll, dialogButton{label: "Close"})
}
