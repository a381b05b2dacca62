package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
)

// TestFormMFA: the MFA settings show for User profiles only, a preset acr
// value can be chosen, a bad authentication context names the field, and
// Save stores what was entered.
func TestFormMFA(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo,
		credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com", ClientID: "portal"},
		credentials.Profile{Name: "Batch", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "batch"})
	h := newHarness(t, repo, nil)

	h.selectProfile("Batch")
	h.wb.screens.editSelected()
	if h.wb.screens.form.fields[credentials.FieldMFA].label.Visible() {
		t.Error("an Application profile shows the MFA settings")
	}
	h.wb.dialogs.hide(h.wb.screens.form.s)
	h.waitFor("the form to close", func() bool { return h.wb.dialogs.top() == nil })

	h.selectProfile("Portal")
	h.wb.screens.editSelected()
	f := h.wb.screens.form
	if !f.fields[credentials.FieldMFA].label.Visible() {
		t.Fatal("a User profile does not show the MFA settings")
	}
	test.Tap(f.mfa.required)
	f.mfa.acr.SetText(credentials.MFAPresets[0].ACRValues)
	test.Tap(f.mfa.fresh)
	test.Tap(f.mfa.claimsParam)
	f.mfa.authContext.SetText("x1")
	if msg := f.fields[credentials.FieldMFA].msg.Text; !strings.Contains(msg, "authentication context") {
		t.Fatalf("a bad authentication context: field message %q", msg)
	}
	if !f.save.Disabled() {
		t.Error("Save is enabled with an invalid authentication context")
	}
	f.mfa.authContext.SetText("c4")
	h.tap(f.save)
	h.waitFor("the save", func() bool { return h.wb.screens.form == nil })
	p, err := repo.Get("Portal")
	if err != nil {
		t.Fatal(err)
	}
	want := credentials.MFAPolicy{Required: true, ACRValues: "urn:okta:loa:2fa:any", FreshSignIn: true, ClaimsParam: true, AuthContext: "c4"}
	if p.MFA != want {
		t.Fatalf("saved MFA %+v, want %+v", p.MFA, want)
	}
}
