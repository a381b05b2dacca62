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

// startDeviceLogin runs a device login of the profile.
func startDeviceLogin(h loginHost, id, name string) {
	ctx, cancel := context.WithCancel(h.appContext())
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
	dd.s = h.dialogs().show("Log in with "+name+" on another device",
		sized(container.NewVBox(dd.message, dd.uri, dd.code, dd.countdown, progress), 520, 0),
		dialogButton{label: "Copy URL", keepOpen: true, fn: func() {
			if dd.shown.VerificationURI != "" {
				h.clipboard().SetContent(dd.shown.VerificationURI)
				h.setStatus("Verification URL copied")
			}
		}},
		dialogButton{label: "Copy code", keepOpen: true, fn: func() {
			if dd.shown.UserCode != "" {
				h.clipboard().SetContent(dd.shown.UserCode)
				h.setStatus("User code copied")
			}
		}},
		dialogButton{label: "Cancel", fn: cancel})
	dd.s.onClose = cancel
	dd.s.body = dd.message
	dd.copyURI, dd.copyCode = dd.s.button("Copy URL"), dd.s.button("Copy code")
	dd.copyURI.Disable()
	dd.copyCode.Disable()

	opts := oauthflow.LoginOptions{Device: true, OnDeviceCode: func(c oauthflow.DeviceCode) {
		h.onUI(func() { dd.show(c) })
		go dd.tick(ctx, h)
	}}
	runLogin(ctx, cancel, h, id, "Logging in with "+name+" on another device…", opts, func(res oauthflow.Result, err error) {
		// The code is dead now: do not leave it in the clipboard.
		forgetClipboard(h.clipboard(), dd.shown.UserCode)
		loginDone(h, dd.s, name, res, err)
	})
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
func (dd *deviceDialog) tick(ctx context.Context, h uiHost) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			h.onUI(func() { dd.updateCountdown(now) })
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
