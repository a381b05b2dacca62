package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// dialogEntry is the workbench entry with this placeholder in the dialog on top.
func dialogEntry(t *testing.T, h *harness, placeholder string) *entry {
	t.Helper()
	var found *entry
	walk(h.wb.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*entry); ok && strings.HasPrefix(e.PlaceHolder, placeholder) {
			found = e
		}
	})
	if found == nil {
		t.Fatalf("no entry %q in the dialog", placeholder)
	}
	return found
}

// The Rotate dialog takes the new secret's expiry (#24.1): empty at first,
// rotating without a date when the old secret had one asks first, and the
// date given is the profile's afterwards; confirming "no date" clears it.
func TestRotateDialogTakesNewExpiry(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, "brand-new-secret"))
	repo := newRepo(t, nil)
	app := appProfile("Rotating", idp)
	app.SecretExpiresAt, _ = credentials.ParseExpiryDate("2026-12-31")
	p := saveProfile(t, repo, app, testidp.AppClientSecret)
	h := newHarness(t, repo, nil)
	h.selectProfile("Rotating")

	rotate := func(secret string) (*shownDialog, *entry) {
		h.tap(h.wb.toolbar["Rotate secret"])
		s := h.wb.dialogs.top()
		test.Type(s.input, secret)
		expires := dialogEntry(t, h, "New secret expires")
		if expires.Text != "" {
			t.Fatalf("the expiry field starts with %q, want it empty", expires.Text)
		}
		before, _ := repo.Secrets.Get(p.ID, credentials.ClientSecret)
		h.tap(s.button("Test and replace"))
		if !strings.Contains(s.body.Text, "2026-12-31") || !strings.Contains(s.body.Text, "press Test and replace again") {
			t.Fatalf("rotating without a date did not ask: %q", s.body.Text)
		}
		if v, _ := repo.Secrets.Get(p.ID, credentials.ClientSecret); v != before {
			t.Fatalf("the question rotated already")
		}
		return s, expires
	}

	s, expires := rotate("brand-new-secret")
	test.Type(expires, "2027-06-30")
	h.tap(s.button("Test and replace"))
	h.waitFor("the rotation", func() bool { return strings.Contains(s.body.Text, "replaced the old one") })
	want, _ := credentials.ParseExpiryDate("2027-06-30")
	if got, _ := repo.Get(p.ID); !got.SecretExpiresAt.Equal(want) {
		t.Fatalf("secret expires %v after the rotation, want %v", got.SecretExpiresAt, want)
	}
	h.wb.dialogs.closeTop()

	// Back to the old secret, confirming that it has no date.
	app, _ = repo.Get(p.ID)
	app.SecretExpiresAt, _ = credentials.ParseExpiryDate("2026-12-31")
	if _, err := repo.Save(app, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	h.wb.reload()
	s, _ = rotate(testidp.AppClientSecret)
	h.tap(s.button("Test and replace"))
	h.waitFor("the rotation without a date", func() bool { return strings.Contains(s.body.Text, "replaced the old one") })
	if got, _ := repo.Get(p.ID); !got.SecretExpiresAt.IsZero() {
		t.Fatalf("the confirmed rotation without a date kept %v", got.SecretExpiresAt)
	}
}
