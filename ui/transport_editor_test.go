package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

func editorHarness(t *testing.T, width, height float32) (*harness, *transportEditor) {
	t.Helper()
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, credentials.Profile{Name: "Backend", Type: credentials.TypeApplication,
		TokenURL: "https://idp.example.com/token", ClientID: "backend"})
	h := newHarness(t, repo, nil)
	h.win.Resize(fyne.NewSize(width, height))
	e := h.wb.nav.edit(nil)
	if e == nil || h.wb.dialogs.top() == nil {
		t.Fatal("the editor did not open")
	}
	return h, e
}

// editorScroll is the scroll of the dialog on top that holds the URL field
// (found in the rendered dialog, not through the editor's fields).
func editorScroll(t *testing.T, h *harness, e *transportEditor) *container.Scroll {
	t.Helper()
	var found *container.Scroll
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		s, ok := o.(*container.Scroll)
		if !ok || found != nil {
			return
		}
		walk(s.Content, func(in fyne.CanvasObject) {
			if in == e.url {
				found = s
			}
		})
	})
	if found == nil {
		t.Fatal("no scroll holds the editor's form")
	}
	return found
}

// formHeight is what the form needs to show without scrolling.
func formHeight(t *testing.T, h *harness, e *transportEditor) float32 {
	return editorScroll(t, h, e).Content.MinSize().Height
}

// labelsShown are the texts of the labels wholly inside the editor's
// visible scroll area (and so inside the window).
func labelsShown(t *testing.T, h *harness, e *transportEditor) map[string]bool {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	sc := editorScroll(t, h, e)
	top := d.AbsolutePositionForObject(sc)
	bottom := top.Y + sc.Size().Height
	canvas := h.win.Canvas().Size()
	shown := map[string]bool{}
	walk(sc.Content, func(o fyne.CanvasObject) {
		l, ok := o.(*widget.Label)
		if !ok || l.Text == "" {
			return
		}
		p := d.AbsolutePositionForObject(l)
		if p.Y >= top.Y && p.Y+l.Size().Height <= bottom+0.5 && p.Y+l.Size().Height <= canvas.Height && l.Size().Height > 0 {
			shown[l.Text] = true
		}
	})
	return shown
}

// menuBarHeight is what the window's menu bar (File, Settings) takes of an
// 800×600 window in the real driver; the test canvas draws none.
const menuBarHeight = 32

// TestTransportEditorShowsTheWholeFormAt800x600: every row of the form is
// in view in an 800×600 window, HTTP and WS_SOAP, with a credential; the
// buttons are inside the window.
func TestTransportEditorShowsTheWholeFormAt800x600(t *testing.T) {
	h, e := editorHarness(t, 800, 600-menuBarHeight)
	e.auth.SetSelected(authCredential)
	want := []string{"Transport name", "Type", "URL", "Method", "Headers", "Body", "Body file", "Timeout", "Authorization", "Name"}
	shown := labelsShown(t, h, e)
	for _, l := range want {
		if !shown[l] {
			t.Errorf("HTTP: %q is not in view at 800×600 (scroll %v, form needs %v)", l, editorScroll(t, h, e).Size(), formHeight(t, h, e))
		}
	}
	e.typ.SetSelected(string(credentials.TransportWSSOAP))
	shown = labelsShown(t, h, e)
	for _, l := range []string{"Type", "URL", "SOAP version", "SOAP action", "Headers", "Body", "Timeout", "Authorization", "Name", "Token in"} {
		if !shown[l] {
			t.Errorf("WS_SOAP: %q is not in view at 800×600 (scroll %v, form needs %v)", l, editorScroll(t, h, e).Size(), formHeight(t, h, e))
		}
	}
	if shown["Method"] {
		t.Error("WS_SOAP has no Method row")
	}
	d := fyne.CurrentApp().Driver()
	for _, label := range []string{"Cancel", "Run unsaved", "Save"} {
		b := h.wb.dialogs.top().button(label)
		p := d.AbsolutePositionForObject(b)
		if p.Y+b.Size().Height > 600-menuBarHeight || p.X+b.Size().Width > 800 || b.Size().Height == 0 {
			t.Errorf("%s is outside the window: %v %v", label, p, b.Size())
		}
	}
	// A large window shows the form without empty space below it.
	h.closeAll()
	h.win.Resize(fyne.NewSize(1600, 1200))
	e = h.wb.nav.edit(nil)
	if extra := editorScroll(t, h, e).Size().Height - formHeight(t, h, e); extra > 40 || extra < 0 {
		t.Errorf("at 1600×1200 the dialog's form area is %v taller than its form", extra)
	}
}

// TestTransportEditorWheelScrollsOverFields: in a window too small for the
// whole form, the mouse wheel over a field (a multi-line one too) scrolls
// the form, as the real driver delivers the wheel.
func TestTransportEditorWheelScrollsOverFields(t *testing.T) {
	h, e := editorHarness(t, 800, 420)
	e.auth.SetSelected(authCredential)
	sc := editorScroll(t, h, e)
	if sc.Size().Height >= formHeight(t, h, e) {
		t.Fatalf("the form should not fit at 800×420: %v of %v", sc.Size(), formHeight(t, h, e))
	}
	c := h.win.Canvas()
	for _, o := range []fyne.CanvasObject{e.headers, e.url, e.typ} {
		sc.ScrollToTop()
		wheelAt(t, c, centre(o), -40)
		if sc.Offset.Y <= 0 {
			t.Errorf("the wheel over %T did not scroll the form", o)
		}
	}
	sc.ScrollToTop()
	wheelAt(t, c, centre(e.body), -400)
	if sc.Offset.Y <= 0 {
		t.Fatal("the wheel over Body did not scroll the form")
	}
	if !labelsShown(t, h, e)["Authorization"] {
		t.Error("scrolled down, Authorization is in view")
	}
}

// TestTransportEditorCancelAsksOnChanges: Cancel (or Escape) on a changed
// form says what would be lost and closes only when pressed again; an
// unchanged form closes at once.
func TestTransportEditorCancelAsksOnChanges(t *testing.T) {
	h, _ := editorHarness(t, 1024, 768)
	h.tap(h.wb.dialogs.top().button("Cancel"))
	if h.wb.dialogs.top() != nil {
		t.Fatal("Cancel on an unchanged new transport closes it")
	}

	e := h.wb.nav.edit(nil)
	test.Type(e.url, "https://api.example.com/orders")
	h.tap(h.wb.dialogs.top().button("Cancel"))
	if h.wb.dialogs.top() == nil || !e.errors.Visible() || !strings.Contains(e.errors.Text, "unsaved changes") {
		t.Fatalf("Cancel on a changed form asks first; errors %q", e.errors.Text)
	}
	if got := h.wb.dialogs.top().button("Cancel").Text; got != "Discard changes" {
		t.Errorf("the Cancel button says %q", got)
	}
	h.tap(h.wb.dialogs.top().button("Cancel"))
	if h.wb.dialogs.top() != nil {
		t.Fatal("the second press discards")
	}

	// Escape asks the same; an edit opened and left as it was closes at once.
	e = h.wb.nav.edit(nil)
	test.Type(e.name, "Orders")
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() == nil {
		t.Fatal("Escape on a changed form asks first")
	}
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() != nil {
		t.Fatal("the second Escape discards")
	}
	saved, err := h.repo.Transports().Save(credentials.Transport{Name: "Orders", Type: credentials.TransportHTTP, Method: "POST",
		URL: "https://api.example.com/orders", Headers: []credentials.Header{{Name: "Accept", Value: "application/json"}},
		Body: "{}", Timeout: credentials.Duration(30e9)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.wb.nav.reload()
	h.wb.nav.edit(&saved)
	h.tap(h.wb.dialogs.top().button("Cancel"))
	if h.wb.dialogs.top() != nil {
		t.Fatal("Cancel on an unchanged edit closes it")
	}
}
