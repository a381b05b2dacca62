package ui

import (
	"errors"
	"regexp"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
)

// TestFormDPoP: the DPoP box turns DPoP on (the service makes the key in
// the keyring, the details pane shows its thumbprint) and off again (the
// key goes).
func TestFormDPoP(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, credentials.Profile{Name: "Orders", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "orders"})
	h := newHarness(t, repo, nil)

	edit := func(on bool) credentials.Profile {
		t.Helper()
		h.selectProfile("Orders")
		h.wb.screens.editSelected()
		f := h.wb.screens.form
		if f.dpop.Checked == on {
			t.Fatalf("the DPoP box is %t before the change", on)
		}
		test.Tap(f.dpop)
		if on {
			f.secret.SetText("orders-secret") // the seeded profile has none
		}
		h.tap(f.save)
		h.waitFor("the save", func() bool { return h.wb.screens.form == nil })
		p, err := repo.Get("Orders")
		if err != nil || p.DPoP != on {
			t.Fatalf("saved DPoP %t (%v), want %t", p.DPoP, err, on)
		}
		return p
	}
	p := edit(true)
	t.Cleanup(func() {
		_ = repo.Secrets.Delete(p.ID, credentials.DPoPKey)
		_ = repo.Secrets.Delete(p.ID, credentials.ClientSecret)
	})
	if _, err := repo.Secrets.Get(p.ID, credentials.DPoPKey); err != nil {
		t.Fatalf("no DPoP key in the keyring: %v", err)
	}
	h.selectProfile("Orders")
	h.wb.details.show(h.wb.m.Sel.Selected())
	if got := texts(h.wb.details.fields); !regexp.MustCompile(`on, key thumbprint [A-Za-z0-9_-]{43}`).MatchString(got) {
		t.Errorf("the details show no DPoP thumbprint:\n%s", got)
	}
	edit(false)
	if _, err := repo.Secrets.Get(p.ID, credentials.DPoPKey); !errors.Is(err, credentials.ErrSecretNotFound) {
		t.Errorf("the DPoP key outlived DPoP: %v", err)
	}
}
