package ui

import (
	"crypto/ecdsa"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// The daily view's small lies (#24.22): at 1280 px Type and Grant type are
// whole; the Endpoint column says which endpoint it shows; the details do
// not break URLs at 800 px; a public client has no client authentication
// method; Logout needs a session.
func TestColumnsEndpointDetailsAndLogout(t *testing.T) {
	repo := newRepo(t, nil)
	app := credentials.Profile{Name: "Billing", Type: credentials.TypeApplication, ClientID: "billing",
		TokenURL: "https://login.example-identity-provider.com/oauth2/aus1a2b3c4d5e6f7g8h9/v1/token"}
	app.HasSecret = true
	seedNoSecrets(t, repo, app,
		credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com/realms/portal",
			ClientID: "portal", Scope: "openid"})
	h := newHarness(t, repo, nil) // 1280 × 800

	for _, c := range []int{colType, colGrant} {
		if !slices.Contains(h.wb.tbl.shownCols, c) {
			t.Fatalf("column %s left out at 1280 px", colTitles[c])
		}
	}
	for i := range h.wb.m.View() {
		for _, c := range []int{colType, colGrant} {
			text, _ := h.wb.tbl.cellText(h.wb.m.View()[i], c)
			if need := cellWidth(text); h.wb.tbl.shownWidths[c] < need {
				t.Errorf("%q is cut at 1280 px: column %v wide, needs %v", text, h.wb.tbl.shownWidths[c], need)
			}
		}
	}
	for name, want := range map[string]string{"Billing": "token: https://", "Portal": "issuer: https://"} {
		if got := h.cellText(h.rowOf(name), colEndpoint); !strings.HasPrefix(got, want) {
			t.Errorf("%s's Endpoint cell %q does not say which endpoint it is", name, got)
		}
	}

	h.win.Resize(fyne.NewSize(800, 600))
	h.selectProfile("Billing")
	line := widget.NewLabel("x").MinSize().Height
	vals := detailValues(h)
	url := vals["Token endpoint"]
	if url == nil {
		t.Fatalf("no token endpoint in the details: %v", vals)
	}
	if url.MinSize().Height > line+0.5 || url.Wrapping != fyne.TextWrapOff {
		t.Errorf("the token URL wraps in the details at 800 px (height %v, one line %v)", url.MinSize().Height, line)
	}
	if _, ok := vals["Client authentication"]; !ok {
		t.Error("a confidential client shows no client authentication method")
	}

	h.selectProfile("Portal")
	if _, ok := detailValues(h)["Client authentication"]; ok {
		t.Error("a public client shows a client authentication method")
	}
	if !h.wb.toolbar[actionNames[actLogout]].Disabled() {
		t.Error("Logout is enabled for a User profile that never logged in")
	}
}

// detailValues are the details pane's settings by label.
func detailValues(h *harness) map[string]*widget.Label {
	out := map[string]*widget.Label{}
	objs := h.wb.details.fields.Objects
	for i := 0; i+1 < len(objs); i += 2 {
		k, _ := objs[i].(*widget.Label)
		v, _ := objs[i+1].(*widget.Label)
		if k != nil && v != nil {
			out[k.Text] = v
		}
	}
	return out
}

// The certificate dialog offers RSA or EC and a subject, and copies the
// public JWK (never the private key) (#24.22).
func TestCertificateDialogKeyTypeSubjectAndJWK(t *testing.T) {
	repo := newRepo(t, nil)
	h := newHarness(t, repo, nil)
	f := h.wb.screens.openForm(nil)
	f.name.SetText("Cert API")
	f.clientID.SetText("wb-pkjwt")
	f.authMethod.SetSelected(string(credentials.AuthPrivateKeyJWT))
	if !f.cert.jwkBtn.Disabled() {
		t.Error("Copy public JWK enabled without a certificate")
	}
	f.cert.askGenerate()
	if f.cert.genSubject.Text != "wb-pkjwt" || f.cert.genKind.Selected != keyKindRSA {
		t.Errorf("dialog defaults: subject %q, key %q", f.cert.genSubject.Text, f.cert.genKind.Selected)
	}
	f.cert.genKind.SetSelected(keyKindEC)
	f.cert.genSubject.SetText("billing-prod")
	f.cert.genDays.SetText("90")
	f.cert.generateFromDialog()
	cert, err := credentials.ParseCertificatePEM(f.cert.certPEM)
	if err != nil {
		t.Fatalf("no certificate generated: %v", err)
	}
	if _, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || cert.Subject.CommonName != "billing-prod" {
		t.Errorf("generated %T for %q", cert.PublicKey, cert.Subject.CommonName)
	}
	h.tap(f.cert.jwkBtn)
	var jwk map[string]any
	if err := json.Unmarshal([]byte(h.app.Clipboard().Content()), &jwk); err != nil {
		t.Fatalf("clipboard %q: %v", h.app.Clipboard().Content(), err)
	}
	if jwk["kty"] != "EC" || jwk["kid"] == nil || jwk["d"] != nil {
		t.Errorf("public JWK %v", jwk)
	}
}
