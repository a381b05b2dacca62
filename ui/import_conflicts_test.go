package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// An import that names profiles already here asks per entry: replace the
// settings (the profile keeps its ID and secret), import under another
// name, or skip; new entries are added as before.
func TestImportAsksAboutExistingNames(t *testing.T) {
	repo := newRepo(t, nil)
	app := func(name, client string) credentials.Profile {
		return credentials.Profile{Name: name, Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: client}
	}
	withSecret := app("Alpha", "alpha-old")
	withSecret.HasSecret = true
	seedNoSecrets(t, repo, withSecret, app("Beta", "beta-old"), app("Gamma", "gamma-old"))
	alpha, _ := repo.Get("Alpha")
	if err := repo.Secrets.Set(alpha.ID, credentials.ClientSecret, "alpha-secret"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = repo.Secrets.Delete(alpha.ID, credentials.ClientSecret) })
	h := newHarness(t, repo, nil)
	data, err := credentials.ExportAll([]credentials.Profile{app("Alpha", "alpha-new"), app("beta", "beta-new"),
		app("Gamma", "gamma-new"), app("Delta", "delta")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := h.wb.screens.previewImport("fleet.json", data)
	if s == nil || h.wb.dialogs.top() != s {
		t.Fatal("no preview")
	}
	top := h.win.Canvas().Overlays().Top()
	if shown := texts(top); !strings.Contains(shown, "Already here (3)") || !strings.Contains(shown, "Delta") {
		t.Fatalf("preview:\n%s", shown)
	}
	// The selects, by the entry they ask about (their "Import as" choice).
	selects := map[string]*widget.Select{}
	walk(top, func(o fyne.CanvasObject) {
		if sel, ok := o.(*widget.Select); ok && len(sel.Options) == 3 && sel.PlaceHolder != "Choose for all…" {
			if sel.Selected != conflictSkip {
				t.Errorf("%q should default to Skip, not %q", sel.Options[2], sel.Selected)
			}
			selects[sel.Options[2]] = sel
		}
	})
	if len(selects) != 3 || selects["Import as Beta 2"] == nil && selects["Import as beta 2"] == nil {
		t.Fatalf("selects: %v", selects)
	}
	selects["Import as Alpha 2"].SetSelected(conflictReplace)
	for k, sel := range selects {
		if strings.HasPrefix(strings.ToLower(k), "import as beta") {
			sel.SetSelected(k)
		}
	}
	h.tap(s.button("Import"))
	if h.wb.dialogs.top() != nil {
		t.Errorf("after Import: %s", texts(h.win.Canvas().Overlays().Top()))
	}

	get := func(name string) credentials.Profile {
		t.Helper()
		p, err := repo.Get(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return p
	}
	if p := get("Alpha"); p.ID != alpha.ID || p.ClientID != "alpha-new" || !p.HasSecret {
		t.Errorf("Alpha replaced: ID %s (was %s), client %s, has secret %v", p.ID, alpha.ID, p.ClientID, p.HasSecret)
	}
	if v, err := repo.Secrets.Get(alpha.ID, credentials.ClientSecret); err != nil || v != "alpha-secret" {
		t.Errorf("the replaced profile's secret: %q, %v", v, err)
	}
	if p := get("Beta"); p.ClientID != "beta-old" {
		t.Errorf("Beta changed: %s", p.ClientID)
	}
	if p := get("beta 2"); p.ClientID != "beta-new" {
		t.Errorf("renamed import: %s", p.ClientID)
	}
	if p := get("Gamma"); p.ClientID != "gamma-old" {
		t.Errorf("Gamma (skipped) changed: %s", p.ClientID)
	}
	get("Delta")
	if ps, _ := repo.List(); len(ps) != 5 {
		t.Errorf("%d profiles, want 5", len(ps))
	}
	if st := h.wb.bar.text.Text; !strings.Contains(st, "replaced the settings of 1") || !strings.Contains(st, "skipped 1 already here") {
		t.Errorf("status: %q", st)
	}
}

// Client registrations: the issuer is asked once, and Discover checks it
// against the real IdP and says which token endpoint the profiles use.
func TestImportRegistrationsDiscoverIssuer(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	h := newHarness(t, newRepo(t, nil), nil)
	regs := []byte(`[{"clientId":"reports","authorizedGrantTypes":["client_credentials"],"scope":"read"}]`)
	s := h.wb.screens.previewImport("registrations.json", regs)
	test.Type(findEntry(t, h, "https://login.example.com/realms/main"), idp.Issuer)
	var discover *widget.Button
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Discover" {
			discover = b
		}
	})
	h.tap(discover)
	want := "Found the token endpoint " + idp.TokenURL
	h.waitFor("discovery", func() bool { return strings.Contains(texts(h.win.Canvas().Overlays().Top()), want) })
	if s.button("Import").Disabled() || !strings.Contains(s.body.Text, "✓ reports") {
		t.Fatalf("with the issuer the entry should be importable: %q", s.body.Text)
	}
}
