package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The Rotate dialog's "Create the new secret at the IdP" (#26): the
// engine mints the secret through the management API, keeps it in the
// keyring, tests it, switches the profile to it and revokes the old one
// now, after a grace period or never. Each step is ticked off as the
// engine reports it; the outcome names what was done, what failed and what
// is left at the IdP.

const (
	revokeNow   = "Now"
	revokeAfter = "After"
	revokeNever = "Never"
)

// rotateIdP is the dialog's IdP part.
type rotateIdP struct {
	r      *rotateDialog
	p      credentials.Profile
	box    *fyne.Container
	atIdP  *widget.Check
	why    *widget.Label // why it is disabled
	revoke *revokePicker
	api    string
}

// revokePicker is "Revoke the old secret: now / after [duration] / never".
type revokePicker struct {
	choice *widget.RadioGroup
	grace  *entry
	box    *fyne.Container
}

func newRevokePicker(d *dialogs) *revokePicker {
	x := &revokePicker{grace: newEntry(d)}
	x.choice = widget.NewRadioGroup([]string{revokeNow, revokeAfter, revokeNever}, func(string) { x.refresh() })
	x.choice.Horizontal = true
	x.choice.Selected = revokeAfter
	x.grace.SetText("7d")
	x.grace.SetPlaceHolder("e.g. 24h or 7d")
	x.box = container.NewVBox(widget.NewLabel("Revoke the old secret:"),
		container.NewBorder(nil, nil, x.choice, nil, x.grace))
	return x
}

func (x *revokePicker) refresh() {
	if x.choice.Selected == revokeAfter && !x.choice.Disabled() {
		x.grace.Enable()
	} else {
		x.grace.Disable()
	}
}

func (x *revokePicker) enable(on bool) {
	if on {
		x.choice.Enable()
	} else {
		x.choice.Disable()
	}
	x.refresh()
}

// value is the chosen revocation; msg says what is wrong with it.
func (x *revokePicker) value() (oauthflow.RevokeAfter, string) {
	switch x.choice.Selected {
	case revokeNow:
		return oauthflow.RevokeAfter{Now: true}, ""
	case revokeNever:
		return oauthflow.RevokeAfter{Never: true}, ""
	}
	ra, err := oauthflow.ParseRevokeAfter(x.grace.Text)
	if err != nil {
		return ra, "Revoke the old secret after: " + err.Error() + "."
	}
	return ra, ""
}

// newRotateIdP builds the part for the profile id (read from the store).
func newRotateIdP(r *rotateDialog) *rotateIdP {
	x := &rotateIdP{r: r}
	if p, err := r.h.service().Profile(r.id); err == nil {
		x.p = p
	}
	x.api = model.APIOf(x.p, inferManagementAPI)
	x.atIdP = widget.NewCheck("Create the new secret at the IdP", x.toggle)
	x.why = messageLabel("")
	x.why.Importance = widget.LowImportance
	x.revoke = newRevokePicker(r.h.dialogs())
	x.box = container.NewVBox(x.atIdP, x.why, x.revoke.box)
	_, lifecycle := r.h.service().(SecretOperations)
	switch {
	case !lifecycle:
		x.disable("This workbench cannot reach IdP management APIs.")
	case x.p.ID == "":
		x.disable("The profile is not in the store any more.")
	case !x.p.HasManagement():
		x.disable("No management connection: choose a management profile (or an API token) in Edit › Advanced, " +
			"IdP management, to mint and revoke secrets at the IdP. Until then enter a secret issued in the IdP's console.")
	default:
		x.why.SetText("Minted at " + model.APILabel(x.api) + " through " + managementName(x.p, r.h.service()) +
			", tested, then used; the old secret works until it is revoked.")
	}
	x.refresh()
	if !x.atIdP.Disabled() {
		x.atIdP.SetChecked(true) // a management connection is what the admin set it up for
	}
	return x
}

func (x *rotateIdP) disable(why string) {
	x.atIdP.Disable()
	x.why.SetText(why)
}

// managementName names the connection: the management profile or the stored token.
func managementName(p credentials.Profile, svc Operations) string {
	if p.ManagementProfile == "" {
		return "the stored API token"
	}
	if m, err := svc.Profile(p.ManagementProfile); err == nil {
		return "“" + m.Name + "”"
	}
	return "the management profile"
}

// on says whether the secret is to be created at the IdP.
func (x *rotateIdP) on() bool { return x.atIdP.Checked && !x.atIdP.Disabled() }

func (x *rotateIdP) toggle(bool) {
	x.refresh()
	x.r.steps.Importance = widget.MediumImportance
	if x.on() {
		x.r.steps.SetText(model.StepProgress(x.api))
		x.r.h.window().Canvas().Focus(x.r.expires)
	} else {
		x.r.steps.SetText(rotateSteps)
		x.r.h.window().Canvas().Focus(x.r.secret)
	}
}

// refresh shows what applies: the typed secret without the IdP, the
// revocation choice with it.
func (x *rotateIdP) refresh() {
	r := x.r
	b := r.s.button("Test and replace")
	if x.on() {
		r.secret.Hide()
		r.hint.Hide() // the placeholder says what the date does at the IdP
		r.expires.SetPlaceHolder("New secret expires (YYYY-MM-DD; empty: the IdP's default)")
		x.revoke.box.Show()
		x.revoke.refresh()
		if b != nil {
			b.SetText("Rotate at the IdP")
		}
		return
	}
	r.secret.Show()
	r.hint.Show()
	r.expires.SetPlaceHolder("New secret expires (YYYY-MM-DD)")
	x.revoke.box.Hide()
	if b != nil {
		b.SetText("Test and replace")
	}
}

// rotate runs the rotation at the IdP, ticking off the steps as the
// engine reports them.
func (x *rotateIdP) rotate() {
	r := x.r
	ra, msg := x.revoke.value()
	if msg == "" {
		if at, err := credentials.ParseExpiryDate(r.expires.Text); err != nil {
			msg = "Secret expires: " + err.Error() + "."
		} else {
			x.start(oauthflow.AtIdPOptions{RevokeOld: ra, Expires: at})
			return
		}
	}
	r.steps.Importance = widget.DangerImportance
	r.steps.SetText(msg)
}

func (x *rotateIdP) start(o oauthflow.AtIdPOptions) {
	r := x.r
	r.enable(false)
	x.atIdP.Disable()
	x.revoke.enable(false)
	r.steps.Importance = widget.MediumImportance
	r.steps.SetText("• Finding the app at " + model.APILabel(x.api) + "…")
	var done []string
	finished := false // events still queued after the outcome must not cover it
	unsub := r.h.service().Subscribe(func(ev oauthflow.Event) {
		if ev.ProfileID != r.id {
			return
		}
		if line := eventStep(ev.Kind, model.APILabel(x.api)); line != "" {
			r.h.onUI(func() {
				if finished {
					return
				}
				done = append(done, "✓ "+line)
				r.steps.SetText(strings.Join(done, "\n") + "\n• …")
			})
		}
	})
	var rot oauthflow.Rotation
	r.h.backgroundRow(r.id, model.BusyRotating, func(ctx context.Context) error {
		l, err := lifecycleOf(r.h.service())
		if err == nil {
			rot, err = l.RotateAtIdP(ctx, r.id, o)
		}
		return err
	}, func(err error) {
		unsub()
		finished = true
		x.finish(rot, err)
	})
}

// eventStep is the progress line of a lifecycle event ("" for others).
func eventStep(k oauthflow.EventKind, at string) string {
	switch k {
	case oauthflow.EventSecretMinted:
		return "Created a new secret at " + at + " and kept it in the OS keyring"
	case oauthflow.EventSecretTested:
		return "Tested the new secret at the token endpoint"
	case oauthflow.EventSecretSwitched:
		return "The profile uses the new secret now"
	case oauthflow.EventSecretRevoked:
		return "Revoked the old secret at " + at
	}
	return ""
}

// finish shows the outcome: every step done, the one that failed, what is
// left at the IdP, what is pending.
func (x *rotateIdP) finish(rot oauthflow.Rotation, err error) {
	r := x.r
	if rot.Result.ProfileID != "" {
		r.h.applyResult(rot.Result)
	}
	switch {
	case err != nil:
		r.steps.Importance = widget.DangerImportance
		r.steps.SetText("✗ Could not rotate at the IdP: " + err.Error() + "\n• Nothing was changed: the old secret stays in use.")
		r.h.setStatus(r.name + ": rotation at the IdP not attempted")
	default:
		r.steps.SetText(model.RotationReport(rot, r.h.clock()))
		if !rot.OK() {
			r.steps.Importance = widget.DangerImportance
		}
		r.h.setStatus(model.RotationLine(rot))
	}
	r.steps.Refresh()
	if err != nil || !rot.OK() {
		r.enable(true)
		x.atIdP.Enable()
		x.revoke.enable(true)
		x.refresh()
	} else {
		r.s.buttons["Cancel"].SetText("Close")
	}
	r.h.reload()
}
