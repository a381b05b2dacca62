package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// IdP presets in the profile form: Entra ID, Okta, Keycloak or generic
// OIDC fill the issuer and endpoints from the tenant, org or realm
// (oauthflow.ApplyPreset), taking what the IdP's console shows. The dialog
// names its fields as that IdP does, says where to find them, and stays
// open with the input kept when a value is refused; the applied preset's
// pitfalls stay visible under the issuer.

// buildPresetRow puts the Preset… and Discover buttons on the issuer's row
// and the preset's guidance under it.
func (f *profileForm) buildPresetRow() {
	field := f.fields[credentials.FieldIssuerURL]
	field.cell.Objects[0] = container.NewBorder(nil, nil, nil,
		container.NewHBox(widget.NewButton("Preset…", f.askPreset), f.fromAPIButton(), f.discover), f.issuer) // form_fromapi.go
	f.presetNote = widget.NewLabel("")
	f.presetNote.Importance = widget.LowImportance
	f.presetNote.Wrapping = fyne.TextWrapWord
	f.presetNote.Hide()
	// Under the entry; the field's message line stays last.
	field.cell.Objects = append([]fyne.CanvasObject{field.cell.Objects[0], f.presetNote}, field.cell.Objects[1:]...)
}

// presetDialog is the "IdP preset" dialog.
type presetDialog struct {
	f                 *profileForm
	idp               *widget.Select
	base, sub         *widget.Entry
	legacy            *widget.Check
	baseItem, subItem *widget.FormItem
	form              *widget.Form
	guidance, problem *widget.Label
	d                 *dialog.CustomDialog
}

func (f *profileForm) askPreset() {
	p := f.newPresetDialog()
	p.d.Show()
	p.d.Resize(fyne.NewSize(560, p.d.MinSize().Height))
	f.h.window().Canvas().Focus(p.base)
}

func (f *profileForm) newPresetDialog() *presetDialog {
	p := &presetDialog{f: f, base: widget.NewEntry(), sub: widget.NewEntry(),
		legacy: widget.NewCheck("Keycloak before 17 (/auth/realms/…)", nil)}
	p.guidance = widget.NewLabel("")
	p.guidance.Wrapping = fyne.TextWrapWord
	p.guidance.Importance = widget.LowImportance
	p.problem = widget.NewLabel("")
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Importance = widget.DangerImportance
	p.problem.Hide()
	p.baseItem = widget.NewFormItem("Tenant", p.base)
	p.subItem = widget.NewFormItem("Realm", p.sub)
	p.idp = widget.NewSelect([]string{string(oauthflow.PresetEntra), string(oauthflow.PresetOkta),
		string(oauthflow.PresetKeycloak), string(oauthflow.PresetGeneric)}, p.changed)
	p.form = widget.NewForm(widget.NewFormItem("IdP", p.idp), p.baseItem, p.subItem, widget.NewFormItem("", p.legacy))
	p.base.OnSubmitted = func(string) { p.fill() }
	p.sub.OnSubmitted = func(string) { p.fill() }
	p.idp.SetSelected(string(oauthflow.PresetEntra))
	fill := widget.NewButton("Fill in", p.fill)
	fill.Importance = widget.HighImportance
	content := container.NewVBox(p.form, p.guidance, p.problem)
	p.d = dialog.NewCustomWithoutButtons("IdP preset", content, f.h.window())
	p.d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", p.d.Hide), fill})
	return p
}

// changed relabels the fields as the chosen IdP's console names them.
func (p *presetDialog) changed(s string) {
	idp := oauthflow.PresetIdP(s)
	baseLabel, subLabel := oauthflow.PresetLabels(idp)
	p.baseItem.Text, p.subItem.Text = baseLabel, subLabel
	p.sub.Enable()
	p.legacy.Hide()
	switch idp {
	case oauthflow.PresetEntra:
		p.base.SetPlaceHolder("tenant ID or contoso.onmicrosoft.com")
		p.sub.Disable()
	case oauthflow.PresetOkta:
		p.base.SetPlaceHolder("dev-123456.okta.com")
		p.sub.SetPlaceHolder("e.g. default; empty = org server")
		if p.sub.Text == "" {
			p.sub.SetText("default")
		}
	case oauthflow.PresetKeycloak:
		p.base.SetPlaceHolder("https://sso.example.com")
		p.sub.SetPlaceHolder("realm")
		if p.sub.Text == "default" {
			p.sub.SetText("")
		}
		p.legacy.Show()
	default:
		p.base.SetPlaceHolder("https://idp.example.com (issuer)")
		p.sub.Disable()
	}
	p.guidance.SetText(oauthflow.PresetGuidance(idp))
	p.problem.Hide()
	p.form.Refresh()
}

// fill applies the preset; a refusal is shown in the dialog, which stays
// open with what was typed.
func (p *presetDialog) fill() {
	sub := p.sub.Text
	if p.sub.Disabled() {
		sub = ""
	}
	err := p.f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetIdP(p.idp.Selected), Base: p.base.Text,
		Sub: sub, LegacyAuthPrefix: p.legacy.Checked})
	if err != nil {
		p.problem.SetText("Not filled in: " + err.Error() + ".")
		p.problem.Show()
		return
	}
	p.problem.Hide()
	p.d.Hide()
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
	f.scope.SetPlaceHolder(r.ScopeHint)
	if r.AssertionAlg != "" && f.usesCertificate() && f.cert.alg.Selected == algByKey {
		f.cert.alg.SetSelected(r.AssertionAlg)
	}
	note := string(in.IdP) + " preset"
	if len(r.Notes) > 0 {
		note += ": " + strings.Join(r.Notes, " ")
	}
	f.presetNote.SetText(note)
	f.presetNote.Show()
	f.validate()
	return nil
}
