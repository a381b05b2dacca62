package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fieldMessage is a field's validation message in a line reserved under
// the field whether or not there is a message, so a message appearing
// never moves the fields below it (a click would land in the wrong one).
// A message too long for the line ends in "…"; the summary next to Save
// has it in full.
type fieldMessage struct {
	widget.BaseWidget
	Text string
}

func newFieldMessage() *fieldMessage {
	m := &fieldMessage{}
	m.ExtendBaseWidget(m)
	return m
}

// SetText shows msg ("" clears the line, which keeps its space).
func (m *fieldMessage) SetText(msg string) {
	if m.Text == msg {
		return
	}
	m.Text = msg
	m.Refresh()
}

func (m *fieldMessage) CreateRenderer() fyne.WidgetRenderer {
	t := canvas.NewText("", theme.Color(theme.ColorNameError))
	t.TextSize = theme.CaptionTextSize()
	return &fieldMessageRenderer{m: m, text: t}
}

type fieldMessageRenderer struct {
	m    *fieldMessage
	text *canvas.Text
	size fyne.Size
}

func (r *fieldMessageRenderer) height() float32 {
	return fyne.MeasureText("Mg", r.text.TextSize, r.text.TextStyle).Height
}

func (r *fieldMessageRenderer) MinSize() fyne.Size { return fyne.NewSize(0, r.height()) }

func (r *fieldMessageRenderer) Layout(s fyne.Size) {
	r.size = s
	r.text.Move(fyne.NewPos(theme.InnerPadding()/2, 0))
	r.text.Resize(fyne.NewSize(s.Width, r.height()))
	r.fit()
}

// fit cuts the text to the line's width.
func (r *fieldMessageRenderer) fit() {
	full := r.m.Text
	avail := r.size.Width - theme.InnerPadding()
	measure := func(s string) float32 { return fyne.MeasureText(s, r.text.TextSize, r.text.TextStyle).Width }
	if avail <= 0 || measure(full) <= avail {
		r.text.Text = full
		return
	}
	runes := []rune(full)
	lo, hi := 0, len(runes) // the longest prefix that fits with "…"
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if measure(string(runes[:mid])+"…") <= avail {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	r.text.Text = string(runes[:lo]) + "…"
}

func (r *fieldMessageRenderer) Refresh() {
	r.text.Color = theme.Color(theme.ColorNameError)
	r.text.TextSize = theme.CaptionTextSize()
	r.fit()
	r.text.Refresh()
}

func (r *fieldMessageRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.text} }
func (r *fieldMessageRenderer) Destroy()                     {}

// wheelForwarder lies over the whole form and hands the mouse wheel to the
// form's scroll: over an entry the wheel would otherwise scroll the
// entry's text sideways and the form not at all. It takes no taps, hover
// or keys, so everything under it works as before.
type wheelForwarder struct {
	widget.BaseWidget
	to fyne.Scrollable
}

func newWheelForwarder(to fyne.Scrollable) *wheelForwarder {
	f := &wheelForwarder{to: to}
	f.ExtendBaseWidget(f)
	return f
}

func (f *wheelForwarder) Scrolled(ev *fyne.ScrollEvent) { f.to.Scrolled(ev) }

func (f *wheelForwarder) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(nil))
}

// goToProblem scrolls to the first field with a message and focuses it.
func (f *profileForm) goToProblem() {
	for _, ff := range f.order {
		if ff.msg.Text != "" && ff.label.Visible() {
			if !f.advancedOpen() && f.inAdvanced(ff) {
				f.advanced.Open(0)
			}
			f.scrollTo(ff.label)
			if fo, ok := focusable(ff.input); ok {
				f.h.window().Canvas().Focus(fo)
			}
			return
		}
	}
}

func (f *profileForm) advancedOpen() bool { return f.advanced.Items[0].Open }

func (f *profileForm) inAdvanced(ff *formField) bool {
	for i, o := range f.order {
		if o == ff {
			return i >= f.basicCount
		}
	}
	return false
}

// focusable finds the focusable input of a field (an entry inside a
// row with buttons, a select).
func focusable(o fyne.CanvasObject) (fyne.Focusable, bool) {
	if fo, ok := o.(fyne.Focusable); ok {
		return fo, true
	}
	if c, ok := o.(*fyne.Container); ok {
		for _, ch := range c.Objects {
			if fo, ok := focusable(ch); ok {
				return fo, true
			}
		}
	}
	return nil, false
}
