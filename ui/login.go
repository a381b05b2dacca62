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

func (w *Workbench) loginSelected() {
	r := w.m.Selected()
	if !w.allowed(actLogin, r) || w.dlg != nil {
		return
	}
	w.login(r.P.ID, r.P.Name)
}

// loginAnotherSelected logs in to the selected profile as another user:
// the IdP shows its login page even if the browser still has a session.
func (w *Workbench) loginAnotherSelected() {
	r := w.m.Selected()
	if !w.allowed(actLogin, r) || w.dlg != nil {
		return
	}
	w.loginAs(r.P.ID, r.P.Name, true)
}

func (w *Workbench) login(id, name string) { w.loginAs(id, name, false) }

// loginAs runs a login; another asks the IdP for a fresh login (prompt=login).
func (w *Workbench) loginAs(id, name string, another bool) {
	ctx, cancel := context.WithCancel(context.Background())
	ld := &loginDialog{}
	ld.message = messageLabel(fmt.Sprintf("Waiting for the browser…\n\nLog in to %q on the page that opened. "+
		"This window updates by itself when you are done.", name))
	progress := widget.NewProgressBarInfinite()
	ld.urlText = widget.NewLabel("")
	ld.urlText.Selectable = true
	ld.urlText.Wrapping = fyne.TextWrapBreak
	ld.urlText.TextStyle.Monospace = true
	ld.urlText.Hide()
	ld.s = w.showDialog("Log in with "+name, sized(container.NewVBox(ld.message, ld.urlText, progress), 520, 0),
		dialogButton{label: "Copy login URL", keepOpen: true, fn: func() {
			if ld.url != "" {
				w.app.Clipboard().SetContent(ld.url)
				w.setStatus("Login URL copied: paste it into a browser on this machine")
			}
		}},
		dialogButton{label: "Cancel", fn: cancel})
	ld.s.onClose = cancel
	ld.s.body = ld.message
	ld.copyBtn = ld.s.button("Copy login URL")
	ld.copyBtn.Disable()

	var res oauthflow.Result
	opts := oauthflow.LoginOptions{AnotherUser: another, OnURL: func(authURL string, browserErr error) {
		w.do(func() {
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
	}}
	w.m.SetBusy(id, model.BusyLoggingIn)
	w.refreshRow(id)
	finish := w.startWork("Logging in with " + name + "…")
	go func() {
		defer cancel()
		var err error
		res, err = w.ops.Login(ctx, id, opts)
		w.do(func() {
			finish()
			w.m.SetBusy(id, model.Idle)
			if res.ProfileID != "" {
				w.applyResult(res)
			}
			w.refreshRow(id)
			w.loginDone(ld, name, res, err)
		})
	}()
}

func (w *Workbench) loginDone(ld *loginDialog, name string, res oauthflow.Result, err error) {
	// The copied login URL is dead now: do not leave it in the clipboard
	// (unless the user has copied something else since).
	if cb := w.app.Clipboard(); ld.url != "" && cb.Content() == ld.url {
		cb.SetContent("")
	}
	open := w.dlg == ld.s
	if open {
		w.hideDialog(ld.s)
	}
	f := res.Failure
	if f == nil {
		f, _ = oauthflow.AsFailure(err)
	}
	if f != nil && f.Category == oauthflow.CatCancelled {
		w.setStatus(name + ": login cancelled")
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
		w.setStatus(strings.ReplaceAll(msg, "\n", " — "))
		w.showMessage("Logged in", msg)
		return
	}
	w.noteKeyring(err)
	w.setStatus(resultLine(name, res, err))
	switch {
	case f != nil:
		w.showMessage("Login failed", fmt.Sprintf("%s: %s\n\nWhat to check: %s", f.Category.Label(), f.Error(), f.Advice()))
	case err != nil:
		w.showError("Login failed", err)
	}
}
