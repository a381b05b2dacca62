package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// fakeDesktop is a desktop whose tray host and notification daemon the
// test switches on and off.
type fakeDesktop struct {
	mu          sync.Mutex
	tray, notes bool
	onChange    func()
}

func (d *fakeDesktop) TrayHost() bool      { d.mu.Lock(); defer d.mu.Unlock(); return d.tray }
func (d *fakeDesktop) Notifications() bool { d.mu.Lock(); defer d.mu.Unlock(); return d.notes }
func (d *fakeDesktop) OnChange(fn func())  { d.mu.Lock(); defer d.mu.Unlock(); d.onChange = fn }

func (d *fakeDesktop) set(tray, notes bool) {
	d.mu.Lock()
	d.tray, d.notes = tray, notes
	fn := d.onChange
	d.mu.Unlock()
	fn()
}

// windowMenu finds a menu of the window's menu bar by its label.
func windowMenu(t *testing.T, win fyne.Window, label string) *fyne.Menu {
	t.Helper()
	mm := win.MainMenu()
	if mm == nil {
		t.Fatal("the window has no menu bar")
	}
	for _, m := range mm.Items {
		if m.Label == label {
			return m
		}
	}
	t.Fatalf("no %q in the window's menu bar", label)
	return nil
}

// TestNoTrayHostWindowMenuQuitsOnCloseAndShowsNotices: on a desktop with
// a session bus but no StatusNotifier host and no notification daemon, the
// window's own menu has Quit and Settings (without "Keep running"),
// closing the window quits without asking, and an expiry warning shows in
// the window. When a host appears, keeping running is offered again.
func TestNoTrayHostWindowMenuQuitsOnCloseAndShowsNotices(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	desk := &fakeDesktop{}
	ah := newAgentHarnessOn(h, nil, desk)
	if ah.agent.HasTray() {
		t.Fatal("no tray host, yet HasTray")
	}

	file := windowMenu(t, h.win, menuFile)
	quit := findItem(file, trayQuit)
	if quit == nil || !quit.IsQuit || file.Items[len(file.Items)-1] != quit {
		t.Fatalf("File menu %q: Quit is its last item", labels(file))
	}
	settings := windowMenu(t, h.win, traySettings)
	got := strings.Join(labels(settings), "|")
	for _, want := range []string{noTrayNote, noTrayAtLogin, "Notify: renewal failures", "Notify: secret and certificate expiry"} {
		if !strings.Contains(got, want) {
			t.Errorf("Settings %q lacks %q", got, want)
		}
	}
	if findItem(settings, trayKeep) != nil || findItem(ah.agent.tray.menu.Items[len(ah.agent.tray.menu.Items)-3].ChildMenu, trayKeep) != nil {
		t.Errorf("keeping running in the background is offered without a tray host: %q", got)
	}

	// Start at login from the window's menu.
	ah.tapItem(t, findItem(settings, noTrayAtLogin))
	if len(ah.atLog.calls) != 1 || !findItem(windowMenu(t, h.win, traySettings), noTrayAtLogin).Checked {
		t.Fatalf("Start at login from the window menu: calls %v", ah.atLog.calls)
	}

	// Closing the window quits, without the question.
	ah.agent.onClose()
	if h.wb.dialogs.top() != nil || ah.quits != 1 {
		t.Fatalf("close without a tray host: dialog %v, %d quits", h.wb.dialogs.top() != nil, ah.quits)
	}
	quit.Action()
	if ah.quits != 2 {
		t.Fatal("File › Quit does not quit")
	}

	// No notification daemon: the expiry warning shows in the window.
	p := credentials.Profile{Name: "billing", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token",
		ClientID: "billing", SecretExpiresAt: ah.clock.Now().Add(10*24*time.Hour + time.Hour)}
	if _, err := h.wb.ops.Save(p, credentials.SecretChange{ClientSecret: credentials.Secret("s3cret")}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the warning in the window", func() bool {
		ah.settle(noteGroupDelay)
		return ah.agent.notices.root.Visible()
	})
	if text := ah.agent.notices.text.Text; !strings.Contains(text, "billing: the client secret expires in 10 days") {
		t.Errorf("notice bar %q", text)
	}
	if n := ah.notes.all(); len(n) != 0 {
		t.Errorf("notes sent to a daemon that is not there: %+v", n)
	}
	var inWindow bool
	walk(h.win.Content(), func(o fyne.CanvasObject) { inWindow = inWindow || o == ah.agent.notices.text })
	if !inWindow {
		t.Error("the notice bar is not in the window")
	}

	// A panel with a tray host and a notification daemon start.
	desk.set(true, true)
	h.q.drain()
	if findItem(windowMenu(t, h.win, traySettings), trayKeep) == nil {
		t.Fatal("with a tray host, Settings offers keeping running")
	}
	ah.agent.onClose()
	if h.wb.dialogs.top() == nil || h.wb.dialogs.top().title != "Keep running in the background?" || ah.quits != 2 {
		t.Fatalf("with a tray host the first close asks: %d quits", ah.quits)
	}
}

// TestTrayHostWindowMenuKeepsRunning: with a tray host the window's menu
// has Quit and Settings as well, and "Keep running" from it is the same
// preference the close follows.
func TestTrayHostWindowMenuKeepsRunning(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	ah := newAgentHarnessOn(h, nil, &fakeDesktop{tray: true, notes: true})
	if findItem(windowMenu(t, h.win, menuFile), trayQuit) == nil {
		t.Fatal("no Quit in the window's menu")
	}
	keep := findItem(windowMenu(t, h.win, traySettings), trayKeep)
	if keep == nil || !keep.Checked {
		t.Fatal("Settings › Keep running, on by default")
	}
	ah.agent.onClose()
	h.key(fyne.KeyEscape) // the question's default: keep running
	if ah.quits != 0 || h.wb.win.Content() == nil {
		t.Fatalf("closing with a tray host quit (%d)", ah.quits)
	}
	ah.tapItem(t, findItem(windowMenu(t, h.win, traySettings), trayKeep))
	if findItem(windowMenu(t, h.win, traySettings), trayKeep).Checked || ah.tray.item(t, trayKeep, traySettings).Checked {
		t.Fatal("the check marks of the window and the tray follow the preference")
	}
	ah.agent.onClose()
	if ah.quits != 1 {
		t.Fatalf("keep running off: %d quits", ah.quits)
	}
}
