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

// logout logs a User profile out here and then, where the IdP supports
// RP-initiated logout, ends its browser session too, so the next login
// asks who is logging in. The browser part shows a dialog like the
// login's (the URL selectable and copyable, Stop waiting); the local
// logout has happened by then whatever the browser does.
func (w *Workbench) logout(id, name string) {
	ctx, cancel := context.WithCancel(context.Background())
	var ld *loginDialog
	stopped := false
	opts := oauthflow.LogoutOptions{EndIdPSession: true, OnURL: func(u string, browserErr error) {
		w.do(func() {
			if ctx.Err() != nil {
				return
			}
			ld = w.showLogoutDialog(name, u, browserErr, func() { stopped = true; cancel() })
		})
	}}
	w.m.SetBusy(id, model.BusyLoggingOut)
	w.refreshRow(id)
	finish := w.startWork("Logging out of " + name + "…")
	go func() {
		defer cancel()
		res, err := w.ops.LogoutWith(ctx, id, opts)
		w.do(func() {
			finish()
			w.m.SetBusy(id, model.Idle)
			if ld != nil {
				if cb := w.app.Clipboard(); ld.url != "" && cb.Content() == ld.url {
					cb.SetContent("") // the one-time address is dead now
				}
				if w.dlg == ld.s {
					w.hideDialog(ld.s)
				}
			}
			w.logoutDone(id, name, res, err, stopped)
			w.refreshRow(id)
		})
	}()
}

func (w *Workbench) showLogoutDialog(name, u string, browserErr error, stop func()) *loginDialog {
	ld := &loginDialog{url: u}
	msg := fmt.Sprintf("Logged out of %q here.\n\nNow ending the identity provider's session in the browser, so "+
		"the next login asks who you are: confirm the sign-out on the page that opened.", name)
	if browserErr != nil {
		msg = fmt.Sprintf("Logged out of %q here.\n\n%s. Open the address below in the browser you log in with "+
			"to end the identity provider's session too.", name, upperFirst(strings.TrimSuffix(browserErr.Error(), ".")))
	}
	ld.message = messageLabel(msg)
	ld.urlText = widget.NewLabel(u)
	ld.urlText.Selectable = true
	ld.urlText.Wrapping = fyne.TextWrapBreak
	ld.urlText.TextStyle.Monospace = true
	ld.s = w.showDialog("Signing out of the IdP", sized(container.NewVBox(ld.message, ld.urlText, widget.NewProgressBarInfinite()), 520, 0),
		dialogButton{label: "Copy address", keepOpen: true, fn: func() {
			w.app.Clipboard().SetContent(u)
			w.setStatus("Sign-out address copied: paste it into the browser you log in with")
		}},
		dialogButton{label: "Stop waiting", fn: stop})
	ld.s.onClose = stop
	ld.s.body = ld.message
	return ld
}

func (w *Workbench) logoutDone(id, name string, res oauthflow.LogoutResult, err error, stopped bool) {
	if res.IdPSession == "" && err != nil {
		w.noteKeyring(err)
		w.setStatus(fmt.Sprintf("%s: logout failed: %v", name, err))
		return
	}
	w.m.ApplyLogout(id)
	status := name + ": logged out"
	switch res.IdPSession {
	case oauthflow.IdPSessionEnded:
		status += "; the IdP's session was ended too (the next login asks who you are)"
	case oauthflow.IdPSessionUnsupported:
		status += "; the IdP keeps its browser session (it offers no RP-initiated logout): use Log in as another user"
	case oauthflow.IdPSessionUnknown:
		if stopped {
			status += "; stopped waiting for the IdP's sign-out page"
		} else {
			w.showMessage("Logged out here", res.Message)
			status += "; the IdP's session may still be there"
		}
	}
	if err != nil { // the refresh token was not revoked, but it is gone here
		status += fmt.Sprintf(" (%v)", err)
	}
	w.setStatus(status)
}
