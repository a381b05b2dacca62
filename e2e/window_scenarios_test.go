package e2e

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Scenarios of issue #24 items 8 and 9: the Transport configuration dialog
// at 800×600, and the window's menu, notices and closing with and without
// a tray host.

// inBox says whether the screen shows text inside [top, bottom) (window
// pixels, vertically): in a dialog, not in the view behind it.
func inBox(s Screen, text string, top, bottom int) bool {
	for _, b := range s.FindAll(text) {
		if b.Y >= top && b.Y+b.Height <= bottom {
			return true
		}
	}
	return false
}

// dialogSpan is the vertical span of the dialog titled title: from its
// title to the bottom of the button labelled button.
func dialogSpan(t *testing.T, s Screen, title, button string) (top, bottom int) {
	t.Helper()
	titles, buttons := s.FindAll(title), s.FindAll(button)
	if len(titles) == 0 || len(buttons) == 0 {
		t.Fatalf("no dialog %q with %q (screenshot %s):\n%s", title, button, s.Path, s.Text())
	}
	low := buttons[0]
	for _, b := range buttons {
		if b.Y > low.Y {
			low = b
		}
	}
	return titles[0].Y, low.Y + low.Height
}

// requireLabels fails for each label not shown inside the dialog.
func requireLabels(t *testing.T, s Screen, top, bottom int, labels ...string) {
	t.Helper()
	for _, l := range labels {
		if !inBox(s, l, top, bottom) {
			t.Errorf("the dialog does not show %q (screenshot %s); it read:\n%s", l, s.Path, s.Text())
		}
	}
}

// clickLowest clicks the lowest place where the window shows text: a
// select's choice sits below the select, Add transport below the view's
// text that names transports.
func (w *Window) clickLowest(text string, timeout time.Duration) {
	w.t.Helper()
	w.clickFound(text, timeout, func(bs []Box) Box {
		low := bs[0]
		for _, b := range bs[1:] {
			if b.Y > low.Y {
				low = b
			}
		}
		return low
	})
}

// wheel turns the mouse wheel down n notches at (x, y) in the window.
func (w *Window) wheel(x, y, n int) {
	w.t.Helper()
	w.focus()
	w.xdo("mousemove", "--window", w.ID, fmt.Sprint(x), fmt.Sprint(y))
	time.Sleep(100 * time.Millisecond)
	w.xdo("click", "--repeat", fmt.Sprint(n), "--delay", "60", "5")
	time.Sleep(500 * time.Millisecond)
}

// TestTransportConfigurationDialogAt800x600: in an 800×600 window the
// Transport configuration dialog (opened with left clicks: the tree's
// Transports node, Add transport) shows its whole form, HTTP and WS_SOAP
// with a credential; in a smaller window the mouse wheel over a field
// scrolls the form; Cancel on the changed form asks before it discards.
func TestTransportConfigurationDialogAt800x600(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Backend")
	w := h.StartWorkbench()
	w.Resize(800, 600)
	w.ClickText("Transports", uiWait)
	w.clickLowest("Add transport", uiWait)
	s := w.WaitText("Transport configuration", uiWait)
	top, bottom := dialogSpan(t, s, "Transport configuration", "Cancel")
	requireLabels(t, s, top, bottom, "Transport name", "Type", "URL", "Method", "Headers", "Body", "Timeout", "Authorization")

	// WS_SOAP, Authorization: Credential: SOAP version and action, Name, Token in.
	w.ClickText("HTTP", uiWait)
	w.clickLowest("WS_SOAP", uiWait)
	w.WaitText("SOAP action", uiWait)
	w.ClickText("None", uiWait)
	w.clickLowest("Credential", uiWait)
	s = w.WaitText("Token in", uiWait)
	top, bottom = dialogSpan(t, s, "Transport configuration", "Cancel")
	requireLabels(t, s, top, bottom, "Type", "URL", "SOAP version", "SOAP action", "Headers", "Body", "Timeout",
		"Authorization", "Name", "Token in")
	shot := w.Screenshot()
	t.Logf("the dialog at 800×600: %s", shot)

	// A smaller window: the form scrolls, and the wheel over the Body field
	// scrolls it (an entry would otherwise take the wheel).
	w.Resize(800, 420)
	s = w.WaitGone("Token in", uiWait)
	bodies := s.FindAll("Body")
	if len(bodies) == 0 {
		t.Fatalf("no Body field at 800×420:\n%s", s.Text())
	}
	x, y := bodies[0].Center()
	w.wheel(x+250, y+10, 10)
	w.WaitText("Token in", uiWait)

	// Cancel on the changed form asks, and becomes Discard changes (in the
	// same place); pressed again it discards.
	w.Resize(800, 600)
	s = w.WaitText("Cancel", uiWait)
	cancels := s.FindAll("Cancel")
	cancel := cancels[len(cancels)-1]
	w.Click(cancel.Center())
	w.WaitText("unsaved changes", uiWait)
	w.Click(cancel.Center())
	w.WaitGone("Transport configuration", uiWait)
}

// sessionHasNo waits (a tray scenario of the session may still hold it)
// until nothing on the session bus owns name.
func sessionHasNo(t *testing.T, name string) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("the D-Bus session bus: %v", err)
	}
	defer conn.Close()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		var has bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has); err != nil {
			t.Fatal(err)
		}
		if !has {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is owned on this session bus: the scenario needs a desktop without it", name)
		}
	}
}

// CloseByWM sends WM_DELETE_WINDOW, as a window manager's close button
// does (Xvfb has no window manager; xdotool's windowclose destroys the
// window instead).
func (w *Window) CloseByWM() {
	w.t.Helper()
	id, err := strconv.ParseUint(w.ID, 10, 32)
	if err != nil {
		w.t.Fatal(err)
	}
	X, err := xgb.NewConn()
	if err != nil {
		w.t.Fatalf("connecting to the X display: %v", err)
	}
	defer X.Close()
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(X, false, uint16(len(name)), name).Reply()
		if err != nil {
			w.t.Fatal(err)
		}
		return r.Atom
	}
	win := xproto.Window(id)
	ev := xproto.ClientMessageEvent{Format: 32, Window: win, Type: atom("WM_PROTOCOLS"),
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(atom("WM_DELETE_WINDOW")), uint32(xproto.TimeCurrentTime), 0, 0, 0})}
	if err := xproto.SendEventChecked(X, false, win, xproto.EventMaskNoEvent, string(ev.Bytes())).Check(); err != nil {
		w.t.Fatalf("sending WM_DELETE_WINDOW: %v", err)
	}
}

// waitExit waits for the workbench to end by itself.
func (w *Window) waitExit(what string, timeout time.Duration) {
	w.t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(200 * time.Millisecond) {
		if done, err := w.Exited(); done {
			if err != nil {
				w.t.Fatalf("%s: the workbench ended with %v\n%s", what, err, w.Output())
			}
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: the workbench still runs after %s\n%s", what, timeout, w.Output())
		}
	}
}

// checkWindowMenu opens the window's File and Settings menus and returns
// what Settings showed.
func checkWindowMenu(t *testing.T, w *Window) Screen {
	t.Helper()
	w.ClickText("File", uiWait)
	w.WaitText("Quit", uiWait)
	w.Key("Escape")
	w.WaitGone("Quit", uiWait)
	w.ClickText("Settings", uiWait)
	s := w.WaitText("Start at login", uiWait)
	for _, want := range []string{"Notify: renewal failures", "Notify: secret and certificate expiry"} {
		if !s.Contains(want) {
			t.Errorf("the Settings menu lacks %q; it read:\n%s", want, s.Text())
		}
	}
	w.Key("Escape")
	w.WaitGone("Start at login", uiWait)
	return s
}

// TestNoTrayHostWindowMenuNoticesAndCloseQuits: on a session bus without a
// StatusNotifier host or a notification daemon (stock GNOME without
// extensions; scripts/test.sh's session), the window has File › Quit and
// Settings (without "Keep running"), the expiry warning shows in the
// window, and closing the window ends the process.
func TestNoTrayHostWindowMenuNoticesAndCloseQuits(t *testing.T) {
	h := New(t)
	testenv.LockDesktopBus(t) // no other test may play the tray host meanwhile
	sessionHasNo(t, "org.kde.StatusNotifierWatcher")
	sessionHasNo(t, "org.freedesktop.Notifications")
	h.AddApp(nil, "Billing API", "--secret-expires", time.Now().AddDate(0, 0, 10).Format("2006-01-02"))
	w := h.StartWorkbench()
	w.Resize(1024, 700)
	w.WaitText("Client secret expires soon", uiWait)

	s := checkWindowMenu(t, w)
	// (Its disabled note "No tray icon on this desktop…" is too faint for
	// OCR; the ui tests check it.)
	if s.Contains("Keep running") {
		t.Errorf("without a tray host Settings offers keeping running; it read:\n%s", s.Text())
	}

	w.CloseByWM()
	w.waitExit("closing the window without a tray host", 20*time.Second)
}

// TestTrayHostWindowMenuAndCloseKeepsRunning: with a tray host the window
// has the same menu (Settings with "Keep running"), closing it asks once
// and Keep running hides it with the process alive; the tray's Quit ends
// it.
func TestTrayHostWindowMenuAndCloseKeepsRunning(t *testing.T) {
	h := New(t)
	host := startTrayHost(t)
	w := h.StartWorkbench()
	w.Resize(1024, 700)
	if s := checkWindowMenu(t, w); !s.Contains("Keep running when the window is closed") {
		t.Errorf("with a tray host Settings offers keeping running; it read:\n%s", s.Text())
	}

	w.CloseByWM()
	w.WaitText("Keep running in the background", uiWait)
	w.Key("Return") // the question's default, Keep running (its buttons read poorly by OCR)
	for deadline := time.Now().Add(20 * time.Second); len(visibleWindows(w.Pid())) > 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Keep running did not hide the window\n%s", w.Output())
		}
	}
	// The process must live on: it is checked on every poll of the tray
	// menu below rather than after a fixed pause.
	var menu []trayEntry
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		if done, err := w.Exited(); done {
			t.Fatalf("closing with a tray host ended the workbench: %v\n%s", err, w.Output())
		}
		menu = host.menu()
		if _, ok := findEntry(menu, "Quit"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no tray menu with Quit: %+v", menu)
		}
	}
	quit, _ := findEntry(menu, "Quit")
	host.click(t, quit)
	w.waitExit("Quit in the tray menu", 30*time.Second)
}
