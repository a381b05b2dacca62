package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/ui/model"
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

// statusBar is the line at the bottom of the window: the text, the count
// of profiles shown, and a spinner while background work runs.
type statusBar struct {
	m *model.List
	// view names the view the tree shows (nodeCredentials before it exists).
	view func() string

	root     *fyne.Container
	text     *widget.Label
	count    *widget.Label
	activity *widget.Activity

	msg     string
	at      time.Time // when msg came (the list's clock)
	about   string    // the view and selection msg came in (key)
	work    string    // the label of the latest background work
	running int       // background operations in flight
}

func newStatusBar(m *model.List, view func() string) *statusBar {
	b := &statusBar{m: m, view: view}
	b.text = widget.NewLabel("Ready")
	b.text.Truncation = fyne.TextTruncateEllipsis
	b.count = widget.NewLabel("")
	b.activity = widget.NewActivity()
	b.activity.Stop()
	b.activity.Hide()
	b.root = container.NewBorder(nil, nil, b.activity, b.count, b.text)
	return b
}

// set shows a one-off message.
func (b *statusBar) set(s string) {
	b.msg, b.at, b.about = s, b.m.Now(), b.key()
	b.render()
}

// key names the current view and selection.
func (b *statusBar) key() string {
	return fmt.Sprintf("%s|%s|%d", b.view(), b.m.Sel.SelectedID(), len(b.m.Sel.Selection()))
}

// render puts the text that holds now into the status bar; it runs
// whenever the selection, the actions or the clock move on.
func (b *statusBar) render() {
	if b.msg != "" && (b.m.Now().Sub(b.at) >= statusMessageFor || b.about != b.key()) {
		b.msg = ""
	}
	text := b.msg
	switch {
	case text != "":
	case b.running > 0 && b.work != "":
		text = b.work
	default:
		text = b.selectionLine()
	}
	if b.text.Text != text {
		b.text.SetText(text)
	}
}

// selectionLine describes the current view's selection.
func (b *statusBar) selectionLine() string {
	if v := b.view(); v != nodeCredentials && v != nodeAdmin {
		return "Ready"
	}
	if n := len(b.m.Sel.Selection()); n > 1 {
		return fmt.Sprintf("%d profiles selected: Test, Delete, Export and Set secret act on all of them (Escape: just one)", n)
	}
	if r := b.m.Sel.Selected(); r != nil {
		text, _ := b.m.Status(r)
		return r.P.Name + ": " + text
	}
	return "Ready"
}

// startWork shows that background work runs (the spinner, and label in
// the bar); the returned func, called on the UI goroutine when the work is
// over, hides the spinner once nothing else runs.
func (b *statusBar) startWork(label string) (finish func()) {
	b.running++
	b.work = label
	b.render()
	b.activity.Show()
	b.activity.Start()
	done := false
	return func() {
		if done {
			return
		}
		done = true
		b.running--
		if b.running == 0 {
			b.activity.Stop()
			b.activity.Hide()
		}
		b.render()
	}
}

// counted shows how many profiles the table shows of how many.
func (b *statusBar) counted() {
	view, rows := len(b.m.View()), len(b.m.Rows())
	switch {
	case view == rows:
		b.count.SetText(plural(rows, "profile"))
	default:
		b.count.SetText(fmt.Sprintf("%d of %s", view, plural(rows, "profile")))
	}
}
