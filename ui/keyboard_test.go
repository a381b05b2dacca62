package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
)

// Enter confirms the dialogs where that is safe: a message's OK, Rotate's
// "Test and replace" (the old secret stays unless the new one works); never
// Delete's confirmation.
func TestEnterConfirmsSafeDialogsOnly(t *testing.T) {
	h := layoutHarness(t)
	h.wb.dialogs.showMessage("Note", "Something happened.")
	h.key(fyne.KeyReturn)
	if h.wb.dialogs.top() != nil {
		t.Fatal("Enter should close a message (OK)")
	}

	h.selectProfile("A rather long profile name number 0")
	h.wb.screens.deleteSelected()
	if h.wb.dialogs.top() == nil {
		t.Fatal("Delete asks first")
	}
	h.key(fyne.KeyReturn)
	if h.wb.dialogs.top() == nil {
		t.Fatal("Enter must not confirm a deletion")
	}
	h.key(fyne.KeyEscape)
	if _, err := h.repo.Get("A rather long profile name number 0"); err != nil {
		t.Fatalf("the profile is gone: %v", err)
	}

	// Rotate (a profile with a secret): Enter runs Test and replace, which
	// first asks for the secret.
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, credentials.Profile{Name: "Batch", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token",
		ClientID: "batch", Bookkeeping: credentials.Bookkeeping{HasSecret: true}})
	h = newHarness(t, repo, nil)
	h.selectProfile("Batch")
	h.wb.screens.rotateSelected()
	if h.wb.dialogs.top() == nil {
		t.Fatal("Rotate secret did not open")
	}
	h.key(fyne.KeyReturn)
	shown := texts(h.win.Canvas().Overlays().Top())
	if h.wb.dialogs.top() == nil || !strings.Contains(shown, "Enter the new secret first") {
		t.Errorf("Enter in Rotate should run Test and replace (asking for the secret): %q", shown)
	}
	h.key(fyne.KeyEscape)
}
