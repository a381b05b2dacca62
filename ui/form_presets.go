package ui

import (
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// IdP presets in the profile form: Entra ID, Okta, Keycloak or generic
// OIDC fill the issuer and endpoints from the tenant, org or realm
// (oauthflow.ApplyPreset); the IdP's pitfalls go to the status bar.

func (f *profileForm) askPreset() {
	idp := widget.NewSelect([]string{string(oauthflow.PresetEntra), string(oauthflow.PresetOkta),
		string(oauthflow.PresetKeycloak), string(oauthflow.PresetGeneric)}, nil)
	base, sub := widget.NewEntry(), widget.NewEntry()
	legacy := widget.NewCheck("Keycloak before 17 (/auth/realms/…)", nil)
	baseItem := widget.NewFormItem("Tenant", base)
	subItem := widget.NewFormItem("Realm", sub)
	idp.OnChanged = func(s string) {
		sub.Enable()
		legacy.Hide()
		switch oauthflow.PresetIdP(s) {
		case oauthflow.PresetEntra:
			base.SetPlaceHolder("tenant ID or contoso.onmicrosoft.com")
			sub.Disable()
		case oauthflow.PresetOkta:
			base.SetPlaceHolder("https://example.okta.com")
			sub.SetPlaceHolder("authorization server ID; empty = org server")
			if sub.Text == "" {
				sub.SetText("default")
			}
		case oauthflow.PresetKeycloak:
			base.SetPlaceHolder("https://sso.example.com")
			sub.SetPlaceHolder("realm")
			legacy.Show()
		default:
			base.SetPlaceHolder("https://idp.example.com (issuer)")
			sub.Disable()
		}
	}
	idp.SetSelected(string(oauthflow.PresetEntra))
	dialog.ShowForm("IdP preset", "Fill in", "Cancel", []*widget.FormItem{
		widget.NewFormItem("IdP", idp), baseItem, subItem, widget.NewFormItem("", legacy),
	}, func(ok bool) {
		if !ok {
			return
		}
		err := f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetIdP(idp.Selected), Base: base.Text,
			Sub: sub.Text, LegacyAuthPrefix: legacy.Checked})
		if err != nil {
			ff := f.fields["issuerUrl"]
			ff.msg.SetText("Preset not applied: " + err.Error() + ".")
			ff.msg.Show()
		}
	}, f.w.win)
}

// applyPreset fills the form from a preset.
func (f *profileForm) applyPreset(in oauthflow.PresetInput) error {
	r, err := oauthflow.ApplyPreset(in)
	if err != nil {
		return err
	}
	f.issuer.SetText(r.IssuerURL)
	f.tokenURL.SetText(r.TokenURL)
	f.authURL.SetText(r.AuthURL)
	if r.ScopeHint != "" {
		f.scope.SetPlaceHolder(r.ScopeHint)
	}
	if r.AssertionAlg != "" && f.usesCertificate() && f.cert.alg.Selected == algByKey {
		f.cert.alg.SetSelected(r.AssertionAlg)
	}
	msg := string(in.IdP) + " preset applied"
	if len(r.Notes) > 0 {
		msg += ": " + strings.Join(r.Notes, " ")
	}
	f.w.setStatus(msg)
	f.validate()
	return nil
}
