package e2e

import (
	"path/filepath"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestREADMEScreenshots writes the README's docs/screenshot-main.png,
// -add.png and -login.png from the real window against the test IdP; only
// with -update-screenshots (docs/screenshot-tray.png needs a panel that
// draws the menu, which Xvfb has not: it is left as it is).
func TestREADMEScreenshots(t *testing.T) {
	if !*updateScreenshots {
		t.Skip("run with -update-screenshots to rewrite docs/screenshot-*.png")
	}
	h := New(t)
	// The login screenshot waits for a browser that never signs in.
	h.Env = append(h.Env, "BROWSER=true")
	h.AddApp(nil, "Billing API")
	h.AddApp(nil, "CI deploy bot")
	h.AddUser(nil, "Customer portal")
	h.MustCredctlIn("not-the-secret\n", "add", "--name", "Legacy reports", "--type", "application", "--token-url", h.IdP.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", "api:read", "--no-test")
	h.MustCredctlIn("s3cret\n", "add", "--name", "Partner sandbox", "--type", "application", "--token-url", "http://127.0.0.1:1/token",
		"--client-id", "sbx-7781", "--client-secret-stdin", "--no-test")
	h.AddUser(nil, "Staff login")
	if r := h.DeviceLogin("Customer portal", testidp.Username, testidp.Password); r.Code != 0 {
		t.Fatalf("device login: %s", r)
	}

	w := h.StartWorkbench()
	w.Resize(1280, 800)
	w.WaitText("Failed: Credentials", uiWait)
	w.WaitText("Failed: Network", uiWait)
	w.WaitText("Active (alice)", uiWait)
	w.ClickText("Legacy reports", uiWait)
	w.WaitText("What to check", uiWait)
	keep := func(name string) {
		t.Helper()
		if err := copyFile(w.Screenshot(), filepath.Join(repoRoot, "docs", name)); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote docs/%s", name)
	}
	keep("screenshot-main.png")

	w.Key("ctrl+n")
	w.WaitText("Add profile", uiWait)
	keep("screenshot-add.png")
	w.Key("Escape")
	w.WaitGone("Add profile", uiWait)

	w.ClickText("Staff login", uiWait)
	w.Key("ctrl+l")
	w.WaitText("Copy login URL", uiWait)
	keep("screenshot-login.png")
	w.Key("Escape")
}
