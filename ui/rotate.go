package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

func (w *Workbench) rotateSelected() {
	r := w.m.Selected()
	if !w.allowed(actRotate, r) || w.dlg != nil {
		return
	}
	id, name, oldExpiry := r.P.ID, r.P.Name, r.P.SecretExpiresAt
	secret := newEntry(w)
	secret.Password = true
	secret.SetPlaceHolder("New client secret")
	// Empty, never the old secret's date: that one is not the new one's.
	expires := newEntry(w)
	expires.SetPlaceHolder("New secret expires (YYYY-MM-DD)")
	hint := "Leave the date empty if the new secret does not expire."
	if !oldExpiry.IsZero() {
		hint = "The old secret expires on " + oldExpiry.UTC().Format("2006-01-02") + ": enter the new secret's date, " +
			"so the expiry warnings and credctl expiring cover it."
	}
	expiresHint := messageLabel(hint)
	expiresHint.Importance = widget.LowImportance
	steps := messageLabel("1. Enter the new secret issued by the IdP.\n2. It is tested against the token endpoint.\n" +
		"3. Only if the test succeeds it replaces the stored secret.")
	noExpiryConfirmed := false
	var s *shownDialog
	s = w.showDialog("Rotate secret of "+name, sized(container.NewVBox(secret, expires, expiresHint, steps), 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Test and replace", importance: widget.HighImportance, keepOpen: true, fn: func() {
			newSecret := secret.Text
			if newSecret == "" {
				steps.SetText("Enter the new secret first.")
				return
			}
			opt, msg := rotateExpiry(expires.Text, oldExpiry, noExpiryConfirmed)
			if msg != "" {
				// Asked once: pressing again rotates without a date.
				noExpiryConfirmed = opt.NoSecretExpiry
				steps.SetText(msg)
				return
			}
			secret.Disable()
			expires.Disable()
			s.button("Test and replace").Disable()
			var res oauthflow.Result
			steps.Importance = widget.MediumImportance
			steps.SetText("• Testing the new secret against the token endpoint…")
			w.backgroundRow(id, model.BusyRotating, func(ctx context.Context) error {
				var err error
				res, err = w.ops.RotateSecret(ctx, id, newSecret, opt)
				return err
			}, func(err error) {
				// A refused candidate is the rotation's outcome, not the
				// profile's: the old secret stays in use and its state stands.
				if err == nil && res.ProfileID != "" {
					w.applyResult(res)
				}
				steps.SetText(rotateReport(err))
				if err != nil {
					steps.Importance = widget.DangerImportance
					secret.Enable()
					expires.Enable()
					s.button("Test and replace").Enable()
				} else {
					s.buttons["Cancel"].SetText("Close")
				}
				steps.Refresh()
				if err != nil {
					w.setStatus(name + ": rotation not done, the old secret stays in use")
				} else {
					w.setStatus(resultLine(name, res, err))
				}
				w.reload()
			})
		}})
	// Enter is Test and replace (the old secret stays unless the new one
	// works), and Close once it is done.
	s.onEnter = func() {
		if b := s.button("Test and replace"); b != nil && !b.Disabled() {
			b.OnTapped()
		} else if s.buttons["Cancel"].Text == "Close" {
			w.closeDialog()
		}
	}
	s.body, s.input = steps, secret
	w.win.Canvas().Focus(secret)
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
