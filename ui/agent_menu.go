package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// menuFile is the first menu of the window's menu bar.
const menuFile = "File"

// quitShortcut is Ctrl+Q (Cmd+Q on macOS).
var quitShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}

// installMenu gives the window its own menu bar with Quit and the agent's
// Settings: on a desktop without a tray host they would otherwise be
// nowhere.
func (a *Agent) installMenu() {
	quit := fyne.NewMenuItem(trayQuit, a.Quit)
	quit.IsQuit = true // the last item of the first menu: fyne adds no second Quit
	quit.Shortcut = quitShortcut
	a.settings = fyne.NewMenu(traySettings, a.settingsItems()...)
	a.menu = fyne.NewMainMenu(fyne.NewMenu(menuFile, quit), a.settings)
	a.w.win.SetMainMenu(a.menu)
	a.w.win.Canvas().AddShortcut(quitShortcut, func(fyne.Shortcut) { a.Quit() })
}

// refreshMenus rebuilds the tray menu and the window's Settings (check
// marks, and what a tray host's arrival or leaving changes).
func (a *Agent) refreshMenus() {
	a.tray.update()
	if a.settings != nil {
		a.settings.Items = a.settingsItems()
		a.menu.Refresh()
	}
}

// settingsItems are the agent's preferences as check items, the same in
// the tray and the window. Keeping running in the background is offered
// only where a tray icon leads back to the window.
func (a *Agent) settingsItems() []*fyne.MenuItem {
	prefs := a.w.app.Preferences()
	check := func(label string, on bool, set func(bool)) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() {
			set(!on)
			a.refreshMenus()
		})
		it.Checked = on
		return it
	}
	var items []*fyne.MenuItem
	atLogin := noTrayAtLogin
	if a.HasTray() {
		atLogin = trayAtLogin
		items = append(items, check(trayKeep, prefs.BoolWithFallback(PrefKeepRunning, true), func(v bool) {
			prefs.SetBool(PrefKeepRunning, v)
			prefs.SetBool(prefCloseAsked, true) // chosen: no need to ask
		}))
	} else {
		items = append(items, disabledItem(noTrayNote))
	}
	items = append(items, check(atLogin, prefs.BoolWithFallback(PrefStartAtLogin, false), a.setStartAtLogin),
		fyne.NewMenuItemSeparator())
	for _, k := range noteKinds {
		k := k
		items = append(items, check(fmt.Sprintf(trayNotifyFmt, k.label), prefs.BoolWithFallback(k.pref, true),
			func(v bool) { prefs.SetBool(k.pref, v) }))
	}
	return items
}
