package ui

import (
	"os"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
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
		return d
	}
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		// #nosec G703 -- only whether the user's own session bus socket exists is looked at
		if st, err := os.Stat(filepath.Join(rt, "bus")); err == nil && st.Mode()&os.ModeSocket != 0 {
			return d
		}
	}
	return nil
}
