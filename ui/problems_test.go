package ui

import (
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/internal/logfile"
)

// Warnings the log records and nothing else shows reach the window as a
// banner, those from before the window first; a profile's event does not
// (the table shows it), and a banner that asks for the user's action stays.
func TestLogProblemsShowInTheWindow(t *testing.T) {
	h := newHarness(t, newRepo(t, nil), nil)
	ps := NewProblems()
	log := slog.New(ps.Handler()).With("app", "credworkbench")
	log.Warn("cannot watch the configuration directory; checking it every second instead", "dir", "/x", "error", "too many watches")
	log.Warn("profile failed", "profile", "api", logfile.EventKey, "failed", "error", "unreachable")
	log.Info("profile tested", "profile", "api", logfile.EventKey, "tested")

	ps.ShowIn(h.wb)
	h.waitFor("the problem banner", func() bool { return h.wb.banner.showing() })
	if txt := h.wb.banner.text.Text; !strings.Contains(txt, "cannot watch the configuration directory") ||
		!strings.Contains(txt, "too many watches") || strings.Contains(txt, "unreachable") {
		t.Fatalf("banner = %q", txt)
	}
	log.Warn("cannot store the token for other processes", "profile", "api", "error", "keyring locked")
	h.waitFor("the second problem", func() bool { return strings.Contains(h.wb.banner.text.Text, "keyring locked") })
	if txt := h.wb.banner.text.Text; !strings.HasPrefix(txt, "2 problems") || !strings.Contains(txt, `(profile "api")`) {
		t.Fatalf("banner = %q", txt)
	}

	// "Show logs" opens the Logs view and puts the banner away.
	if h.wb.banner.fix.Text != "Show logs" {
		t.Fatalf("banner button %q", h.wb.banner.fix.Text)
	}
	test.Tap(h.wb.banner.fix)
	h.waitFor("the Logs view", func() bool { return h.wb.nav.view.Objects[0] == h.wb.nav.logs.root })
	if h.wb.banner.showing() {
		t.Fatal("the banner is still shown")
	}

	// A banner about the keyring is not replaced by a logged problem.
	h.wb.banner.show("The OS keyring is not available", "", nil)
	log.Warn("cannot store the token for other processes", "profile", "api", "error", "again")
	for range 5 {
		h.q.drain()
	}
	if txt := h.wb.banner.text.Text; txt != "The OS keyring is not available" {
		t.Fatalf("the keyring banner was replaced: %q", txt)
	}
}
