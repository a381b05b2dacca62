package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// lcHarness is a workbench with the test IdP's management clients, the
// management API harness showing the app client as kind's app, a
// management profile and the app profile managed by it.
func lcHarness(t *testing.T, kind idpadmin.Kind, opts ...testmgmt.Option) (*harness, *testidp.IdP, *testmgmt.Server, credentials.Profile) {
	t.Helper()
	repo, idp, mg, p := lcWorld(t, kind, opts...)
	return newHarness(t, repo, nil), idp, mg, p
}

func lcWorld(t *testing.T, kind idpadmin.Kind, opts ...testmgmt.Option) (*credentials.Repository, *testidp.IdP, *testmgmt.Server, credentials.Profile) {
	t.Helper()
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{}))
	mg := testmgmt.Start(t, idp, append([]testmgmt.Option{testmgmt.WithApp(testmgmt.App{Kind: kind, ClientID: testidp.AppClientID, Name: "Billing app"})}, opts...)...)
	repo := newRepo(t, nil)
	// The management profile names the API and its URL (the harness's
	// issuer implies none): the IdP secrets view lists through it.
	m := saveProfile(t, repo, credentials.Profile{Name: "IdP admin", Type: credentials.TypeApplication, TokenURL: idp.TokenURL,
		ClientID: testidp.ManagerClientID, Scope: testidp.ManagementScopes, ManagementAPI: string(kind), ManagementURL: mg.BaseURL(kind)},
		testidp.ManagerClientSecret)
	app := appProfile("Billing", idp)
	app.ManagementProfile, app.ManagementAPI, app.ManagementURL = m.ID, string(kind), mg.BaseURL(kind)
	p := saveProfile(t, repo, app, testidp.AppClientSecret)
	t.Cleanup(func() {
		for _, k := range credentials.AllSecretKinds {
			_ = repo.Secrets.Delete(p.ID, k)
			_ = repo.Secrets.Delete(m.ID, k)
		}
	})
	return repo, idp, mg, p
}

// TestFormIdPManagement: the Advanced section offers every other profile
// as the management profile (never the profile itself), shows the API the
// issuer implies, asks for an Okta API token only without a management
// profile, and Save keeps the choice.
func TestFormIdPManagement(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo,
		credentials.Profile{Name: "Admin", Type: credentials.TypeApplication, TokenURL: "https://kc.example.com/realms/x/token", ClientID: "adm"},
		credentials.Profile{Name: "Batch", Type: credentials.TypeApplication, IssuerURL: "https://kc.example.com/realms/x",
			TokenURL: "https://kc.example.com/realms/x/protocol/openid-connect/token", ClientID: "batch",
			Bookkeeping: credentials.Bookkeeping{HasSecret: true}})
	h := newHarness(t, repo, nil)
	h.selectProfile("Batch")
	h.wb.screens.editSelected()
	f := h.wb.screens.form
	m := &f.idp
	if strings.Join(m.profile.Options, ",") != "None,Admin" {
		t.Errorf("management profile choices %v, want None and Admin (never Batch itself)", m.profile.Options)
	}
	if m.api.Selected != "Inferred (Keycloak)" {
		t.Errorf("API shows %q, want what the issuer implies", m.api.Selected)
	}
	if !strings.Contains(m.url.PlaceHolder, "https://kc.example.com/admin/realms/x") {
		t.Errorf("URL placeholder %q does not show the default", m.url.PlaceHolder)
	}
	if f.fields[fieldMgmtToken].label.Visible() || f.fields[fieldMaxAge].label.Visible() {
		t.Error("a Keycloak profile asks for an API token or a max age")
	}
	m.api.SetSelected("Okta")
	if !f.fields[fieldMgmtToken].label.Visible() || f.fields[fieldMgmtToken].label.Text != "Okta API token" {
		t.Error("Okta without a management profile does not ask for the API token")
	}
	if !f.fields[fieldMaxAge].label.Visible() {
		t.Error("Okta does not offer the max secret age")
	}
	m.profile.SetSelected("Admin")
	if f.fields[fieldMgmtToken].label.Visible() {
		t.Error("the API token is asked for although a management profile gives the token")
	}
	m.maxAge.SetText("90d")
	m.url.SetText("https://okta.example.com")
	if f.save.Disabled() {
		t.Fatalf("Save is disabled: %s", f.problems.Text)
	}
	h.tap(f.save)
	h.waitFor("the save", func() bool { return h.wb.screens.form == nil })
	p, err := repo.Get("Batch")
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := repo.Get("Admin")
	if p.ManagementProfile != admin.ID || p.ManagementAPI != "okta" || p.ManagementURL != "https://okta.example.com" ||
		p.MaxSecretAge.D() != 90*24*time.Hour {
		t.Fatalf("saved %q %q %q %v", p.ManagementProfile, p.ManagementAPI, p.ManagementURL, p.MaxSecretAge.D())
	}
}

// TestRotateDialogAtIdP: with a management connection the Rotate dialog
// offers "Create the new secret at the IdP" (ticked), rotates there with
// the revocation after a grace period, names each step done, and the
// details show the pending revocation; Revoke now carries it out and the
// IdP refuses the old secret.
func TestRotateDialogAtIdP(t *testing.T) {
	h, idp, _, p := lcHarness(t, idpadmin.Entra)
	d := openRotateOf(h, "Billing")
	r := d.s
	if !d.idp.atIdP.Checked || d.idp.atIdP.Disabled() {
		t.Fatalf("at the IdP: checked %v disabled %v (%s)", d.idp.atIdP.Checked, d.idp.atIdP.Disabled(), d.idp.why.Text)
	}
	if d.secret.Visible() {
		t.Error("the typed-secret entry shows while the IdP mints the secret")
	}
	d.idp.revoke.grace.SetText("2d")
	h.tap(r.button("Test and replace"))
	h.waitFor("the rotation", func() bool { return r.buttons["Cancel"].Text == "Close" || strings.Contains(d.steps.Text, "✗") })
	for _, want := range []string{"✓ Found Billing app at Entra", "✓ Created a new secret at Entra", "✓ The token endpoint accepted the new secret",
		"✓ The profile uses the new secret now", "will be revoked at Entra on"} {
		if !strings.Contains(d.steps.Text, want) {
			t.Errorf("outcome lacks %q:\n%s", want, d.steps.Text)
		}
	}
	h.wb.dialogs.closeTop()
	h.waitFor("the pending step in the details", func() bool {
		return h.wb.details.idp.pending.Visible() && strings.Contains(h.wb.details.idp.pending.Text, "will be revoked at Entra")
	})
	if !accepted(t, idp, testidp.AppClientSecret) {
		t.Fatal("the old secret stopped working before its grace period")
	}
	h.tap(h.wb.details.idp.revoke)
	confirm := h.wb.dialogs.top()
	if confirm == nil || !strings.Contains(confirm.body.Text, "anything still using it stops working") {
		t.Fatalf("Revoke now does not ask first: %+v", confirm)
	}
	h.tap(confirm.button("Revoke it now"))
	h.waitFor("Revoke now", func() bool { return h.wb.details.idp.outcome.Visible() })
	if h.wb.details.idp.pending.Visible() {
		t.Fatalf("still pending after Revoke now: %s", h.wb.details.idp.outcome.Text)
	}
	if accepted(t, idp, testidp.AppClientSecret) {
		t.Fatal("Revoke now left the old secret valid at the IdP")
	}
	got, _ := h.repo.Get(p.ID)
	if !got.PendingAtIdP.IsZero() || got.SecretKeyID == "" {
		t.Fatalf("bookkeeping after Revoke now: %+v", got.Bookkeeping)
	}

	// Refresh from IdP: the expiry comes from Entra, and says so.
	h.wb.details.idp.outcome.SetText("")
	h.tap(h.wb.details.idp.refresh)
	h.waitFor("Refresh from IdP", func() bool { return h.wb.details.idp.outcome.Text != "" })
	if !strings.Contains(h.wb.details.idp.outcome.Text, "Entra says the secret expires on") {
		t.Fatalf("refresh: %s", h.wb.details.idp.outcome.Text)
	}
	h.waitFor("the expiry's source in the details", func() bool {
		return strings.Contains(detailsText(h), "from Entra, checked just now")
	})
}

// TestWorkbenchRunsDueSteps: a revocation that fell due while no
// workbench ran is carried out when it starts, and the status bar says so.
func TestWorkbenchRunsDueSteps(t *testing.T) {
	repo, idp, _, p := lcWorld(t, idpadmin.Entra)
	svc := oauthflow.NewService(repo, nil, nil)
	r, err := svc.Secrets().RotateAtIdP(context.Background(), p.ID, oauthflow.AtIdPOptions{RevokeOld: oauthflow.RevokeAfter{After: time.Millisecond}})
	svc.Close()
	if err != nil || !r.OK() || r.Pending.IsZero() {
		t.Fatalf("setup rotation: %v %+v %v", err, r.Failure, r.Pending)
	}
	time.Sleep(5 * time.Millisecond)
	h := newHarness(t, repo, nil)
	h.waitFor("RunDue at start", func() bool { return strings.Contains(h.wb.bar.text.Text, "old secret revoked at Entra") })
	if accepted(t, idp, testidp.AppClientSecret) {
		t.Fatal("the due revocation left the old secret valid")
	}
}

// detailsText is the details' label texts, joined.
func detailsText(h *harness) string {
	var b strings.Builder
	walk(h.wb.details.box, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// TestRotateDialogAtIdPNamesTheFailedStep: Graph refuses the mint
// (Authorization_RequestDenied): the dialog names the step, the IdP's
// error and that the old secret still works.
func TestRotateDialogAtIdPNamesTheFailedStep(t *testing.T) {
	h, idp, mg, _ := lcHarness(t, idpadmin.Entra)
	mg.SetFault(idpadmin.Entra, testmgmt.OpMint, testmgmt.Fault{Deny: true})
	d := openRotateOf(h, "Billing")
	h.tap(d.s.button("Test and replace"))
	h.waitFor("the failure", func() bool { return strings.Contains(d.steps.Text, "✗") })
	for _, want := range []string{"✗ Creating a new secret at Entra failed", "Authorization_RequestDenied", "Left at the IdP: nothing was created"} {
		if !strings.Contains(d.steps.Text, want) {
			t.Errorf("outcome lacks %q:\n%s", want, d.steps.Text)
		}
	}
	if !accepted(t, idp, testidp.AppClientSecret) {
		t.Fatal("the old secret was lost")
	}
}

// TestRotateDialogWithoutManagement: without a management connection the
// choice is disabled and says why.
func TestRotateDialogWithoutManagement(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, appProfile("Plain", idp), testidp.AppClientSecret)
	t.Cleanup(func() { _ = repo.Secrets.Delete(p.ID, credentials.ClientSecret) })
	h := newHarness(t, repo, nil)
	d := openRotateOf(h, "Plain")
	if !d.idp.atIdP.Disabled() || !strings.Contains(d.idp.why.Text, "No management connection") || !d.secret.Visible() {
		t.Fatalf("disabled %v, why %q, secret entry shown %v", d.idp.atIdP.Disabled(), d.idp.why.Text, d.secret.Visible())
	}
}

// TestIdPSecretsViewAndBulk: the IdP secrets view lists the apps the
// connection sees, also one no profile uses; bulk Rotate at IdP gives one
// summary.
func TestIdPSecretsViewAndBulk(t *testing.T) {
	h, _, _, _ := lcHarness(t, idpadmin.Okta, testmgmt.WithApp(testmgmt.App{Kind: idpadmin.Okta, ClientID: testidp.AuditorClientID, Name: "Unused app"}))
	h.wb.nav.tree.Select(nodeIdPSecrets)
	v := h.wb.nav.idpSecrets
	if v.mgmt.Selected != "IdP admin" {
		t.Fatalf("the view chose %q, want the management profile", v.mgmt.Selected)
	}
	h.waitFor("the list", func() bool { return !v.loading && v.info.Text != "" && !strings.HasPrefix(v.info.Text, "Asking") })
	var apps []string
	for _, r := range v.rows.View() {
		apps = append(apps, v.rows.Cell(r, 0)+" / "+v.rows.Cell(r, 5))
	}
	all := strings.Join(apps, "; ")
	if !strings.Contains(all, "Unused app / none here") || !strings.Contains(all, "Billing app / Billing") {
		t.Fatalf("rows: %s (%s)", all, v.info.Text)
	}
	h.wb.nav.tree.Select(nodeCredentials)

	h.wb.marks.all()
	h.wb.screens.rotateAtIdPSelected()
	top := h.wb.dialogs.top()
	// Both are offered: IdP admin names an API, but has no token to manage
	// itself with, so its rotation fails and the summary says why.
	if top == nil || top.title != "Rotate 2 secrets at the IdP" {
		t.Fatalf("bulk dialog: %+v", top)
	}
	h.tap(top.button("Rotate"))
	h.waitFor("the summary", func() bool { return top.buttons["Cancel"].Text == "Close" })
	for _, want := range []string{"Rotated (1):", "✓ Billing", "Failed (1):", "✗ IdP admin: finding the app", "no management connection",
		"Pending revocation (1):", "• Billing: Old secret"} {
		if !strings.Contains(top.body.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, top.body.Text)
		}
	}
}

// openRotateOf selects the profile and opens its Rotate dialog as the toolbar does.
func openRotateOf(h *harness, name string) *rotateDialog {
	h.t.Helper()
	h.selectProfile(name)
	p := h.wb.m.Sel.Selected().P
	return openRotate(workbenchHost{h.wb}, p.ID, p.Name, p.SecretExpiresAt)
}

// accepted says whether the test IdP takes secret for the app client.
func accepted(t *testing.T, idp *testidp.IdP, secret string) bool {
	t.Helper()
	got, err := idp.ClientSecrets(testidp.AppClientID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if s == secret {
			return true
		}
	}
	return false
}
