package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// shownDialog is the dialog on top, with its buttons by label so Escape can
// close it and tests can press them.
type shownDialog struct {
	title   string
	d       *dialog.CustomDialog
	buttons map[string]*widget.Button
	body    *widget.Label // the main message, when there is one
	input   *entry        // the dialog's entry, when it has one
	onClose func()        // what Escape / Cancel does besides hiding
	onEnter func()        // what Enter does, where that is safe (never Delete)
	// mayClose, when set, is asked before Escape or Cancel closes the
	// dialog; false keeps it open (e.g. to ask about unsaved changes).
	mayClose func() bool
}

// button returns the dialog's button with this label (nil if none).
func (s *shownDialog) button(label string) *widget.Button { return s.buttons[label] }

// dialogs shows the window's dialogs, one at a time: the one on top is
// what Escape closes and Enter confirms.
type dialogs struct {
	win fyne.Window
	cur *shownDialog
}

func newDialogs(win fyne.Window) *dialogs { return &dialogs{win: win} }

// top is the dialog on top (nil: none).
func (d *dialogs) top() *shownDialog { return d.cur }

// show shows content with the given buttons; each button's action runs
// after the dialog is hidden unless keepOpen is set on it.
func (d *dialogs) show(title string, content fyne.CanvasObject, buttons ...dialogButton) *shownDialog {
	s := &shownDialog{title: title, buttons: map[string]*widget.Button{}}
	s.d = dialog.NewCustomWithoutButtons(title, content, d.win)
	var objs []fyne.CanvasObject
	for _, b := range buttons {
		b := b
		btn := widget.NewButton(b.label, nil)
		btn.Importance = b.importance
		btn.OnTapped = func() {
			if !b.keepOpen {
				d.hide(s)
			}
			if b.fn != nil {
				b.fn()
			}
		}
		s.buttons[b.label] = btn
		objs = append(objs, btn)
	}
	s.d.SetButtons(objs)
	s.d.SetOnClosed(func() {
		if d.cur == s {
			d.cur = nil
		}
	})
	if d.cur != nil {
		d.cur.d.Hide() // one dialog at a time: the new one replaces it
	}
	d.cur = s
	s.d.Show()
	return s
}

type dialogButton struct {
	label      string
	importance widget.Importance
	fn         func()
	keepOpen   bool
}

func (d *dialogs) hide(s *shownDialog) {
	if d.cur == s {
		d.cur = nil
	}
	s.d.Hide()
}

// closeTop is Escape: it cancels the dialog on top.
func (d *dialogs) closeTop() {
	s := d.cur
	if s == nil {
		return
	}
	if s.mayClose != nil && !s.mayClose() {
		return
	}
	d.hide(s)
	if s.onClose != nil {
		s.onClose()
	}
}

func messageLabel(msg string) *widget.Label {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// sized wraps content so wrapped labels get a sensible width in a dialog.
func sized(content fyne.CanvasObject, width, height float32) fyne.CanvasObject {
	r := canvasSpacer(width, height)
	return container.NewStack(r, content)
}

func (d *dialogs) showMessage(title, msg string) *shownDialog {
	l := messageLabel(msg)
	s := d.show(title, sized(l, 460, 0), dialogButton{label: "OK", importance: widget.HighImportance})
	s.body = l
	s.onEnter = d.closeTop // OK only: safe
	return s
}

func (d *dialogs) showError(title string, err error) *shownDialog {
	l := messageLabel(err.Error())
	l.Importance = widget.DangerImportance
	s := d.show(title, sized(l, 460, 0), dialogButton{label: "OK", importance: widget.HighImportance})
	s.body = l
	s.onEnter = d.closeTop // OK only: safe
	return s
}

func (d *dialogs) showConfirm(title, msg, confirm string, fn func()) *shownDialog {
	l := messageLabel(msg)
	s := d.show(title, sized(l, 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: confirm, importance: widget.DangerImportance, fn: fn})
	s.body = l
	return s
}

// entry is a widget.Entry on which Escape closes the dialog on top and
// Enter confirms it (a focused entry gets keys before the window does).
type entry struct {
	widget.Entry
	dialogs *dialogs
	// onKey, when set, gets the keys no dialog took (the filter's Enter,
	// Down and Escape); true: handled.
	onKey func(ev *fyne.KeyEvent) bool
}

func newEntry(d *dialogs) *entry {
	e := &entry{dialogs: d}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func (e *entry) TypedKey(ev *fyne.KeyEvent) {
	top := e.dialogs.top()
	switch {
	case (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && !e.MultiLine && top != nil && top.onEnter != nil:
		top.onEnter()
		return
	case ev.Name == fyne.KeyEscape && top != nil:
		e.dialogs.closeTop()
		return
	case e.onKey != nil && e.onKey(ev):
		return
	}
	e.Entry.TypedKey(ev)
}

// dialogChrome is what a dialog adds around its content (title, buttons,
// padding): a dialog whose content is more than the window less this does
// not fit, and Fyne then cuts it off.
var dialogChrome = fyne.NewSize(48, 150)

// fitSize is the size wanted, no larger than the window (800×600 and up
// must show every dialog whole; its content scrolls inside).
func (d *dialogs) fitSize(width, height float32) fyne.Size {
	if s := d.win.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		width, height = min(width, s.Width-dialogChrome.Width/2), min(height, s.Height-dialogChrome.Height/3)
	}
	return fyne.NewSize(width, height)
}

// fitSpacer is a canvasSpacer for a dialog's content, no larger than the
// window leaves it.
func (d *dialogs) fitSpacer(width, height float32) fyne.CanvasObject {
	if s := d.win.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		width, height = min(width, s.Width-dialogChrome.Width), min(height, s.Height-dialogChrome.Height)
	}
	return canvasSpacer(max(width, 320), max(height, 200))
}

// canvasSpacer is an invisible object that gives its container a minimum size.
func canvasSpacer(width, height float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(width, height))
	return r
}
