package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestFormFromAPI: "New profile from an API…" in the Add form reads the
// API's protected-resource metadata and fills the issuer, endpoints, scope
// and resource; a document for another resource is refused in the dialog,
// which keeps the URL. The form with the button still fits 800×600.
func TestFormFromAPI(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	cfg := testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}
	api := testapi.StartProtected(t, cfg, testapi.ProtectedResource{AuthorizationServers: []string{idp.Issuer},
		Scopes: []string{"openid", "api:read"}, DPoPRequired: true, TLSBound: true})
	hostile := testapi.StartProtected(t, cfg, testapi.ProtectedResource{AuthorizationServers: []string{idp.Issuer}, Resource: "https://bank.example.com"})
	repo := newRepo(t, nil)
	h := newHarness(t, repo, nil)
	h.win.Resize(fyne.NewSize(800, 600))
	f := h.wb.screens.openForm(nil)
	if m, room := h.win.Canvas().Overlays().Top().MinSize(), h.win.Canvas().Size(); m.Width > room.Width || m.Height > room.Height {
		t.Errorf("the Add form needs %v in a %v window", m, room)
	}

	a := f.newFromAPIDialog()
	a.show()
	a.url.SetText(hostile.URL)
	a.run()
	h.waitFor("the refusal", func() bool { return a.problem.Visible() })
	if !strings.Contains(a.problem.Text, "bank.example.com") || a.url.Text != hostile.URL || f.issuer.Text != "" {
		t.Fatalf("refusal %q, URL kept %q, issuer %q", a.problem.Text, a.url.Text, f.issuer.Text)
	}
	a.url.SetText(api.URL)
	a.run()
	h.waitFor("the form filled", func() bool { return f.issuer.Text != "" })
	if f.issuer.Text != idp.Issuer || f.tokenURL.Text != idp.TokenURL || f.scope.Text != "openid api:read" || f.resource.Text != api.URL {
		t.Fatalf("filled issuer %q token %q scope %q resource %q", f.issuer.Text, f.tokenURL.Text, f.scope.Text, f.resource.Text)
	}
	if !f.dpop.Checked || !f.mtls.bind.Checked {
		t.Errorf("the API requires DPoP and certificate-bound tokens: DPoP box %v, binding box %v", f.dpop.Checked, f.mtls.bind.Checked)
	}
	if !strings.Contains(f.presetNote.Text, "DPoP") {
		t.Errorf("the note does not say the API requires DPoP: %q", f.presetNote.Text)
	}
}
