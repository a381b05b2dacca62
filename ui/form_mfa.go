package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// The form's multi-factor part (User profiles): require MFA, what to ask
// the IdP for, and how the login is verified (oauthflow/login_mfa.go).

// mfaPart is the MFA section of the profile form.
type mfaPart struct {
	required    *widget.Check
	acr         *widget.SelectEntry // acr_values, with the IdPs' documented values offered
	fresh       *widget.Check
	claimsParam *widget.Check
	authContext *widget.Entry
}

func (f *profileForm) buildMFA() {
	m := &f.mfa
	changed := func() {
		if ff := f.fields[credentials.FieldMFA]; ff != nil {
			ff.touched = true
			f.validate()
		}
	}
	m.required = widget.NewCheck("Require multi-factor authentication (a login without it is not Active)", func(bool) { changed() })
	var values []string
	var hints []string
	for _, p := range credentials.MFAPresets {
		values = append(values, p.ACRValues)
		hints = append(hints, p.ACRValues+" = "+p.Label)
	}
	m.acr = widget.NewSelectEntry(values)
	m.acr.SetPlaceHolder("acr values, e.g. urn:okta:loa:2fa:any (optional)")
	m.acr.OnChanged = func(string) { changed() }
	m.fresh = widget.NewCheck("Fresh sign-in (prompt=login, max_age=0)", func(bool) { changed() })
	m.claimsParam = widget.NewCheck("Ask for acr as an essential claim (OIDC claims parameter)", func(bool) { changed() })
	m.authContext = widget.NewEntry()
	m.authContext.SetPlaceHolder("Entra authentication context, e.g. c1 (optional)")
	m.authContext.OnChanged = func(string) { changed() }
	hint := widget.NewLabel(strings.Join(hints, "; ") + ". Verified from the ID token's acr/amr, or the access token's acrs " +
		"for an Entra authentication context.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	f.newField(credentials.FieldMFA, "Multi-factor", container.NewVBox(m.required, m.acr, m.fresh, m.claimsParam, m.authContext, hint))
}

func (f *profileForm) fillMFA(p credentials.Profile) {
	m := &f.mfa
	m.required.Checked = p.MFA.Required
	m.acr.Text = p.MFA.ACRValues
	m.fresh.Checked = p.MFA.FreshSignIn
	m.claimsParam.Checked = p.MFA.ClaimsParam
	m.authContext.Text = p.MFA.AuthContext
	for _, o := range []fyne.Widget{m.required, m.acr, m.fresh, m.claimsParam, m.authContext} {
		o.Refresh()
	}
}

// readMFA puts the inputs into p (shown or not: an Application profile
// keeps what it had).
func (f *profileForm) readMFA(p *credentials.Profile) {
	m := &f.mfa
	p.MFA = credentials.MFAPolicy{
		Required: m.required.Checked, ACRValues: m.acr.Text, FreshSignIn: m.fresh.Checked,
		ClaimsParam: m.claimsParam.Checked, AuthContext: m.authContext.Text,
	}
}

// mfaDetails is the details panel's MFA line: the requirement and what the
// session's login proved ("" when MFA is not required).
func mfaDetails(p credentials.Profile) string {
	if !p.MFA.Required {
		return ""
	}
	s := "required"
	if p.MFA.ACRValues != "" {
		s += " (acr " + p.MFA.ACRValues + ")"
	}
	if p.LoginMFA != "" && p.LoggedInAs != "" {
		s += "; " + p.LoginMFA
	}
	return s
}
