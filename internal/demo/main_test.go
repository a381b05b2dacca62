package main

import (
	"testing"

	"fyne.io/fyne/v2/app"

	"github.com/credworkbench/credworkbench/ui"
)

// The demo's workbench quits when its window is closed (README: "closing
// the window ends the demo"): the first-close question is answered with
// Quit in the demo's preferences, as the real Fyne app reads them.
func TestDemoClosingQuits(t *testing.T) {
	config := t.TempDir()
	if err := closingQuits(config); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", config)
	prefs := app.NewWithID(appID).Preferences()
	if prefs.BoolWithFallback(ui.PrefKeepRunning, true) {
		t.Error("the demo workbench keeps running in the background when its window is closed")
	}
	if !prefs.BoolWithFallback("agent.closeAsked", false) {
		t.Error("the demo workbench asks whether to keep running, with Keep running as the default")
	}
}
