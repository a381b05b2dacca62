package main

import (
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
)

// quitOnSignal quits the workbench as its Quit does when the session ends
// it (SIGTERM at logout, Ctrl+C in a terminal), so the deferred
// Service.Close runs: a token redemption in flight is waited for and the
// rotated refresh token it returns kept. A signal before the app runs is
// acted on once it does (Fyne cannot quit before); a second signal ends
// the process at once.
func quitOnSignal(a fyne.App, quit func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
	started := make(chan struct{})
	a.Lifecycle().SetOnStarted(func() { close(started) })
	go func() {
		<-ch
		signal.Stop(ch)
		<-started
		fyne.Do(quit)
	}()
}
