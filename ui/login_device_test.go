package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// deviceScreen is what the device login dialog shows.
type deviceScreen struct {
	code      *canvas.Text
	uri       string
	countdown string
}

func (h *harness) deviceScreen() deviceScreen {
	var ds deviceScreen
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		return ds
	}
	walk(top, func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *canvas.Text:
			if v.TextSize == deviceCodeSize && v.Text != "" {
				ds.code = v
			}
		case *widget.Label:
			if strings.HasPrefix(v.Text, "http") {
				ds.uri = v.Text
			}
			if strings.HasPrefix(v.Text, "The code expires in") {
				ds.countdown = v.Text
			}
		}
	})
	return ds
}

// TestDeviceLoginDialog: the row menu's device login shows the verification
// URL and the user code in large type with copy buttons and a countdown;
// approving it on "another device" makes the profile Active; Cancel ends a
// second one without changing the profile.
func TestDeviceLoginDialog(t *testing.T) {
	requireKeyring(t)
	const otp = "161803"
	idp := testidp.Start(t, testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}))
	repo := newRepo(t, nil)
	// The profile requires MFA: the session shows what the login proved.
	saveProfile(t, repo, credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile offline_access", RolesClaim: "roles",
		MFA: credentials.MFAPolicy{Required: true}}, "")
	h := newHarness(t, repo, browserFunc(func(string) error {
		t.Error("a device login opened the browser")
		return nil
	}))
	h.selectProfile("Portal")
	var item *fyne.MenuItem
	for _, it := range rowMenu(h.wb.m, &h.wb.acts, h.wb.m.Sel.Selected()).Items {
		if it.Label == menuLoginDevice {
			item = it
		}
	}
	if item == nil || item.Disabled {
		t.Fatalf("the row menu offers no enabled %q", menuLoginDevice)
	}
	item.Action()
	var ds deviceScreen
	h.waitFor("the user code", func() bool { ds = h.deviceScreen(); return ds.code != nil && ds.countdown != "" })
	if !strings.HasPrefix(ds.uri, idp.Issuer+"/device") || len(ds.code.Text) != len("XXXX-XXXX") || !ds.code.TextStyle.Monospace {
		t.Fatalf("dialog shows URL %q, code %q", ds.uri, ds.code.Text)
	}
	h.tap(h.wb.dialogs.top().button("Copy code"))
	if got := h.app.Clipboard().Content(); got != ds.code.Text {
		t.Fatalf("clipboard %q after Copy code", got)
	}
	h.tap(h.wb.dialogs.top().button("Copy URL"))
	if got := h.app.Clipboard().Content(); got != ds.uri {
		t.Fatalf("clipboard %q after Copy URL", got)
	}
	approved := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		approved <- testidp.DeviceApprove(ctx, ds.uri, ds.code.Text, "carol", "secure", testidp.WithOTP(otp))
	}()
	h.waitFor("Active", func() bool { return h.statusOf("Portal") == "Active (carol)" })
	if err := <-approved; err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Secrets.Get(h.wb.m.Sel.Selected().P.ID, credentials.RefreshToken); err != nil {
		t.Fatalf("refresh token after the device login: %v", err)
	}
	h.waitFor("the Logged in message", func() bool { return h.wb.dialogs.top() != nil && h.wb.dialogs.top().title == "Logged in" })
	if msg := texts(h.win.Canvas().Overlays().Top()); !strings.Contains(msg, "MFA verified: pwd, otp") {
		t.Errorf("the Logged in message does not say what was verified:\n%s", msg)
	}
	h.key(fyne.KeyEscape)
	if got := texts(h.wb.details.fields); !strings.Contains(got, "required; MFA verified: pwd, otp") {
		t.Errorf("the details do not show the verified MFA:\n%s", got)
	}

	// Cancel: the dialog closes, the session stays as it was.
	h.wb.screens.loginDeviceSelected()
	h.waitFor("the second code", func() bool { ds = h.deviceScreen(); return ds.code != nil })
	h.tap(h.wb.dialogs.top().button("Cancel"))
	h.waitFor("the cancel", func() bool { return strings.Contains(h.wb.bar.text.Text, "login cancelled") })
	if st := h.statusOf("Portal"); st != "Active (carol)" {
		t.Errorf("status after a cancelled device login: %q", st)
	}
}
