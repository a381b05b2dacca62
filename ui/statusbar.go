package ui

import (
	"fmt"
	"time"
)

// The status bar says what is true now, in this order: a one-off message
// (an outcome: "Saved …", "Tested 6 profiles: …") while it is fresh and
// the view and selection are still those it was about; else the work
// running in the background; else the current view's selection ("Billing
// API: Active", "6 profiles selected: …"). A message goes after
// statusMessageFor, or at once when the user moves to another view or
// selection, so the bar never repeats an outcome that no longer holds.

// statusMessageFor is how long a one-off message stays.
const statusMessageFor = 10 * time.Second

// statusBar is the state behind the status bar's text.
type statusBar struct {
	msg   string
	at    time.Time // when msg came (w.now)
	about string    // the view and selection msg came in (statusKey)
	work  string    // the label of the latest background work
}

// setStatus shows a one-off message.
func (w *Workbench) setStatus(s string) {
	w.bar.msg, w.bar.at, w.bar.about = s, w.now(), w.statusKey()
	w.renderStatus()
}

// statusKey names the current view and selection.
func (w *Workbench) statusKey() string {
	view := nodeCredentials
	if w.nav != nil {
		view = w.nav.selected
	}
	return fmt.Sprintf("%s|%s|%d", view, w.m.SelectedID(), len(w.m.Selection()))
}

// renderStatus puts the text that holds now into the status bar; it runs
// whenever the selection, the actions or the clock move on.
func (w *Workbench) renderStatus() {
	if w.statusText == nil {
		return
	}
	b := &w.bar
	if b.msg != "" && (w.now().Sub(b.at) >= statusMessageFor || b.about != w.statusKey()) {
		b.msg = ""
	}
	text := b.msg
	switch {
	case text != "":
	case w.running > 0 && b.work != "":
		text = b.work
	default:
		text = w.selectionLine()
	}
	if w.statusText.Text != text {
		w.statusText.SetText(text)
	}
}

// selectionLine describes the current view's selection.
func (w *Workbench) selectionLine() string {
	if w.nav != nil && w.nav.selected != nodeCredentials && w.nav.selected != nodeAdmin {
		return "Ready"
	}
	if n := len(w.m.Selection()); n > 1 {
		return fmt.Sprintf("%d profiles selected: Test, Delete, Export and Set secret act on all of them (Escape: just one)", n)
	}
	if r := w.m.Selected(); r != nil {
		text, _ := w.m.Status(r)
		return r.P.Name + ": " + text
	}
	return "Ready"
}

// startedWork shows a background work's label while it runs.
func (w *Workbench) startedWork(label string) {
	w.bar.work = label
	w.renderStatus()
}
