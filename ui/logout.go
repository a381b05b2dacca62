package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// logout logs a User profile out here and then, where the IdP supports
// RP-initiated logout, ends its browser session too, so the next login
// asks who is logging in. The browser part shows a dialog like the
// login's (the URL selectable and copyable, Stop waiting); the local
// logout has happened by then whatever the browser does.
// logoutHost is what a logout asks of the window.
type logoutHost interface {
	workHost
	applyResult(res oauthflow.Result)
	dropResult(id string)
}

func startLogout(h logoutHost, id, name string) {
	ctx, cancel := context.WithCancel(h.appContext())
	var ld *loginDialog
	stopped := false
	opts := oauthflow.LogoutOptions{EndIdPSession: true, OnURL: func(u string, browserErr error) {
		h.onUI(func() {
			if ctx.Err() != nil {
				return
			}
			ld = showLogoutDialog(h, name, u, browserErr, func() { stopped = true; cancel() })
		})
	}}
	h.setBusy(id, model.BusyLoggingOut)
	finish := h.startWork("Logging out of " + name + "…")
	go func() {
		defer cancel()
		res, err := h.service().LogoutWith(ctx, id, opts)
		h.onUI(func() {
			finish()
			if ld != nil {
				forgetClipboard(h.clipboard(), ld.url) // the one-time address is dead now
				if d := h.dialogs(); d.top() == ld.s {
					d.hide(ld.s)
				}
			}
			logoutDone(h, id, name, res, err, stopped)
			h.setBusy(id, model.Idle)
		})
	}()
}

func showLogoutDialog(h uiHost, name, u string, browserErr error, stop func()) *loginDialog {
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
	ld.s = h.dialogs().show("Signing out of the IdP", sized(container.NewVBox(ld.message, ld.urlText, widget.NewProgressBarInfinite()), 520, 0),
		dialogButton{label: "Copy address", keepOpen: true, fn: func() {
			h.clipboard().SetContent(u)
			h.setStatus("Sign-out address copied: paste it into the browser you log in with")
		}},
		dialogButton{label: "Stop waiting", fn: stop})
	ld.s.onClose = stop
	ld.s.body = ld.message
	return ld
}

func logoutDone(h logoutHost, id, name string, res oauthflow.LogoutResult, err error, stopped bool) {
	if res.IdPSession == "" && err != nil {
		h.noteKeyring(err)
		h.setStatus(fmt.Sprintf("%s: logout failed: %v", name, err))
		return
	}
	// The outcome goes through the one bookkeeping rule, as the service
	// recorded it: logged out, no token, nobody logged in.
	h.applyResult(oauthflow.Result{ProfileID: id, Status: credentials.StatusLoggedOut, CheckedAt: h.clock()})
	h.dropResult(id)
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
			h.dialogs().showMessage("Logged out here", res.Message)
			status += "; the IdP's session may still be there"
		}
	}
	if err != nil { // the refresh token was not revoked, but it is gone here
		status += fmt.Sprintf(" (%v)", err)
	}
	h.setStatus(status)
}

// forgetClipboard empties the clipboard when it still holds text that is
// dead now (a one-time login or sign-out address, a device code), unless
// the user has copied something else since.
func forgetClipboard(cb fyne.Clipboard, text string) {
	if text != "" && cb.Content() == text {
		cb.SetContent("")
	}
}
