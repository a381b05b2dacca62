// Command credworkbench is the Credential Workbench desktop app. It only
// wires the parts together; the screens live in package ui.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/assets"
	"github.com/credworkbench/credworkbench/internal/hardening"
	"github.com/credworkbench/credworkbench/internal/instance"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui"
)

func main() {
	// The log first: from here to quit, events go to the log file and
	// problems also to the window (logging.go).
	problems := ui.NewProblems()
	log, closeLog := openLog(problems)
	defer closeLog()
	// Before any secret is read: no core file, no ptrace by other processes.
	if err := hardening.Apply(); err != nil {
		log.Warn("could not turn off core dumps", "error", err.Error())
	}
	hidden := flag.Bool("hidden", false, "start in the system tray without showing the window (start at login uses it)")
	flag.BoolVar(hidden, "tray", false, "the same as --hidden")
	flag.Parse()
	// One workbench per user: a second start shows the running one's window.
	inst, err := instance.Claim("credworkbench", "", nil)
	switch {
	case errors.Is(err, instance.ErrOtherRunning):
		fmt.Fprintln(os.Stderr, "credworkbench: already running; its window was brought to the front")
		log.Info("another workbench runs; its window was brought to the front")
		os.Exit(0)
	case err != nil:
		log.Warn("cannot make sure only one workbench runs", "error", err.Error())
	default:
		defer inst.Close()
	}

	ui.UseSymbolFont() // before any text is measured: 21 KB instead of Fyne's 4.2 MB emoji font per text style
	a := app.NewWithID("io.github.credworkbench")
	a.Settings().SetTheme(ui.Theme()) // a keyboard focus that can be seen
	icon := fyne.NewStaticResource("icon.png", assets.IconPNG)
	a.SetIcon(icon)
	win := a.NewWindow(ui.Title)
	win.Resize(ui.WindowSize(a))

	svc, err := oauthflow.Open(nil, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "credworkbench:", err)
		msg := widget.NewLabel("Credential Workbench cannot start: " + err.Error())
		msg.Wrapping = fyne.TextWrapWord
		win.SetContent(msg)
		win.ShowAndRun()
		os.Exit(1)
	}
	svc.Log = log
	defer svc.Close()

	wb := ui.New(a, win, svc)
	problems.ShowIn(wb)
	wb.Start()
	wb.CheckKeyring()
	// The quiet agent: tray, notifications, closing to the tray, start at
	// login. Whether a panel shows the tray icon (stock GNOME has no
	// StatusNotifier host) and a daemon notifications is asked on the bus.
	agent := ui.NewAgent(wb, ui.AgentOptions{Tray: ui.SystemTray(a), Icon: icon, Tokens: svc, Desktop: ui.WatchDesktop(a)})
	// The window first (Show paints its first frame): setting up the tray
	// (fyne makes a hidden GL window for it) and testing every profile
	// would otherwise hold the first frame back, and on a small machine the
	// tests' keyring and file work competes with it for the CPU. Without a
	// tray icon a hidden window could not be reached: it shows.
	if !*hidden || !agent.HasTray() {
		win.Show()
	}
	agent.Start()
	// Show what credctl and other windows change, and test every profile
	// in the background, so what the table shows is what works now.
	wb.GoLive(svc)
	if inst != nil {
		inst.OnShow(func() { fyne.Do(agent.Show) })
		inst.OnToken(ui.AgentTokens(svc)) // credctl token asks here first (ui/agent_token.go)
	}
	a.Run()
}
