package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The details pane's IdP lines (#26): where the secret's expiry came from,
// an Okta secret's age, which connection manages the app, and the step
// still to do at the IdP with "Revoke now" and "Cancel"; "Refresh from IdP"
// reads the expiry again.

// idpDetailsHost is what the section asks of the window.
type idpDetailsHost interface {
	workHost
	profileOf(id string) *credentials.Profile
	reload()
}

// idpSection is the details' management part; h is set once the window is
// built (nil in a pane without a window: the buttons then do nothing).
type idpSection struct {
	h       idpDetailsHost
	id      string
	box     *fyne.Container
	pending *widget.Label
	revoke  *widget.Button
	cancel  *widget.Button
	refresh *widget.Button
	outcome *widget.Label // what the last action here did
}

func newIDPSection() *idpSection {
	s := &idpSection{pending: wrapLabel(), outcome: wrapLabel()}
	s.pending.Importance = widget.WarningImportance
	s.outcome.Importance = widget.LowImportance
	s.revoke = widget.NewButton("Revoke now", s.revokeNow)
	s.revoke.Importance = widget.HighImportance
	s.cancel = widget.NewButton("Cancel", s.cancelPending)
	s.refresh = widget.NewButton("Refresh from IdP", s.refreshExpiry)
	s.box = container.NewVBox(s.pending, container.NewHBox(s.revoke, s.cancel, s.refresh), s.outcome)
	s.box.Hide()
	return s
}

// idpExpiryDetail is the details' expiry line with where the date came
// from: "2026-12-31 (in 24 days; from Entra, checked 2 h ago)".
func idpExpiryDetail(p credentials.Profile, now time.Time) (label, value string) {
	label, value = credentialExpiryDetail(p, now)
	if src := model.ExpirySource(p, model.APIOf(p, inferManagementAPI), now); src != "" && strings.HasSuffix(value, ")") {
		value = value[:len(value)-1] + "; " + src + ")"
	}
	return label, value
}

// idpItems are the details' management lines ("" values are left out).
func idpItems(p credentials.Profile, now time.Time, find func(id string) *model.Row) []item {
	if !managed(p) {
		return nil
	}
	api := model.APIOf(p, inferManagementAPI)
	via := model.APILabel(api)
	switch {
	case p.ManagementProfile != "":
		name := "(deleted: choose another in Edit)"
		if r := find(p.ManagementProfile); r != nil {
			name = "“" + r.P.Name + "”"
		}
		via += " through the profile " + name
	case api == model.APIRFC7592:
		via += " with the registration access token (OS keyring)"
	case api == model.APIOkta:
		via += " with an Okta API token in the OS keyring (no management profile)"
	default:
		via += " (no management profile chosen)"
	}
	items := []item{{"Managed at", via}}
	if p.SecretKeyID != "" {
		items = append(items, item{"Key ID at the IdP", p.SecretKeyID})
	}
	if age, _ := model.SecretAge(p, now); age != "" && p.SecretExpiresAt.IsZero() {
		items = append(items, item{"Secret age", age})
	}
	return items
}

// managed: the profile has a management connection or a step at the IdP.
func managed(p credentials.Profile) bool {
	return p.ManagementProfile != "" || p.ManagementAPI != "" || p.RegistrationClientURI != "" || !p.PendingAtIdP.IsZero()
}

// show fills the section for p.
func (s *idpSection) show(p credentials.Profile, now time.Time) {
	if s.id != p.ID {
		s.outcome.SetText("")
	}
	s.id = p.ID
	if !managed(p) {
		s.box.Hide()
		return
	}
	if line := model.PendingLine(p, now); line != "" {
		// A minted secret not yet used: "now" tests and switches to it,
		// Cancel removes it at the IdP.
		if p.PendingAtIdP.Step == "switch" {
			s.revoke.SetText("Test and switch now")
			s.cancel.SetText("Remove it at the IdP")
		} else {
			s.revoke.SetText("Revoke now")
			s.cancel.SetText("Cancel")
		}
		s.pending.SetText(line)
		s.pending.Show()
		s.revoke.Show()
		s.cancel.Show()
	} else {
		s.pending.Hide()
		s.revoke.Hide()
		s.cancel.Hide()
	}
	if s.outcome.Text == "" {
		s.outcome.Hide()
	}
	s.box.Show()
}

// run does one action on the profile in the background and says how it went.
func (s *idpSection) run(b model.Busy, what string, op func(ctx context.Context, svc Operations, id string) (string, error)) {
	if s.h == nil || s.id == "" || s.h.dialogs().top() != nil {
		return
	}
	id, said := s.id, ""
	for _, btn := range []*widget.Button{s.revoke, s.cancel, s.refresh} {
		btn.Disable()
	}
	s.h.backgroundRow(id, b, func(ctx context.Context) error {
		var err error
		said, err = op(ctx, s.h.service(), id)
		return err
	}, func(err error) {
		for _, btn := range []*widget.Button{s.revoke, s.cancel, s.refresh} {
			btn.Enable()
		}
		if err != nil {
			said = what + " failed: " + err.Error()
		}
		if s.id == id {
			s.outcome.SetText(said)
			s.outcome.Show()
		}
		s.h.setStatus(said)
		s.h.reload()
	})
}

// revokeNow asks first: whatever still uses the old secret stops working
// (a switch only tests and uses the minted secret: no question).
func (s *idpSection) revokeNow() {
	if s.h == nil || s.h.dialogs().top() != nil {
		return
	}
	p := s.h.profileOf(s.id)
	if p == nil || p.PendingAtIdP.Step != "revoke" {
		s.run(model.BusyRotating, "Test and switch", idpRevokeNow)
		return
	}
	pa := p.PendingAtIdP
	s.h.dialogs().showConfirm("Revoke the old secret now?",
		"The old secret of "+p.Name+" (keyId "+pa.OldKeyID+") is revoked at "+model.APILabel(pa.API)+
			" now, not at the end of its grace period: anything still using it stops working.",
		"Revoke it now", func() { s.run(model.BusyRotating, "Revoke now", idpRevokeNow) })
}

func (s *idpSection) cancelPending() { s.run(model.BusySaving, "Cancel", idpCancelPending) }
func (s *idpSection) refreshExpiry() { s.run(model.BusyTesting, "Refresh from IdP", idpRefreshExpiry) }
