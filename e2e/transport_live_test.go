package e2e

import (
	"testing"
	"time"
)

// liveWithin is how soon a change credctl makes shows in an open window.
const liveWithin = 2 * time.Second

// TestTransportChangesByCredctlShowInTheOpenWorkbench: a transport that
// `credctl transport` adds, renames (edit) and deletes shows in, and then
// leaves, the open workbench's tree within 2 s each, without Refresh.
func TestTransportChangesByCredctlShowInTheOpenWorkbench(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Backend")
	w := h.StartWorkbench()
	w.WaitText("Backend", uiWait)
	w.WaitText("Transports", uiWait)

	h.MustCredctl("transport", "add", "--name", "Orderbook", "--type", "http",
		"--url", "https://api.example.com/orders", "--credential", "Backend")
	w.shownWithin("Orderbook", true)

	h.MustCredctl("transport", "edit", "Orderbook", "--rename", "Invoices")
	w.shownWithin("Invoices", true)
	w.shownWithin("Orderbook", false)

	h.MustCredctl("transport", "delete", "Invoices", "--yes")
	w.shownWithin("Invoices", false)
}

// shownWithin checks that the window shows text (or, shown false, no
// longer does) within liveWithin of now. It screenshots the window
// throughout that time and reads the shots afterwards, so how long the
// OCR takes on a loaded machine does not count; when none of them shows
// it, it waits on to say whether the change came late or never.
func (w *Window) shownWithin(text string, shown bool) {
	w.t.Helper()
	start := time.Now()
	type shot struct {
		path string
		at   time.Duration
	}
	var shots []shot
	for time.Since(start) < liveWithin {
		at := time.Since(start)
		p, err := w.screenshot()
		if err != nil {
			w.t.Fatal(err)
		}
		shots = append(shots, shot{p, at})
	}
	for _, s := range shots {
		scr, err := readScreen(s.path)
		if err != nil {
			w.t.Fatal(err)
		}
		if scr.Contains(text) == shown {
			w.t.Logf("%q shown=%v after %s", text, shown, s.at.Round(10*time.Millisecond))
			return
		}
	}
	if shown {
		w.WaitText(text, uiWait)
	} else {
		w.WaitGone(text, uiWait)
	}
	w.t.Errorf("%q shown=%v only after %s, want within %s", text, shown, time.Since(start).Round(100*time.Millisecond), liveWithin)
}
