package ui

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"
	"github.com/godbus/dbus/v5"
)

// SystemTray is the app's system tray, or nil where it cannot work. On
// Linux and the BSDs the tray talks D-Bus (StatusNotifierItem): without a
// session bus fyne's tray library falls back to dbus-launch and, when that
// fails too, crashes when the app quits, so no tray is set up then (the
// window is then the only way in, and closing it quits).
func SystemTray(a fyne.App) desktop.App {
	d, ok := a.(desktop.App)
	if !ok {
		return nil
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		return d
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return busTray{d}
	}
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		// #nosec G703 -- only whether the user's own session bus socket exists is looked at
		if st, err := os.Stat(filepath.Join(rt, "bus")); err == nil && st.Mode()&os.ModeSocket != 0 {
			return busTray{d}
		}
	}
	return nil
}

// lateTray is a tray that can be started while the app already runs.
type lateTray interface{ startLate() }

// busTray is fyne's StatusNotifierItem tray. Fyne puts it on the bus when
// its loop starts (Run), and only if SetSystemTrayWindow or a tray menu
// came before; the agent hands it over only when a panel shows tray icons
// (Agent.startTray), which may be after Run.
type busTray struct{ desktop.App }

// startLate puts the tray on the bus now, as fyne's Run would have: after
// SetSystemTrayWindow, whose registration fyne starts only in Run. The
// menu and the icon follow (Agent.desktopChanged). The title is the one
// fyne gives the item; set first, as the item's id is made from it.
func (busTray) startLate() {
	app := fyne.CurrentApp()
	title := app.Metadata().Name
	if title == "" {
		title = app.UniqueID()
	}
	systray.SetTitle(title)
	start, _ := systray.RunWithExternalLoop(nil, nil) // fyne's own stop (at quit) ends it
	start()
}

// Desktop says what the desktop offers now. A session bus alone does not
// show a tray icon: stock GNOME has no StatusNotifier host, so the icon
// (and its Quit) would be nowhere, and without a notification daemon a
// notification reaches no one.
type Desktop interface {
	// TrayHost: a panel shows the tray icon and its menu.
	TrayHost() bool
	// Notifications: a notification daemon shows notifications.
	Notifications() bool
	// OnChange sets what to call (on any goroutine) when an answer changes.
	OnChange(fn func())
}

// D-Bus names of the StatusNotifier watcher (it knows the panels that show
// tray icons, the "hosts") and of the notification service.
const (
	sniWatcherName  = "org.kde.StatusNotifierWatcher"
	sniWatcherPath  = "/StatusNotifierWatcher"
	notificationsBN = "org.freedesktop.Notifications"
)

// busDesktop follows the session bus: whether a StatusNotifier host and a
// notification daemon are there, re-asked whenever those names change
// owner or a host registers (a panel or an extension that starts later).
type busDesktop struct {
	conn *dbus.Conn

	mu       sync.Mutex
	tray     bool
	notes    bool
	onChange func()
}

// everything is a desktop with a tray and notifications (Windows, macOS).
type everything struct{}

func (everything) TrayHost() bool      { return true }
func (everything) Notifications() bool { return true }
func (everything) OnChange(func())     {}

// nothing is a desktop without a session bus.
type nothing struct{}

func (nothing) TrayHost() bool      { return false }
func (nothing) Notifications() bool { return false }
func (nothing) OnChange(func())     {}

// WatchDesktop looks at the desktop the app runs on and keeps following it.
func WatchDesktop(a fyne.App) Desktop {
	switch runtime.GOOS {
	case "windows", "darwin":
		return everything{}
	}
	if SystemTray(a) == nil {
		return nothing{}
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nothing{}
	}
	d := &busDesktop{conn: conn}
	d.tray, d.notes = d.ask()
	d.follow()
	return d
}

func (d *busDesktop) TrayHost() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tray
}

func (d *busDesktop) Notifications() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.notes
}

func (d *busDesktop) OnChange(fn func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onChange = fn
}

// ask asks the bus (each call bounded, so a stuck bus cannot hold the
// start up).
func (d *busDesktop) ask() (tray, notes bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	bus := d.conn.BusObject()
	owned := func(name string) bool {
		var has bool
		return bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has) == nil && has
	}
	if owned(sniWatcherName) {
		// A watcher without any host (a panel) shows nothing. A watcher
		// that cannot say is taken at its word that it is one.
		var v dbus.Variant
		err := d.conn.Object(sniWatcherName, sniWatcherPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
			sniWatcherName, "IsStatusNotifierHostRegistered").Store(&v)
		registered, isBool := v.Value().(bool)
		tray = err != nil || !isBool || registered
	}
	notes = owned(notificationsBN)
	if !notes {
		// A daemon the bus starts on the first notification counts too.
		var names []string
		err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&names)
		notes = err == nil && slices.Contains(names, notificationsBN)
	}
	return tray, notes
}

// follow re-asks when the watcher or the notification service come or go,
// or a host registers or leaves.
func (d *busDesktop) follow() {
	for _, opts := range [][]dbus.MatchOption{
		{dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, sniWatcherName)},
		{dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, notificationsBN)},
		{dbus.WithMatchInterface(sniWatcherName), dbus.WithMatchMember("StatusNotifierHostRegistered")},
		{dbus.WithMatchInterface(sniWatcherName), dbus.WithMatchMember("StatusNotifierHostUnregistered")},
	} {
		if err := d.conn.AddMatchSignal(opts...); err != nil {
			return // what was found at the start stays the answer
		}
	}
	ch := make(chan *dbus.Signal, 16)
	d.conn.Signal(ch)
	go func() {
		for range ch {
			tray, notes := d.ask()
			d.mu.Lock()
			changed := tray != d.tray || notes != d.notes
			d.tray, d.notes = tray, notes
			fn := d.onChange
			d.mu.Unlock()
			if changed && fn != nil {
				fn()
			}
		}
	}()
}
