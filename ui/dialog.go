package ui

import (
	"fyne.io/fyne/v2"
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

// showDialog shows content with the given buttons; each button's action runs
// after the dialog is hidden unless keepOpen is set on it.
func (w *Workbench) showDialog(title string, content fyne.CanvasObject, buttons ...dialogButton) *shownDialog {
	s := &shownDialog{title: title, buttons: map[string]*widget.Button{}}
	s.d = dialog.NewCustomWithoutButtons(title, content, w.win)
	var objs []fyne.CanvasObject
	for _, b := range buttons {
		b := b
		btn := widget.NewButton(b.label, nil)
		btn.Importance = b.importance
		btn.OnTapped = func() {
			if !b.keepOpen {
				w.hideDialog(s)
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
		if w.dlg == s {
			w.dlg = nil
		}
	})
	if w.dlg != nil {
		w.dlg.d.Hide() // one dialog at a time: the new one replaces it
	}
	w.dlg = s
	s.d.Show()
	return s
}

type dialogButton struct {
	label      string
	importance widget.Importance
	fn         func()
	keepOpen   bool
}

func (w *Workbench) hideDialog(s *shownDialog) {
	if w.dlg == s {
		w.dlg = nil
	}
	s.d.Hide()
}

// closeDialog is Escape: it cancels the dialog on top.
func (w *Workbench) closeDialog() {
	s := w.dlg
	if s == nil {
		return
	}
	if s.mayClose != nil && !s.mayClose() {
		return
	}
	w.hideDialog(s)
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

func (w *Workbench) showMessage(title, msg string) *shownDialog {
	l := messageLabel(msg)
	s := w.showDialog(title, sized(l, 460, 0), dialogButton{label: "OK", importance: widget.HighImportance})
	s.body = l
	s.onEnter = w.closeDialog // OK only: safe
	return s
}

func (w *Workbench) showError(title string, err error) *shownDialog {
	l := messageLabel(err.Error())
	l.Importance = widget.DangerImportance
	s := w.showDialog(title, sized(l, 460, 0), dialogButton{label: "OK", importance: widget.HighImportance})
	s.body = l
	s.onEnter = w.closeDialog // OK only: safe
	return s
}

func (w *Workbench) showConfirm(title, msg, confirm string, fn func()) *shownDialog {
	l := messageLabel(msg)
	s := w.showDialog(title, sized(l, 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: confirm, importance: widget.DangerImportance, fn: fn})
	s.body = l
	return s
}

// entry is a widget.Entry on which Escape closes the dialog on top (a
// focused entry gets keys before the window does).
type entry struct {
	widget.Entry
	w *Workbench
}

func newEntry(w *Workbench) *entry {
	e := &entry{w: w}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func (e *entry) TypedKey(ev *fyne.KeyEvent) {
	if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && !e.MultiLine {
		if d := e.w.dlg; d != nil && d.onEnter != nil {
			d.onEnter()
			return
		}
		if e == e.w.filter {
			e.w.focusResults()
			return
		}
	}
	if ev.Name == fyne.KeyDown && e == e.w.filter {
		e.w.focusResults()
		return
	}
	if ev.Name == fyne.KeyEscape {
		if e.w.dlg != nil {
			e.w.closeDialog()
			return
		}
		if e == e.w.filter {
			e.SetText("")
			return
		}
	}
	e.Entry.TypedKey(ev)
}
