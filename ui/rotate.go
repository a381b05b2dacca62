package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// rotateHost is what the Rotate dialog asks of the window.
type rotateHost interface {
	workHost
	applyResult(res oauthflow.Result)
	reload()
}

// rotateDialog is "Rotate secret": the new secret and its expiry, tested
// against the token endpoint before it replaces the stored one.
type rotateDialog struct {
	h         rotateHost
	id, name  string
	oldExpiry time.Time
	s         *shownDialog
	secret    *entry
	expires   *entry
	steps     *widget.Label
	idp       *rotateIdP    // "Create the new secret at the IdP" (rotate_idp.go)
	hint      *widget.Label // about the new secret's date (hidden when the IdP mints it)
	// noExpiryConfirmed: the user was asked about a missing date once.
	noExpiryConfirmed bool
}

// openRotate shows the Rotate dialog of a profile.
func openRotate(h rotateHost, id, name string, oldExpiry time.Time) *rotateDialog {
	r := &rotateDialog{h: h, id: id, name: name, oldExpiry: oldExpiry}
	d := h.dialogs()
	r.secret = newEntry(d)
	r.secret.Password = true
	r.secret.SetPlaceHolder("New client secret")
	// Empty, never the old secret's date: that one is not the new one's.
	r.expires = newEntry(d)
	r.expires.SetPlaceHolder("New secret expires (YYYY-MM-DD)")
	hint := "Leave the date empty if the new secret does not expire."
	if !oldExpiry.IsZero() {
		hint = "The old secret expires on " + oldExpiry.UTC().Format("2006-01-02") + ": enter the new secret's date, " +
			"so the expiry warnings and credctl expiring cover it."
	}
	expiresHint := messageLabel(hint)
	expiresHint.Importance = widget.LowImportance
	r.hint = expiresHint
	r.steps = messageLabel(rotateSteps)
	idpBox := container.NewVBox()
	// The steps scroll: an IdP's error with its advice is long, and the
	// dialog must fit an 800×600 window.
	steps := container.NewVScroll(r.steps)
	steps.SetMinSize(fyne.NewSize(460, 120))
	r.s = d.show("Rotate secret of "+name, sized(container.NewVBox(idpBox, r.secret, r.expires, expiresHint, steps), 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Test and replace", importance: widget.HighImportance, keepOpen: true, fn: r.testAndReplace})
	// Enter is Test and replace (the old secret stays unless the new one
	// works), and Close once it is done.
	r.s.onEnter = func() {
		if b := r.s.button("Test and replace"); b != nil && !b.Disabled() {
			b.OnTapped()
		} else if r.s.buttons["Cancel"].Text == "Close" {
			d.closeTop()
		}
	}
	r.s.body, r.s.input = r.steps, r.secret
	r.idp = newRotateIdP(r)
	idpBox.Add(r.idp.box)
	h.window().Canvas().Focus(r.secret)
	return r
}

// rotateSteps is what the dialog says before a typed secret is rotated.
const rotateSteps = "1. Enter the new secret issued by the IdP.\n2. It is tested against the token endpoint.\n" +
	"3. Only if the test succeeds it replaces the stored secret."

func (r *rotateDialog) testAndReplace() {
	if r.idp.on() {
		r.idp.rotate()
		return
	}
	newSecret := r.secret.Text
	if newSecret == "" {
		r.steps.SetText("Enter the new secret first.")
		return
	}
	opt, msg := rotateExpiry(r.expires.Text, r.oldExpiry, r.noExpiryConfirmed)
	if msg != "" {
		// Asked once: pressing again rotates without a date.
		r.noExpiryConfirmed = opt.NoSecretExpiry
		r.steps.SetText(msg)
		return
	}
	r.enable(false)
	var res oauthflow.Result
	r.steps.Importance = widget.MediumImportance
	r.steps.SetText("• Testing the new secret against the token endpoint…")
	r.h.backgroundRow(r.id, model.BusyRotating, func(ctx context.Context) error {
		var err error
		res, err = r.h.service().RotateSecret(ctx, r.id, newSecret, opt)
		return err
	}, func(err error) { r.done(res, err) })
}

func (r *rotateDialog) enable(on bool) {
	for _, o := range []interface {
		Enable()
		Disable()
	}{r.secret, r.expires, r.s.button("Test and replace")} {
		if on {
			o.Enable()
		} else {
			o.Disable()
		}
	}
}

func (r *rotateDialog) done(res oauthflow.Result, err error) {
	// A refused candidate is the rotation's outcome, not the
	// profile's: the old secret stays in use and its state stands.
	if err == nil && res.ProfileID != "" {
		r.h.applyResult(res)
	}
	r.steps.SetText(rotateReport(err))
	if err != nil {
		r.steps.Importance = widget.DangerImportance
		r.enable(true)
	} else {
		r.s.buttons["Cancel"].SetText("Close")
	}
	r.steps.Refresh()
	if err != nil {
		r.h.setStatus(r.name + ": rotation not done, the old secret stays in use")
	} else {
		r.h.setStatus(resultLine(r.name, res, err))
	}
	r.h.reload()
}

// rotateExpiry reads the new secret's expiry date. msg, when set, is what
// to tell instead of rotating: a date that does not parse, or the question
// whether to rotate without a date when the old secret had one (opt then
// says NoSecretExpiry for the answer "yes", by pressing again).
func rotateExpiry(text string, oldExpiry time.Time, confirmed bool) (opt oauthflow.RotateOptions, msg string) {
	at, err := credentials.ParseExpiryDate(text)
	if err != nil {
		return opt, "Secret expires: " + err.Error() + "."
	}
	if !at.IsZero() {
		return oauthflow.RotateOptions{SecretExpiresAt: at}, ""
	}
	opt.NoSecretExpiry = true
	if oldExpiry.IsZero() || confirmed {
		return opt, ""
	}
	return opt, "The old secret expires on " + oldExpiry.UTC().Format("2006-01-02") + " and no date is given for the new one: " +
		"without it nothing warns before the new secret expires. Enter its date, or press Test and replace again " +
		"to rotate without an expiry date."
}

// rotateReport lists the steps of a rotation and how each went.
func rotateReport(err error) string {
	test, store := "✓ The IdP accepted the new secret.", "✓ The new secret replaced the old one in the OS keyring."
	var re *oauthflow.RotateError
	if err != nil {
		step := oauthflow.RotateStepCheck
		if errors.As(err, &re) {
			step = re.Step
		}
		advice := ""
		if f, ok := oauthflow.AsFailure(err); ok && f.Advice() != "" {
			advice = "\nWhat to check: " + f.Advice()
		}
		switch step {
		case oauthflow.RotateStepTest:
			return "✗ The IdP did not accept the new secret: " + errText(re.Err) + advice + "\n• Nothing was replaced: the old secret stays in use."
		case oauthflow.RotateStepStore:
			return test + "\n✗ Storing it failed: " + errText(re.Err) + advice + "\n• The old secret stays in use."
		}
		return "✗ " + err.Error() + advice
	}
	return test + "\n" + store + "\nThe profile is Active with the new secret."
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
