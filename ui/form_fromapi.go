package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// "New profile from an API…" (RFC 9728): given an API's URL, its
// protected-resource metadata names the authorization server, whose
// discovery fills the form: issuer, endpoints, scopes, resource (and the
// DPoP / certificate-binding requirements: ticked, and said in the note). The user
// still enters the client ID and secret.

// fromAPILabel is the button on the issuer's row (and the dialog's title).
const fromAPILabel = "New profile from an API…"

// profileFromAPI is the operation the dialog needs (oauthflow.Service has it).
type profileFromAPI interface {
	ProfileFromAPI(ctx context.Context, apiURL string, draft credentials.Profile) (oauthflow.APIProfile, error)
}

// fromAPIDialog is the dialog that asks for the API's URL.
type fromAPIDialog struct {
	f       *profileForm
	url     *widget.Entry
	problem *widget.Label
	fill    *widget.Button
	d       *dialog.CustomDialog
}

func (f *profileForm) fromAPIButton() *widget.Button {
	return widget.NewButton("From an API…", f.askFromAPI)
}

func (f *profileForm) askFromAPI() { f.newFromAPIDialog().show() }

func (f *profileForm) newFromAPIDialog() *fromAPIDialog {
	a := &fromAPIDialog{f: f, url: widget.NewEntry()}
	a.url.SetPlaceHolder("https://api.example.com/v1/orders")
	a.url.OnSubmitted = func(string) { a.run() }
	a.problem = widget.NewLabel("")
	a.problem.Wrapping = fyne.TextWrapWord
	a.problem.Importance = widget.DangerImportance
	a.problem.Hide()
	hint := widget.NewLabel("The API's protected-resource metadata (RFC 9728) names the IdP that issues its tokens; " +
		"its discovery fills the issuer, endpoints, scopes and resource. You still enter the client ID and secret.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	a.fill = widget.NewButton("Fill in", a.run)
	a.fill.Importance = widget.HighImportance
	content := container.NewVBox(widget.NewForm(widget.NewFormItem("API URL", a.url)), hint, a.problem)
	a.d = dialog.NewCustomWithoutButtons(fromAPILabel, content, f.h.window())
	a.d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", a.d.Hide), a.fill})
	return a
}

func (a *fromAPIDialog) show() {
	a.d.Show()
	a.d.Resize(fyne.NewSize(min(560, a.f.h.window().Canvas().Size().Width-40), a.d.MinSize().Height))
	a.f.h.window().Canvas().Focus(a.url)
}

// run reads the metadata in the background with the form's network
// settings; a refusal stays in the dialog with the URL kept.
func (a *fromAPIDialog) run() {
	ops, ok := a.f.h.service().(profileFromAPI)
	if !ok {
		return
	}
	draft, _ := a.f.profile()
	apiURL := strings.TrimSpace(a.url.Text)
	a.fill.Disable()
	a.problem.Hide()
	var out oauthflow.APIProfile
	a.f.h.background("Reading the API's metadata…", func(ctx context.Context) error {
		var err error
		out, err = ops.ProfileFromAPI(ctx, apiURL, draft)
		return err
	}, func(err error) {
		a.fill.Enable()
		if err != nil {
			a.problem.SetText("Not filled in: " + upperFirst(err.Error()) + ".")
			a.problem.Show()
			return
		}
		a.d.Hide()
		a.f.applyFromAPI(out)
	})
}

// applyFromAPI puts what the API's metadata gave into the form.
func (f *profileForm) applyFromAPI(out oauthflow.APIProfile) {
	p := out.Profile
	for _, s := range []struct {
		e *entry
		v string
	}{{f.issuer, p.IssuerURL}, {f.tokenURL, p.TokenURL}, {f.authURL, p.AuthURL}, {f.revocationURL, p.RevocationURL},
		{f.scope, p.Scope}, {f.resource, p.Resource}} {
		if s.e.Text == "" && s.v != "" {
			s.e.SetText(s.v)
		}
	}
	if p.DPoP && f.dpop != nil {
		f.dpop.SetChecked(true) // the API takes only DPoP-bound tokens
	}
	if p.BindTokensToCertificate && f.mtls.bind != nil {
		f.mtls.bind.SetChecked(true) // the API takes only certificate-bound tokens
	}
	f.presetNote.SetText(strings.Join(out.Notes, " "))
	f.presetNote.Show()
	f.validate()
}
