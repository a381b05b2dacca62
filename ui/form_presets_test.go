package ui

import (
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

func TestFormPresets(t *testing.T) {
	requireKeyring(t)
	h := newHarness(t, newRepo(t, nil), nil)
	f := h.wb.screens.openForm(nil)
	if err := f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetKeycloak, Base: "https://sso.example.com", Sub: "main", LegacyAuthPrefix: true}); err != nil {
		t.Fatal(err)
	}
	if f.issuer.Text != "https://sso.example.com/auth/realms/main" || !strings.HasSuffix(f.tokenURL.Text, "/auth/realms/main/protocol/openid-connect/token") {
		t.Errorf("keycloak: %q %q", f.issuer.Text, f.tokenURL.Text)
	}
	if !f.presetNote.Visible() || !strings.Contains(f.presetNote.Text, "Service account roles") {
		t.Errorf("guidance in the form %q", f.presetNote.Text)
	}
	f.authMethod.SetSelected(string(credentials.AuthPrivateKeyJWT))
	if err := f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetEntra, Base: "contoso.onmicrosoft.com"}); err != nil {
		t.Fatal(err)
	}
	p, _ := f.profile()
	if p.AssertionAlg != credentials.AlgPS256 || !strings.Contains(p.TokenURL, "/contoso.onmicrosoft.com/oauth2/v2.0/token") ||
		!strings.Contains(f.scope.PlaceHolder, "/.default") {
		t.Errorf("entra: %+v", p)
	}
	// What the console shows is taken (#24.15).
	if err := f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetOkta, Base: "dev-123456-admin.okta.com", Sub: "default"}); err != nil ||
		f.issuer.Text != "https://dev-123456.okta.com/oauth2/default" {
		t.Errorf("okta from the console: %v %q", err, f.issuer.Text)
	}
	// The scope hint follows the preset, also to one without /.default.
	if err := f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetKeycloak, Base: "https://sso.example.com/realms/main"}); err != nil ||
		strings.Contains(f.scope.PlaceHolder, "/.default") || f.issuer.Text != "https://sso.example.com/realms/main" {
		t.Errorf("keycloak from a realm URL: %v %q, scope hint %q", err, f.issuer.Text, f.scope.PlaceHolder)
	}
}

// The preset dialog names its fields as the IdP does, shows where to find
// them, and keeps the input on a refusal (#24.15).
func TestPresetDialog(t *testing.T) {
	requireKeyring(t)
	h := newHarness(t, newRepo(t, nil), nil)
	f := h.wb.screens.openForm(nil)
	p := f.newPresetDialog()
	p.d.Show()
	defer p.d.Hide()
	p.idp.SetSelected(string(oauthflow.PresetOkta))
	if p.baseItem.Text != "Org URL" || p.subItem.Text != "Authorization server ID" || !strings.Contains(p.guidance.Text, "Security › API") {
		t.Errorf("okta labels %q %q, guidance %q", p.baseItem.Text, p.subItem.Text, p.guidance.Text)
	}
	p.idp.SetSelected(string(oauthflow.PresetKeycloak))
	if p.baseItem.Text != "Base URL" || p.subItem.Text != "Realm" {
		t.Errorf("keycloak labels %q %q", p.baseItem.Text, p.subItem.Text)
	}
	p.base.SetText("https://sso.example.com")
	p.fill() // no realm
	if !p.problem.Visible() || !strings.Contains(p.problem.Text, "realm") || p.base.Text != "https://sso.example.com" || f.issuer.Text != "" {
		t.Errorf("refusal: %q visible=%v, input %q, issuer %q", p.problem.Text, p.problem.Visible(), p.base.Text, f.issuer.Text)
	}
	p.sub.SetText("main")
	p.fill()
	if f.issuer.Text != "https://sso.example.com/realms/main" || p.problem.Visible() {
		t.Errorf("after fixing the realm: issuer %q, problem %q", f.issuer.Text, p.problem.Text)
	}
}
