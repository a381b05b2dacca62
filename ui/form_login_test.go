package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
)

// TestFormLoginRequest: PAR and the signed request object show for User
// profiles only, start from the stored values and are saved as chosen.
func TestFormLoginRequest(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo,
		credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com", ClientID: "portal", PAR: true},
		credentials.Profile{Name: "Batch", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "batch"})
	h := newHarness(t, repo, nil)

	h.selectProfile("Batch")
	h.wb.screens.editSelected()
	if h.wb.screens.form.fields[credentials.FieldLogin].label.Visible() {
		t.Error("an Application profile shows the login-request settings")
	}
	h.wb.dialogs.hide(h.wb.screens.form.s)
	h.waitFor("the form to close", func() bool { return h.wb.dialogs.top() == nil })

	h.selectProfile("Portal")
	h.wb.screens.editSelected()
	f := h.wb.screens.form
	if !f.fields[credentials.FieldLogin].label.Visible() || !f.login.par.Checked || f.login.requestObject.Checked {
		t.Fatalf("the Edit form of a PAR profile: visible %v, PAR %v, request object %v",
			f.fields[credentials.FieldLogin].label.Visible(), f.login.par.Checked, f.login.requestObject.Checked)
	}
	test.Tap(f.login.par)
	test.Tap(f.login.requestObject)
	h.tap(f.save)
	h.waitFor("the save", func() bool { return h.wb.screens.form == nil })
	p, err := repo.Get("Portal")
	if err != nil {
		t.Fatal(err)
	}
	if p.PAR || !p.RequestObject {
		t.Fatalf("saved PAR %v, request object %v; want false, true", p.PAR, p.RequestObject)
	}
}
