package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// lateRecorder is a tray that records being started while the app runs.
type lateRecorder struct {
	trayRecorder
	late int
}

func (r *lateRecorder) startLate() { r.late++ }

// Without a panel that shows tray icons the tray is not set up at all
// (fyne would start it, and a hidden GL window with it, at the first
// call); when a host appears later it is, once, with the window, the icon
// and the menu, and closing the window still asks rather than hides.
func TestTrayStartsOnlyWithAHost(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	desk := &fakeDesktop{}
	tray := &lateRecorder{}
	a := NewAgent(h.wb, AgentOptions{Tray: tray, Icon: fyne.NewStaticResource("icon.png", []byte("not a png")),
		Notifier: &recNotifier{}, Clock: newManualClock(), StartAtLogin: &recStartAtLogin{}, Desktop: desk})
	quits := 0
	a.quit = func() { quits++ }
	a.Start()
	h.q.drain()
	if tray.window != nil || tray.menu != nil || tray.icon != nil || tray.late != 0 {
		t.Fatalf("no tray host, yet the tray was set up: window %v, menu %v, icon %v, late %d", tray.window != nil, tray.menu != nil, tray.icon != nil, tray.late)
	}
	if a.tray.menu == nil {
		t.Fatal("the tray menu is still built (the window's Settings share its items)")
	}

	desk.set(true, false) // a panel starts
	h.q.drain()
	if tray.window != h.win || tray.menu == nil || tray.icon == nil || tray.late != 1 {
		t.Fatalf("a host appeared: window %v, menu %v, icon %v, started late %d times", tray.window == h.win, tray.menu != nil, tray.icon != nil, tray.late)
	}
	if findItem(tray.menu, trayOpen) == nil {
		t.Errorf("tray menu %q", labels(tray.menu))
	}
	a.onClose()
	if h.wb.dialogs.top() == nil || quits != 0 {
		t.Fatalf("the first close with a tray host asks (the close intercept is the agent's): %d quits", quits)
	}

	desk.set(false, false) // the panel goes: the tray stays up, unseen
	desk.set(true, false)  // and comes back: nothing to start again
	h.q.drain()
	if tray.late != 1 {
		t.Errorf("the tray was started %d times", tray.late)
	}
}

// With a host at the start the tray is set up in Start, before the app's
// loop runs (fyne puts it on the bus then), not started late.
func TestTrayWithAHostAtStart(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	h := newHarnessOps(t, repo, oauthflow.NewService(repo, nil, nil))
	tray := &lateRecorder{}
	a := NewAgent(h.wb, AgentOptions{Tray: tray, Notifier: &recNotifier{}, Clock: newManualClock(),
		StartAtLogin: &recStartAtLogin{}, Desktop: &fakeDesktop{tray: true}})
	a.Start()
	if tray.window != h.win || tray.menu == nil || tray.late != 0 {
		t.Fatalf("window %v, menu %v, started late %d times", tray.window == h.win, tray.menu != nil, tray.late)
	}
}
