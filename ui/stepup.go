package ui

import (
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Step-up authentication (RFC 9470) in the window: when an API answers a
// test request or a transport run with insufficient_user_authentication,
// a dialog names what it asks (acr values, max_age) and offers a new login
// with exactly that; after a login that meets it the call is sent once
// more. The login's MFA verification checks the result (oauthflow).

// stepUpTitle is the offer's title (tests find the dialog by it).
const stepUpTitle = "The API asks for a stronger sign-in"

// offerStepUp shows the offer for the User profile id; retry runs after a
// successful step-up login. Nothing is offered for an Application profile
// (no user can sign in for it: the diagnosis says so).
func offerStepUp(h uiHost, id string, s *oauthflow.StepUp, retry func()) *shownDialog {
	lh, ok := h.(loginHost)
	rows, ok2 := h.(interface {
		profileOf(id string) *credentials.Profile
	})
	if s == nil || !ok || !ok2 {
		return nil
	}
	p := rows.profileOf(id)
	if p == nil || p.Type != credentials.TypeUser {
		return nil
	}
	name := p.Name
	msg := upperFirst(s.Describe()) + " (RFC 9470 step-up).\n\nLog in to " + name +
		" again asking the IdP for that, and send the call once more? The new session replaces the current one."
	l := messageLabel(msg)
	d := h.dialogs().show(stepUpTitle, sized(l, 460, 0),
		dialogButton{label: "Not now"},
		dialogButton{label: "Log in and retry", importance: widget.HighImportance, fn: func() {
			startLoginWith(lh, id, name, oauthflow.LoginOptions{StepUp: s}, func(res oauthflow.Result, err error) {
				if err == nil && res.Active() {
					retry()
				}
			})
		}})
	d.body = l
	d.onEnter = func() { d.button("Log in and retry").OnTapped() } // a new login is what was asked; nothing is lost
	return d
}

// offerStepUp is the request dialog's offer: the retry opens the dialog
// again (with the same draft) and sends it.
func (d *requestDialog) offerStepUp(resp *oauthflow.Response) {
	if resp == nil || resp.StepUp == nil || d.closed {
		return
	}
	offerStepUp(d.h, d.profileID, resp.StepUp, func() {
		nd := newRequestDialog(d.h, d.profileID, d.name, d.memory, d.editTransport)
		nd.onClosed = d.onClosed
		nd.open()
		nd.sendNow()
	})
}

// offerStepUp is a transport run's offer: the retry runs the transport
// again. It says whether the offer is shown.
func (n *navigator) offerStepUp(tid string, res *oauthflow.RunResult) bool {
	if res == nil || res.Response == nil || res.Response.StepUp == nil || n.h.dialogs().top() != nil {
		return false // never over a form being edited: the pane shows the diagnosis
	}
	t := n.find(tid)
	if t == nil {
		return false
	}
	pid := t.ProfileID
	if as, ok := n.runAs[tid]; ok {
		pid = as
	}
	return offerStepUp(n.h, pid, res.Response.StepUp, func() { n.run(tid) }) != nil
}
