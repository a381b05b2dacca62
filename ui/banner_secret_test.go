package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

func expiringApp(name string, in time.Duration) credentials.Profile {
	p := credentials.Profile{Name: name, Type: credentials.TypeApplication,
		TokenURL: "https://idp.example.com/oauth2/v1/token", ClientID: "c-" + name, SecretExpiresAt: time.Now().Add(in).UTC()}
	p.HasSecret = true
	return p
}

// Secret expiry (#24.20): a banner names the secret due within 30 days and
// "Rotate now" opens its Rotate dialog (a list when several are due); the
// "Secret expiring" filter shows them; the column stays in an 800 px window.
func TestSecretExpiryBannerFilterAndNarrowColumn(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, expiringApp("Billing", 12*24*time.Hour+time.Hour), expiringApp("Later", 90*24*time.Hour))
	h := newHarness(t, repo, nil)
	b := h.wb.screens.secrets
	if !b.box.Visible() || !strings.Contains(b.text.Text, `"Billing" expires in 12 days`) {
		t.Fatalf("banner shown %v: %q", b.box.Visible(), b.text.Text)
	}
	h.tap(b.rotate)
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Rotate secret of Billing" {
		t.Fatalf("Rotate now opened %v", h.wb.dialogs.top())
	}
	h.wb.dialogs.closeTop()

	// Two due: the list, each with its Rotate button.
	seedNoSecrets(t, repo, expiringApp("Payroll", 3*24*time.Hour))
	h.wb.reload()
	if !strings.HasPrefix(b.text.Text, "2 client secrets or certificates expire within 30 days") || !strings.Contains(b.text.Text, `"Payroll"`) {
		t.Fatalf("banner %q", b.text.Text)
	}
	h.tap(b.rotate)
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Secrets and certificates to renew" {
		t.Fatalf("Rotate now with two due opened %v", h.wb.dialogs.top())
	}
	var rotatePayroll *widget.Button
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok && len(c.Objects) == 2 {
			l, lok := c.Objects[0].(*widget.Label)
			btn, bok := c.Objects[1].(*widget.Button)
			if lok && bok && strings.HasPrefix(l.Text, "Payroll") {
				rotatePayroll = btn
			}
		}
	})
	if rotatePayroll == nil {
		t.Fatal("no Rotate button for Payroll in the list")
	}
	h.tap(rotatePayroll)
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Rotate secret of Payroll" {
		t.Fatalf("the list's Rotate opened %v", h.wb.dialogs.top())
	}
	h.wb.dialogs.closeTop()

	h.wb.statusFilter.SetSelected(statusSecretExpiring)
	var names []string
	for _, r := range h.wb.m.View() {
		names = append(names, r.P.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Billing", "Payroll"}) {
		t.Errorf("Secret expiring shows %v", names)
	}
	h.wb.statusFilter.SetSelected(statusAll)

	h.win.Resize(fyne.NewSize(800, 600))
	h.wb.tbl.applyColumnWidths()
	if !slices.Contains(h.wb.tbl.shownCols, colSecretExpires) {
		t.Errorf("an 800 px window hides Secret expires while a secret is due: %v", h.wb.tbl.shownCols)
	}
}
