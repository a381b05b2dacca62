package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// The table's "Secret expires" column: the days left in the warning colour
// from 30 days, urgent from 7 and when expired, sortable by date; the Edit
// form keeps and changes the date.
func TestSecretExpiryColumnAndForm(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	app := func(name string, exp time.Time) credentials.Profile {
		return credentials.Profile{Name: name, Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token",
			ClientID: name, SecretExpiresAt: exp, Bookkeeping: credentials.Bookkeeping{HasSecret: true}}
	}
	day := func(n int) time.Time { return now.AddDate(0, 0, n) }
	seedNoSecrets(t, repo, app("far", day(90)), app("month", day(20)), app("week", day(3)),
		app("gone", day(-2)), app("unknown", time.Time{}))
	h := newHarness(t, repo, nil)
	h.wb.now = func() time.Time { return now }
	h.wb.reload()

	for name, want := range map[string]struct {
		text string
		imp  widget.Importance
	}{
		"far":     {"in 90 days", widget.MediumImportance},
		"month":   {"in 20 days", widget.WarningImportance},
		"week":    {"in 3 days", widget.DangerImportance},
		"gone":    {"expired 2026-05-30", widget.DangerImportance},
		"unknown": {"", widget.MediumImportance},
	} {
		c := h.cell(h.rowOf(name), colSecretExpires)
		if c == nil || c.label.Text != want.text || c.label.Importance != want.imp {
			t.Errorf("%s: cell %+v, want %q/%v", name, c, want.text, want.imp)
		}
	}
	h.wb.tbl.sortBy(colSecretExpires)
	got := h.columnTexts(colName)
	want := []string{"unknown", "gone", "week", "month", "far"}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Fatalf("sorted by secret expiry: %v, want %v", got, want)
		}
	}

	// Edit: a bad date is refused inline; a new one is saved.
	h.selectProfile("far")
	h.wb.screens.editSelected()
	f := h.wb.screens.form
	if f == nil || f.secretExpires.Text != day(90).Format("2006-01-02") {
		t.Fatalf("form shows %q", f.secretExpires.Text)
	}
	f.secretExpires.SetText("next year")
	if !f.save.Disabled() || f.message(fieldSecretExpires) == "" {
		t.Fatal("a bad date was accepted")
	}
	f.secretExpires.SetText("2026-06-10")
	if f.save.Disabled() {
		t.Fatalf("Save disabled: %q", f.problems.Text)
	}
	h.tap(f.save)
	h.waitFor("the save", func() bool {
		p, err := repo.Get("far")
		return err == nil && p.SecretExpiresAt.Format("2006-01-02") == "2026-06-10"
	})
}
