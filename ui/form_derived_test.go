package ui

import (
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
)

// TestFormTokenExchange: an Application profile's grant can be Token
// Exchange; the subject and actor selectors and the requested token type
// show only then, a missing subject names the field, Save stores the
// subject by ID, and the details say whose token is exchanged.
func TestFormTokenExchange(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo,
		credentials.Profile{Name: "alice-portal", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com", ClientID: "portal"},
		credentials.Profile{Name: "robot", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "robot"},
		credentials.Profile{Name: "Orders", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "orders"})
	h := newHarness(t, repo, nil)

	h.selectProfile("Orders")
	h.wb.screens.editSelected()
	f := h.wb.screens.form
	if f.fields[credentials.FieldSubjectProfile].label.Visible() {
		t.Fatal("a Client Credentials profile shows the subject profile")
	}
	f.derived.grant.SetSelected(credentials.GrantTokenExchange.Label())
	if !f.fields[credentials.FieldSubjectProfile].label.Visible() || !f.fields[credentials.FieldActorProfile].label.Visible() {
		t.Fatal("Token Exchange does not show the subject and actor profiles")
	}
	if msg := f.fields[credentials.FieldSubjectProfile].msg.Text; !strings.Contains(msg, "subject profile") || !f.save.Disabled() {
		t.Fatalf("no subject: message %q, Save disabled %v", msg, f.save.Disabled())
	}
	f.derived.subject.SetSelected("alice-portal")
	f.derived.actor.SetSelected("robot")
	f.derived.requested.SetText("jwt")
	h.tap(f.save)
	h.waitFor("the save", func() bool { return h.wb.screens.form == nil })
	p, err := repo.Get("Orders")
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := repo.Get("alice-portal")
	robot, _ := repo.Get("robot")
	if p.GrantType != credentials.GrantTokenExchange || p.SubjectProfile != alice.ID || p.ActorProfile != robot.ID || p.RequestedTokenType != credentials.TokenTypeJWT {
		t.Fatalf("saved %s subject %q actor %q type %q", p.GrantType, p.SubjectProfile, p.ActorProfile, p.RequestedTokenType)
	}
	if _, v := derivedDetails(p, profileNameOf(h.wb.ops)); !strings.Contains(v, "exchanges the token of 'alice-portal'") {
		t.Fatalf("details line %q", v)
	}
}

// TestFormJWTBearer: JWT Bearer shows the assertion subject and the
// certificate (whose key signs the assertion), and no subject profile.
func TestFormJWTBearer(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, credentials.Profile{Name: "Batch", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "batch"})
	h := newHarness(t, repo, nil)
	h.selectProfile("Batch")
	h.wb.screens.editSelected()
	f := h.wb.screens.form
	f.derived.grant.SetSelected(credentials.GrantJWTBearer.Label())
	for key, want := range map[string]bool{credentials.FieldAssertionSubject: true, credentials.FieldCertificate: true,
		credentials.FieldSubjectProfile: false, credentials.FieldActorProfile: false} {
		if got := f.fields[key].label.Visible(); got != want {
			t.Errorf("JWT Bearer: %s visible %v, want %v", key, got, want)
		}
	}
	if msg := f.fields[credentials.FieldAssertionSubject].msg.Text; !strings.Contains(msg, "assertion subject") || !f.save.Disabled() {
		t.Fatalf("no assertion subject: message %q", msg)
	}
}
