package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// The window's side of the IdP secret lifecycle (#26), in bin/credworkbench
// at 800×600 against the management API harness (mgmtWorld,
// secrets_rotate_test.go).

// rightClickText right-clicks the first place the window shows text.
func (w *Window) rightClickText(text string) {
	w.t.Helper()
	var found []Box
	w.waitScreen("\""+text+"\" to right-click", uiWait, func(s Screen) bool {
		found = s.FindAll(text)
		return len(found) > 0
	})
	w.rightClick(found[0])
}

// rightClick right-clicks the middle of b.
func (w *Window) rightClick(b Box) {
	w.t.Helper()
	x, y := b.Center()
	w.focus()
	w.xdo("mousemove", "--window", w.ID, strconv.Itoa(x), strconv.Itoa(y))
	time.Sleep(100 * time.Millisecond)
	w.xdo("click", "3")
	time.Sleep(300 * time.Millisecond)
}

// noSecretShown fails when a screen shows any of the secrets (the old and
// new client secrets: never on screen, not even in part).
func noSecretShown(t *testing.T, s Screen, secrets ...string) {
	t.Helper()
	text := strings.ReplaceAll(s.Text(), " ", "")
	for _, sec := range secrets {
		if len(sec) >= 8 && strings.Contains(text, sec[:8]) {
			t.Fatalf("the window shows a secret (screenshot %s)", s.Path)
		}
	}
}

// TestGUISecretsRotateAtIdP: the Rotate dialog creates the new secret at
// Entra. The first try is refused (Graph Authorization_RequestDenied): the
// dialog names the failed step and that the old secret still works; the
// second succeeds with the revocation after the grace period, ticking off
// each step. The details show the pending revocation; Revoke now carries
// it out and the IdP refuses the old secret. A rotation by credctl in
// another process shows its pending step in the window without a click.
func TestGUISecretsRotateAtIdP(t *testing.T) {
	mw := newMgmtWorld(t, idpadmin.Entra)
	h := mw.h
	mw.mg.SetFault(idpadmin.Entra, testmgmt.OpMint, testmgmt.Fault{Deny: true, Count: 1})
	w := h.StartWorkbench()
	w.Resize(800, 600)
	w.ClickText("billing", uiWait)
	w.rightClickText("billing")
	w.ClickText("Rotate secret", uiWait)
	s := w.WaitText("Create the new secret at the IdP", uiWait)
	top, bottom := dialogSpan(t, s, "Rotate secret of billing", "Cancel")
	requireLabels(t, s, top, bottom, "Revoke the old secret", "Now", "After", "Never")

	w.Key("Return") // Rotate at the IdP: refused
	s = w.WaitText("Creating a new secret at Entra failed", uiWait)
	for _, want := range []string{"Authorization_RequestDenied", "Left at the IdP"} {
		if !s.Contains(want) {
			t.Errorf("the failure does not say %q (screenshot %s):\n%s", want, s.Path, s.Text())
		}
	}
	shot := w.Screenshot()
	t.Logf("the Rotate dialog's failure at 800×600: %s", shot)
	if secrets := mw.secrets(t); len(secrets) != 1 || secrets[0] != testidp.AppClientSecret {
		t.Fatalf("after the refused mint the IdP accepts %d secrets", len(secrets))
	}

	w.Key("Return") // again: the fault was for one request
	s = w.WaitText("The profile uses the new secret now", uiWait)
	if !s.Contains("will be revoked at Entra on") {
		t.Errorf("the outcome does not name the pending revocation (screenshot %s):\n%s", s.Path, s.Text())
	}
	secrets := mw.secrets(t)
	if len(secrets) != 2 {
		t.Fatalf("during the grace period the IdP accepts %d secrets, want the old and the new", len(secrets))
	}
	all := append([]string{testidp.AppClientSecret}, secrets...)
	noSecretShown(t, s, all...)

	w.Key("Escape")
	s = w.WaitText("will be revoked at Entra", uiWait) // the details
	noSecretShown(t, s, all...)
	w.ClickText("evoke now", uiWait) // the blue button reads "“evoke now"
	// The confirmation; its red button does not read: it is right of Cancel.
	s = w.WaitText("anything still using it stops working", uiWait)
	title := s.FindAll("Revoke the old secret now?")
	var c *Box
	for _, b := range s.FindAll("Cancel") { // the dialog's: the first below its title
		if len(title) > 0 && b.Y > title[0].Y && (c == nil || b.Y < c.Y) {
			c = &b
		}
	}
	if c == nil {
		t.Fatalf("no Cancel in the confirmation (screenshot %s):\n%s", s.Path, s.Text())
	}
	w.Click(c.X+c.Width+80, c.Y+c.Height/2)
	s = w.WaitText("old secret revoked at Entra", uiWait)
	noSecretShown(t, s, all...)
	if got := mw.secrets(t); len(got) != 1 || got[0] == testidp.AppClientSecret {
		t.Fatalf("after Revoke now the IdP accepts %d secrets (the old one: %v)", len(got), len(got) > 0 && got[0] == testidp.AppClientSecret)
	}
	if p := mw.pending(t, "billing"); len(p) != 0 {
		t.Fatalf("still pending in the profile file: %v", p)
	}

	// credctl in another process: the window follows.
	w.WaitGone("will be revoked at Entra", uiWait)
	h.MustCredctl("rotate-secret", "billing", "--at-idp", "--revoke-old-after", "3d")
	s = w.WaitText("will be revoked at Entra", uiWait)
	noSecretShown(t, s, append(all, mw.secrets(t)...)...)
}

// TestGUISecretsIdPViewAndBulk: the IdP secrets view lists what the
// management profile sees at Okta — also an app no profile uses — and bulk
// "Rotate at IdP…" on two selected profiles ends in one summary: the
// managed one rotated with its old secret pending revocation, the other
// failed with the reason.
func TestGUISecretsIdPViewAndBulk(t *testing.T) {
	mw := newMgmtWorld(t, idpadmin.Okta,
		testmgmt.WithApp(testmgmt.App{Kind: idpadmin.Okta, ClientID: testidp.AuditorClientID, Name: "Unused app"}))
	h := mw.h
	h.MustCredctl("edit", "manager", "--management-api", "okta", "--management-url", mw.mg.BaseURL(idpadmin.Okta))
	w := h.StartWorkbench()
	w.Resize(800, 600)

	w.ClickText("IdP secrets", uiWait)
	s := w.WaitText("Unused app", uiWait)
	for _, want := range []string{"none here", "Billing", "Expires within"} {
		if !s.Contains(want) {
			t.Errorf("the IdP secrets view does not show %q (screenshot %s):\n%s", want, s.Path, s.Text())
		}
	}
	noSecretShown(t, s, testidp.AppClientSecret, testidp.AuditorClientSecret, testidp.ManagerClientSecret)

	w.ClickText("Credentials", uiWait)
	// The row is found before the selection highlights it (highlighted
	// rows read poorly), then right-clicked inside the selection.
	s = w.WaitText("billing", uiWait)
	row := s.FindAll("billing")[0]
	w.Click(row.Center())
	w.Key("ctrl+a")
	w.rightClick(row)
	w.ClickText("Rotate 2 at IdP", uiWait)
	w.WaitText("Rotate 2 secrets at the IdP", uiWait)
	w.Key("Return")
	s = w.WaitText("Pending revocation", uiWait)
	for _, want := range []string{"Rotated (1)", "billing", "Failed (1)", "manager", "no management connection"} {
		if !s.Contains(want) {
			t.Errorf("the summary does not show %q (screenshot %s):\n%s", want, s.Path, s.Text())
		}
	}
	secrets := mw.secrets(t)
	if len(secrets) != 2 {
		t.Fatalf("after the bulk rotation (old pending) the IdP accepts %d secrets", len(secrets))
	}
	noSecretShown(t, s, append(secrets, testidp.ManagerClientSecret)...)
}
