package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// noticesKept is how many notices the window's notice bar lists.
const noticesKept = 3

// notices is a bar at the top of the window with what would have been
// desktop notifications (renewal failures, ended sessions, expiring
// secrets) where no notification daemon answers: shown until dismissed.
type notices struct {
	root    *fyne.Container
	text    *widget.Label
	lines   []string
	dropped int // older notices no longer listed
}

func newNotices() *notices {
	n := &notices{text: widget.NewLabel("")}
	n.text.Wrapping = fyne.TextWrapWord
	n.text.Importance = widget.WarningImportance
	dismiss := widget.NewButton("Dismiss", n.dismiss)
	n.root = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()), dismiss, n.text)
	n.root.Hide()
	return n
}

// add puts a notice first in the bar and shows it.
func (n *notices) add(title, body string) {
	line := title
	if body != "" {
		line += ": " + strings.ReplaceAll(body, "\n", " ")
	}
	n.lines = append([]string{line}, n.lines...)
	if len(n.lines) > noticesKept {
		n.dropped += len(n.lines) - noticesKept
		n.lines = n.lines[:noticesKept]
	}
	text := strings.Join(n.lines, "\n")
	if n.dropped > 0 {
		text += fmt.Sprintf("\n… and %d earlier", n.dropped)
	}
	n.text.SetText(text)
	n.root.Show()
}

func (n *notices) dismiss() {
	n.lines, n.dropped = nil, 0
	n.text.SetText("")
	n.root.Hide()
}

// routedNotifier sends a notification to the desktop's daemon, or to the
// window's notice bar when no daemon would show it.
type routedNotifier struct{ a *Agent }

func (r routedNotifier) Notify(title, body string) {
	if r.a.opt.Desktop.Notifications() {
		r.a.opt.Notifier.Notify(title, body)
		return
	}
	r.a.notices.add(title, body)
}
