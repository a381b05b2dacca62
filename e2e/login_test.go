package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestBrowserLoginLogout: `credctl login` opens the browser ($BROWSER,
// headless Chromium here) and alice signs in; the running window shows
// her; `credctl logout` turns the row Logged out; Login in the window
// (Ctrl+L) goes through the browser again and the window shows her again.
func TestBrowserLoginLogout(t *testing.T) {
	h := New(t)
	browser := h.LoginBrowser(testidp.Username, testidp.Password)
	h.AddUser(nil, "Portal login")
	w := h.StartWorkbench()
	w.Resize(1280, 800)
	// The details pane of the selected row says who is logged in (the
	// table's Status column does not show the user of a login another
	// process made, and a selected row's highlight garbles its OCR).
	w.ClickText("Portal login", uiWait)
	w.WaitText("Status:", uiWait) // the details of the selected row

	p := h.StartCredctl("", "login", "Portal login", "--timeout", "60s")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatalf("the browser: %v", err)
	}
	r := p.Wait()
	if r.Code != 0 || !strings.Contains(r.Stdout, "Logged in as alice") {
		t.Fatalf("credctl login: %s", r)
	}
	w.WaitText("Username alice", uiWait)

	h.MustCredctl("logout", "Portal login")
	w.WaitText("Status: Logged out", uiWait)

	w.Key("ctrl+l")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatalf("the browser for the window's Login: %v", err)
	}
	w.WaitText("Status: Active", uiWait)
	w.WaitText("Username alice", uiWait)
	if out := h.MustCredctl("show", "Portal login").Stdout; !strings.Contains(out, "alice") {
		t.Fatalf("credctl show after the window's login:\n%s", out)
	}
}

// TestDeviceLogin: `credctl login --device` shows an address and a code;
// entered on "another device" (the harness) as alice, credctl reports the
// login and the running window shows her.
func TestDeviceLogin(t *testing.T) {
	h := New(t)
	h.AddUser(nil, "Portal login")
	w := h.StartWorkbench()
	w.Resize(1280, 800)
	w.ClickText("Portal login", uiWait) // the details pane shows the user
	w.WaitText("Status:", uiWait)       // the details of the selected row

	r := h.DeviceLogin("Portal login", testidp.Username, testidp.Password)
	if r.Code != 0 || !strings.Contains(r.Stdout, "Logged in as alice") {
		t.Fatalf("credctl login --device: %s", r)
	}
	w.WaitText("Username alice", uiWait)
}
