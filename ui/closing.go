package ui

import (
	"fyne.io/fyne/v2/widget"
)

// Preference keys of the closing behaviour.
const (
	// PrefKeepRunning: closing the window hides it and the agent keeps
	// renewing tokens in the tray (default on).
	PrefKeepRunning = "agent.keepRunning"
	// prefCloseAsked: the user has answered the question on the first close.
	prefCloseAsked = "agent.closeAsked"
	// prefHiddenNoted: the one notification "still running" was shown.
	prefHiddenNoted = "agent.hiddenNoted"
)

// onClose is the window's close button: asked once what it should do, then
// hide (keep running) or quit, as chosen. Without a tray icon to come back
// by (no tray host, e.g. stock GNOME) a hidden window would be lost, so
// closing quits.
func (a *Agent) onClose() {
	if !a.HasTray() {
		a.Quit()
		return
	}
	prefs := a.w.app.Preferences()
	if !prefs.BoolWithFallback(prefCloseAsked, false) {
		a.askOnClose()
		return
	}
	if prefs.BoolWithFallback(PrefKeepRunning, true) {
		a.hide()
		return
	}
	a.Quit()
}

// askOnClose asks whether closing the window should keep the agent
// running; Escape or closing the question keeps it running (the default).
func (a *Agent) askOnClose() {
	prefs := a.w.app.Preferences()
	choose := func(keep bool) {
		prefs.SetBool(prefCloseAsked, true)
		prefs.SetBool(PrefKeepRunning, keep)
		a.refreshMenus() // the Settings check mark
		a.onClose()
	}
	l := messageLabel("Credential Workbench can keep running in the background after its window is " +
		"closed, so the tokens of every profile stay fresh for credctl and scripts, and you are told " +
		"when a renewal fails or a session ends. Open the window again from the tray icon or by starting " +
		"Credential Workbench again.\n\nYou can change this later under Settings, in the window's menu bar or the tray menu.")
	s := a.w.dialogs.show("Keep running in the background?", sized(l, 480, 0),
		dialogButton{label: "Quit", fn: func() { choose(false) }},
		dialogButton{label: "Keep running", importance: widget.HighImportance, fn: func() { choose(true) }})
	s.body = l
	s.onClose = func() { choose(true) }
	s.onEnter = func() {
		a.w.dialogs.hide(s)
		choose(true)
	}
}

// hide hides the window; the first time, a notification says the agent
// still runs and where to find it.
func (a *Agent) hide() {
	a.w.win.Hide()
	prefs := a.w.app.Preferences()
	if !prefs.BoolWithFallback(prefHiddenNoted, false) {
		prefs.SetBool(prefHiddenNoted, true)
		a.notes.send(noteAgent, "Credential Workbench is still running",
			"It keeps your tokens fresh in the background. Open it from the tray icon or by starting it again; Quit is in the tray menu.")
	}
}
