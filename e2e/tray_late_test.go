package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// TestTrayHostAppearsLater: on a desktop without a tray host the workbench
// shows its window and puts no tray item on the bus (no hidden GL window
// for it either); a panel that starts afterwards gets the tray item, with
// the profile in its menu, and the menu's Quit ends the workbench.
func TestTrayHostAppearsLater(t *testing.T) {
	h := New(t)
	testenv.LockDesktopBus(t) // no other test's tray host on the bus until this one takes the name
	h.AddApp(nil, "Billing API")
	w := h.StartWorkbench()
	w.WaitWindow(60 * time.Second)
	w.WaitText("Billing API", uiWait)

	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", w.Pid()) // the name fyne's tray owns on the bus
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, item).Store(&owned); err != nil {
		t.Fatal(err)
	}
	if owned {
		t.Errorf("%s is on the bus although no tray host is", item)
	}

	host := takeTrayHost(t)
	var menu []trayEntry
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		if host.registered() != "" {
			menu = host.menu()
			if _, ok := findEntry(menu, "Billing API — "); ok {
				break
			}
		}
		if done, err := w.Exited(); done {
			t.Fatalf("the workbench exited: %v\n%s", err, w.Output())
		}
		if time.Now().After(deadline) {
			t.Fatalf("a tray host that started after the workbench got no tray menu with the profile: %+v\n%s", menu, w.Output())
		}
	}
	quit, ok := findEntry(menu, "Quit")
	if !ok {
		t.Fatalf("the tray menu lacks Quit: %+v", menu)
	}
	host.click(t, quit)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if done, err := w.Exited(); done {
			if err != nil {
				t.Fatalf("Quit from the tray: %v\n%s", err, w.Output())
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Quit in the tray menu did not end the workbench\n%s", w.Output())
		}
	}
}
