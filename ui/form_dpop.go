package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// DPoP (RFC 9449) in the form: one box; the key itself is made and kept by
// the service (oauthflow/dpop.go), never seen here.

// fieldDPoP is the form field's key.
const fieldDPoP = "dpop"

// buildDPoP adds the DPoP box to the form (Advanced), set from the edited
// profile; readDPoP reads it back.
func (f *profileForm) buildDPoP() {
	f.dpop = widget.NewCheck("Bind tokens to a DPoP key (RFC 9449)", func(bool) { f.validate() })
	f.dpop.Checked = f.orig != nil && f.orig.DPoP
	hint := widget.NewLabel("A key of this profile (ES256) signs a proof for every token request and API call; " +
		"its private key stays in the OS keyring. The client must be set up for DPoP at the IdP.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	f.newField(fieldDPoP, "DPoP", container.NewVBox(f.dpop, hint))
}

func (f *profileForm) readDPoP(p *credentials.Profile) { p.DPoP = f.dpop.Checked }

// dpopDetails is the details pane's DPoP line: the key's public JWK
// thumbprint (the cnf.jkt of the profile's tokens); "" without DPoP.
func dpopDetails(ops Operations, p credentials.Profile) string {
	if !p.DPoP {
		return ""
	}
	jkt, err := ops.DPoP().Thumbprint(p.ID)
	switch {
	case err != nil:
		return "on (the key cannot be read from the OS keyring)"
	case jkt == "":
		return "on (the key is made at the first token request)"
	}
	return "on, key thumbprint " + jkt
}
