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
	f := h.wb.openForm(nil)
	if err := f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetKeycloak, Base: "https://sso.example.com", Sub: "main", LegacyAuthPrefix: true}); err != nil {
		t.Fatal(err)
	}
	if f.issuer.Text != "https://sso.example.com/auth/realms/main" || !strings.HasSuffix(f.tokenURL.Text, "/auth/realms/main/protocol/openid-connect/token") {
		t.Errorf("keycloak: %q %q", f.issuer.Text, f.tokenURL.Text)
	}
	if !strings.Contains(h.wb.statusText.Text, "Service account roles") {
		t.Errorf("status %q", h.wb.statusText.Text)
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
	if err := f.applyPreset(oauthflow.PresetInput{IdP: oauthflow.PresetOkta, Base: "example.okta.com"}); err == nil {
		t.Error("an Okta org without https accepted")
	}
}
