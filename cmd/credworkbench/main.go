// Command credworkbench is the Credential Workbench desktop app. It only
// wires the parts together; the screens live in package ui.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/assets"
	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/hardening"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui"
)

func main() {
	// Before any secret is read: no core file, no ptrace by other processes.
	if err := hardening.Apply(); err != nil {
		fmt.Fprintln(os.Stderr, "credworkbench: could not turn off core dumps:", err)
	}
	a := app.NewWithID("io.github.credworkbench")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	win := a.NewWindow(ui.Title)
	win.Resize(ui.WindowSize(a))

	repo, err := credentials.NewRepository()
	if err != nil {
		fmt.Fprintln(os.Stderr, "credworkbench:", err)
		msg := widget.NewLabel("Credential Workbench cannot start: " + err.Error())
		msg.Wrapping = fyne.TextWrapWord
		win.SetContent(msg)
		win.ShowAndRun()
		os.Exit(1)
	}
	svc := oauthflow.NewService(repo, nil, nil)
	// Until the log file is open (or when it cannot be), problems that do
	// not stop an operation still reach the user's terminal.
	svc.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	defer svc.Close()

	wb := ui.New(a, win, repo, svc)
	wb.Start()
	wb.CheckKeyring()
	// Show what credctl and other windows change, and test every profile
	// in the background, so what the table shows is what works now.
	wb.GoLive(svc)
	win.ShowAndRun()
}
