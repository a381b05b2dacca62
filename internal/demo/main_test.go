package main

import (
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2/app"

	"github.com/credworkbench/credworkbench/ui"
)

// The demo's workbench quits when its window is closed (README: "closing
// the window ends the demo"): the first-close question is answered with
// Quit in the demo's preferences, as the real Fyne app reads them.
func TestDemoClosingQuits(t *testing.T) {
	config := tempDir(t)
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

// tempDir is t.TempDir for a directory a Fyne app writes to: Fyne's
// preferences and storage goroutines may still add a file while the test's
// cleanup walks the tree (seen in CI as "directory not empty"), so removal
// is retried for a moment instead of failing the test.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "demo-config-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			err := os.RemoveAll(dir)
			if err == nil || time.Now().After(deadline) {
				if err != nil {
					t.Errorf("removing %s: %v", dir, err)
				}
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return dir
}
