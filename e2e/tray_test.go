package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// trayHost is the panel side of the StatusNotifierItem protocol (KDE, Xfce,
// GNOME's AppIndicator extension): it owns org.kde.StatusNotifierWatcher on
// the session bus and notes who registered an item, so the scenario can
// read the item's menu and click in it as a panel does.
type trayHost struct {
	conn *dbus.Conn
	mu   sync.Mutex
	item string // bus name of the registered item
}

func (w *trayHost) RegisterStatusNotifierItem(sender dbus.Sender, _ string) *dbus.Error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.item = string(sender)
	return nil
}

func (w *trayHost) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// startTrayHost takes the watcher's name (waiting while another test of
// the session holds it) until the end of the test.
func startTrayHost(t *testing.T) *trayHost {
	t.Helper()
	testenv.LockDesktopBus(t) // cmd/credworkbench's tray test plays the host on this bus too
	return takeTrayHost(t)
}

// takeTrayHost is startTrayHost for a test that holds LockDesktopBus already.
func takeTrayHost(t *testing.T) *trayHost {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("the D-Bus session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	host := &trayHost{conn: conn}
	if err := conn.Export(host, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
		if err == nil && reply == dbus.RequestNameReplyPrimaryOwner {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cannot own org.kde.StatusNotifierWatcher (%v, %v): another tray host holds it", reply, err)
		}
	}
	t.Cleanup(func() { _, _ = conn.ReleaseName("org.kde.StatusNotifierWatcher") })
	return host
}

func (w *trayHost) registered() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.item
}

// trayEntry is one item of the tray menu.
type trayEntry struct {
	ID       int32
	Label    string
	Children []trayEntry
}

// menu reads the item's menu (com.canonical.dbusmenu GetLayout).
func (w *trayHost) menu() []trayEntry {
	call := w.conn.Object(w.registered(), "/StatusNotifierMenu").Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil || len(call.Body) != 2 {
		return nil
	}
	root, _ := call.Body[1].([]any)
	return menuEntry(root).Children
}

func menuEntry(v []any) trayEntry {
	var e trayEntry
	if len(v) != 3 {
		return e
	}
	e.ID, _ = v[0].(int32)
	if props, ok := v[1].(map[string]dbus.Variant); ok {
		if l, ok := props["label"]; ok {
			e.Label, _ = l.Value().(string)
		}
	}
	children, _ := v[2].([]dbus.Variant)
	for _, c := range children {
		if cv, ok := c.Value().([]any); ok {
			e.Children = append(e.Children, menuEntry(cv))
		}
	}
	return e
}

func findEntry(menu []trayEntry, prefix string) (trayEntry, bool) {
	for _, e := range menu {
		if e.Label != "" && strings.HasPrefix(e.Label, prefix) {
			return e, true
		}
	}
	return trayEntry{}, false
}

func (w *trayHost) click(t *testing.T, e trayEntry) {
	t.Helper()
	obj := w.conn.Object(w.registered(), "/StatusNotifierMenu")
	if c := obj.Call("com.canonical.dbusmenu.Event", 0, e.ID, "clicked", dbus.MakeVariant(""), uint32(0)); c.Err != nil {
		t.Fatalf("clicking %q in the tray menu: %v", e.Label, c.Err)
	}
}

// TestTrayAgent: started hidden (as at login), the workbench shows no
// window but a tray item whose menu lists the profile as Active after its
// test; the menu's Open workbench shows the window with the profile, and
// Quit ends the process.
func TestTrayAgent(t *testing.T) {
	h := New(t)
	host := startTrayHost(t)
	h.AddApp(nil, "Billing API")
	w := h.StartWorkbench("--hidden")

	var menu []trayEntry
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		if host.registered() != "" {
			menu = host.menu()
			if _, ok := findEntry(menu, "Billing API — Active"); ok {
				break
			}
		}
		if done, err := w.Exited(); done {
			t.Fatalf("the hidden workbench exited: %v\n%s", err, w.Output())
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tray menu does not list Billing API as Active: %+v\n%s", menu, w.Output())
		}
	}
	if ids := visibleWindows(w.Pid()); len(ids) != 0 {
		t.Fatalf("started --hidden, yet windows %v are shown", ids)
	}
	for _, want := range []string{"Open workbench", "Settings", "Quit"} {
		if _, ok := findEntry(menu, want); !ok {
			t.Errorf("the tray menu lacks %q: %+v", want, menu)
		}
	}

	open, _ := findEntry(menu, "Open workbench")
	host.click(t, open)
	w.WaitWindow(30 * time.Second)
	w.WaitText("Billing API", uiWait)

	quit, _ := findEntry(menu, "Quit")
	host.click(t, quit)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if done, err := w.Exited(); done {
			if err != nil {
				t.Fatalf("Quit from the tray: %v\n%s", err, w.Output())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Quit in the tray menu did not end the workbench\n%s", w.Output())
		}
	}
}
