package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

const menuLoginDevice = "Log in on another device (device code)…"

// deviceCodeSize is the user code's text size: readable across a room
// (or from the laptop next to the one showing it).
const deviceCodeSize = 40

// deviceDialog shows a device login (RFC 8628): where to go, the code to
// enter there, how long it stays valid, and Cancel.
type deviceDialog struct {
	s         *shownDialog
	message   *widget.Label
	uri       *widget.Label // selectable, for remote desktops without a clipboard bridge
	code      *canvas.Text
	countdown *widget.Label
	copyURI   *widget.Button
	copyCode  *widget.Button
	shown     oauthflow.DeviceCode
}

func (w *Workbench) loginDeviceSelected() {
	r := w.m.Selected()
	if !w.allowed(actLogin, r) || w.dlg != nil {
		return
	}
	w.loginDevice(r.P.ID, r.P.Name)
}

// loginDevice runs a device login of the profile.
func (w *Workbench) loginDevice(id, name string) {
	ctx, cancel := context.WithCancel(context.Background())
	dd := &deviceDialog{}
	dd.message = messageLabel(fmt.Sprintf("Asking the IdP of %q for a code…", name))
	dd.uri = widget.NewLabel("")
	dd.uri.Selectable = true
	dd.uri.Wrapping = fyne.TextWrapBreak
	dd.uri.TextStyle.Monospace = true
	dd.code = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	dd.code.TextSize = deviceCodeSize
	dd.code.TextStyle = fyne.TextStyle{Monospace: true}
	dd.code.Alignment = fyne.TextAlignCenter
	dd.countdown = widget.NewLabel("")
	dd.countdown.Alignment = fyne.TextAlignCenter
	progress := widget.NewProgressBarInfinite()
	dd.s = w.showDialog("Log in with "+name+" on another device",
		sized(container.NewVBox(dd.message, dd.uri, dd.code, dd.countdown, progress), 520, 0),
		dialogButton{label: "Copy URL", keepOpen: true, fn: func() {
			if dd.shown.VerificationURI != "" {
				w.app.Clipboard().SetContent(dd.shown.VerificationURI)
				w.setStatus("Verification URL copied")
			}
		}},
		dialogButton{label: "Copy code", keepOpen: true, fn: func() {
			if dd.shown.UserCode != "" {
				w.app.Clipboard().SetContent(dd.shown.UserCode)
				w.setStatus("User code copied")
			}
		}},
		dialogButton{label: "Cancel", fn: cancel})
	dd.s.onClose = cancel
	dd.s.body = dd.message
	dd.copyURI, dd.copyCode = dd.s.button("Copy URL"), dd.s.button("Copy code")
	dd.copyURI.Disable()
	dd.copyCode.Disable()

	opts := oauthflow.LoginOptions{Device: true, OnDeviceCode: func(c oauthflow.DeviceCode) {
		w.do(func() { dd.show(c) })
		go dd.tick(ctx, w)
	}}
	w.m.SetBusy(id, model.BusyLoggingIn)
	w.refreshRow(id)
	finish := w.startWork("Logging in with " + name + " on another device…")
	go func() {
		defer cancel()
		res, err := w.ops.Login(ctx, id, opts)
		w.do(func() {
			finish()
			w.m.SetBusy(id, model.Idle)
			if res.ProfileID != "" {
				w.applyResult(res)
			}
			w.refreshRow(id)
			// The code is dead now: do not leave it in the clipboard.
			if cb := w.app.Clipboard(); dd.shown.UserCode != "" && cb.Content() == dd.shown.UserCode {
				cb.SetContent("")
			}
			w.loginDone(&loginDialog{s: dd.s}, name, res, err)
		})
	}()
}

// show puts the IdP's code on screen (UI goroutine).
func (dd *deviceDialog) show(c oauthflow.DeviceCode) {
	dd.shown = c
	dd.message.SetText("On any device with a browser, open the address below, enter the code and sign in. " +
		"This window updates by itself when you are done.")
	dd.uri.SetText(c.VerificationURI)
	dd.code.Text = c.UserCode
	dd.code.Color = theme.Color(theme.ColorNameForeground)
	dd.code.Refresh()
	dd.copyURI.Enable()
	dd.copyCode.Enable()
	dd.updateCountdown(time.Now())
}

// tick updates the countdown every second until the login ends.
func (dd *deviceDialog) tick(ctx context.Context, w *Workbench) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			w.do(func() { dd.updateCountdown(now) })
		}
	}
}

func (dd *deviceDialog) updateCountdown(now time.Time) {
	if dd.shown.Expiry.IsZero() {
		dd.countdown.SetText("")
		return
	}
	left := dd.shown.Expiry.Sub(now).Round(time.Second)
	if left <= 0 {
		dd.countdown.SetText("The code has expired.")
		return
	}
	dd.countdown.SetText(fmt.Sprintf("The code expires in %d:%02d", int(left.Minutes()), int(left.Seconds())%60))
}
