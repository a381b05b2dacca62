package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// loginDialog is "Waiting for the browser…" with Cancel and Copy login URL.
type loginDialog struct {
	s       *shownDialog
	message *widget.Label
	url     string
	urlText *widget.Label // the login URL, selectable
	copyBtn *widget.Button
}

// loginHost is what a login asks of the window.
type loginHost interface {
	workHost
	applyResult(res oauthflow.Result)
}

// startLogin runs a login; another asks the IdP for a fresh login (prompt=login).
func startLogin(h loginHost, id, name string, another bool) {
	startLoginWith(h, id, name, oauthflow.LoginOptions{AnotherUser: another}, nil)
}

// startLoginWith runs a login with opts (OnURL is set here); after, when
// set, runs once it is done (stepup.go).
func startLoginWith(h loginHost, id, name string, opts oauthflow.LoginOptions, after func(oauthflow.Result, error)) {
	ctx, cancel := context.WithCancel(h.appContext())
	ld := &loginDialog{}
	ld.message = messageLabel(fmt.Sprintf("Waiting for the browser…\n\nLog in to %q on the page that opened. "+
		"This window updates by itself when you are done.", name))
	progress := widget.NewProgressBarInfinite()
	ld.urlText = widget.NewLabel("")
	ld.urlText.Selectable = true
	ld.urlText.Wrapping = fyne.TextWrapBreak
	ld.urlText.TextStyle.Monospace = true
	ld.urlText.Hide()
	ld.s = h.dialogs().show("Log in with "+name, sized(container.NewVBox(ld.message, ld.urlText, progress), 520, 0),
		dialogButton{label: "Copy login URL", keepOpen: true, fn: func() {
			if ld.url != "" {
				h.clipboard().SetContent(ld.url)
				h.setStatus("Login URL copied: paste it into a browser on this machine")
			}
		}},
		dialogButton{label: "Cancel", fn: cancel})
	ld.s.onClose = cancel
	ld.s.body = ld.message
	ld.copyBtn = ld.s.button("Copy login URL")
	ld.copyBtn.Disable()

	opts.OnURL = func(authURL string, browserErr error) {
		h.onUI(func() {
			ld.url = authURL
			ld.copyBtn.Enable()
			// Selectable text as well as the Copy button: a remote desktop
			// may have no clipboard bridge.
			ld.urlText.SetText(authURL)
			ld.urlText.Show()
			if browserErr != nil {
				// The browser's error is a whole sentence already: say it once.
				ld.message.SetText(upperFirst(strings.TrimSuffix(browserErr.Error(), ".")) + ".\n\n" +
					"Open the login URL below in a browser on this machine; this window waits for the login.")
			}
		})
	}
	runLogin(ctx, cancel, h, id, "Logging in with "+name+"…", opts, func(res oauthflow.Result, err error) {
		// The copied login URL is dead now: do not leave it in the clipboard.
		forgetClipboard(h.clipboard(), ld.url)
		loginDone(h, ld.s, name, res, err)
		if after != nil {
			after(res, err)
		}
	})
}

// runLogin runs a login in the background with the row busy and the
// status bar's spinner; done runs on the UI goroutine once the result is
// in the row.
func runLogin(ctx context.Context, cancel context.CancelFunc, h loginHost, id, work string,
	opts oauthflow.LoginOptions, done func(oauthflow.Result, error)) {
	h.setBusy(id, model.BusyLoggingIn)
	finish := h.startWork(work)
	go func() {
		defer cancel()
		res, err := h.service().Login(ctx, id, opts)
		h.onUI(func() {
			finish()
			if res.ProfileID != "" {
				h.applyResult(res)
			}
			h.setBusy(id, model.Idle)
			done(res, err)
		})
	}()
}

// loginDone closes the login's dialog s and says how the login went.
func loginDone(h uiHost, s *shownDialog, name string, res oauthflow.Result, err error) {
	if d := h.dialogs(); d.top() == s {
		d.hide(s)
	}
	f := res.Failure
	if f == nil {
		f, _ = oauthflow.AsFailure(err)
	}
	if f != nil && f.Category == oauthflow.CatCancelled {
		h.setStatus(name + ": login cancelled")
		return
	}
	if err == nil && res.Active() {
		who := name
		var roles string
		if res.Token != nil {
			if res.Token.Username != "" {
				who = res.Token.Username
			}
			roles = strings.Join(res.Token.Roles, ", ")
		}
		msg := "Logged in as " + who
		if roles != "" {
			msg += "\nRoles: " + roles
		}
		if res.Token != nil && strings.HasPrefix(res.Token.MFA, "MFA verified") {
			msg += "\n" + res.Token.MFA // "MFA not verifiable" comes as a warning below
		}
		for _, warn := range res.Warnings {
			msg += "\n\n" + warn // e.g. another user than before
		}
		h.setStatus(strings.ReplaceAll(msg, "\n", " — "))
		h.dialogs().showMessage("Logged in", msg)
		return
	}
	h.noteKeyring(err)
	h.setStatus(resultLine(name, res, err))
	switch {
	case f != nil:
		h.dialogs().showMessage("Login failed", fmt.Sprintf("%s: %s\n\nWhat to check: %s", f.Category.Label(), f.Error(), f.Advice()))
	case err != nil:
		h.dialogs().showError("Login failed", err)
	}
}
