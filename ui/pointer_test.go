package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// The glfw driver sends a click or a wheel turn to the topmost, deepest
// object under the pointer that takes that kind of event; the test
// driver's TapCanvas looks for Tappable objects only, so a right-clickable
// object that swallows left clicks in the real window would pass a test.
// These helpers pick the target the way the real driver does.

// objectAt is the last visible object under pos (absolute) in walk order
// (the top overlay, else the content) that matches.
func objectAt(c fyne.Canvas, pos fyne.Position, matches func(fyne.CanvasObject) bool) (fyne.CanvasObject, fyne.Position) {
	root := c.Content()
	if top := c.Overlays().Top(); top != nil {
		root = top
	}
	d := fyne.CurrentApp().Driver()
	var found fyne.CanvasObject
	var at fyne.Position
	walk(root, func(o fyne.CanvasObject) {
		p := d.AbsolutePositionForObject(o)
		s := o.Size()
		if pos.X < p.X || pos.Y < p.Y || pos.X >= p.X+s.Width || pos.Y >= p.Y+s.Height || !matches(o) {
			return
		}
		found, at = o, pos.Subtract(p)
	})
	return found, at
}

// clickAt is a left click at pos as the glfw driver delivers it.
func clickAt(t *testing.T, c fyne.Canvas, pos fyne.Position) {
	t.Helper()
	o, at := objectAt(c, pos, func(o fyne.CanvasObject) bool {
		switch o.(type) {
		case fyne.Tappable, fyne.SecondaryTappable, fyne.DoubleTappable, desktop.Mouseable:
			return true
		}
		return false
	})
	if o == nil {
		t.Fatalf("nothing to click at %v", pos)
	}
	if tp, ok := o.(fyne.Tappable); ok {
		ev := &fyne.PointEvent{AbsolutePosition: pos, Position: at}
		tp.Tapped(ev)
	}
}

// wheelAt turns the mouse wheel at pos (dy < 0 scrolls down) as the glfw
// driver delivers it: to the deepest Scrollable under the pointer.
func wheelAt(t *testing.T, c fyne.Canvas, pos fyne.Position, dy float32) {
	t.Helper()
	o, at := objectAt(c, pos, func(o fyne.CanvasObject) bool {
		_, ok := o.(fyne.Scrollable)
		return ok
	})
	if o == nil {
		t.Fatalf("nothing scrollable at %v", pos)
	}
	o.(fyne.Scrollable).Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{AbsolutePosition: pos, Position: at},
		Scrolled: fyne.NewDelta(0, dy)})
}

// centre is the absolute centre of o.
func centre(o fyne.CanvasObject) fyne.Position {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return p.Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
}
