package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// banner is the warning across the top of the window for what needs the
// user (the keyring, a broken profile file, problems from the log), with
// one button that fixes or shows it.
type banner struct {
	root *fyne.Container
	text *widget.Label
	fix  *widget.Button
}

func newBanner() *banner {
	b := &banner{text: widget.NewLabel(""), fix: widget.NewButton("", nil)}
	b.text.Wrapping = fyne.TextWrapWord
	b.text.Importance = widget.DangerImportance
	b.fix.Hide()
	b.root = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()), b.fix, b.text)
	b.root.Hide()
	return b
}

// show says text, with a button labelled fixLabel that runs fix (none
// when fix is nil).
func (b *banner) show(text, fixLabel string, fix func()) {
	b.text.SetText(text)
	if fix != nil {
		b.fix.SetText(fixLabel)
		b.fix.OnTapped = fix
		b.fix.Show()
	} else {
		b.fix.Hide()
	}
	b.root.Show()
}

func (b *banner) hide() { b.root.Hide() }

// showing reports whether the banner is shown.
func (b *banner) showing() bool { return b.root.Visible() }

// keyring shows the keyring banner when an operation failed because the
// OS keyring is unavailable.
func (b *banner) keyring(err error) {
	var ke *credentials.KeyringError
	if errors.As(err, &ke) && ke.Problem != credentials.KeyringTooBig {
		b.show("The OS keyring is not available, so secrets cannot be read or saved: "+ke.Error()+
			". Profiles can still be viewed and exported.", "", nil)
	}
}

// corrupt says the profile file cannot be read and nothing is written
// until it is repaired; startFresh is the way out it offers.
func (b *banner) corrupt(ce *credentials.CorruptError, startFresh func()) {
	msg := fmt.Sprintf("The profile file %s cannot be read: %v.", ce.Path, ce.Err)
	if ce.Backup != "" {
		msg += fmt.Sprintf(" A copy of it is kept at %s.", ce.Backup)
	}
	msg += " Nothing will be written until you repair the file (then press Refresh) or start with an empty list."
	b.show(msg, "Start with an empty list…", startFresh)
}
