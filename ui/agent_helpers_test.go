package ui

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/assets"
)

// manualClock is the agent's clock moved forward by the test: timers fire
// in advance, on the test goroutine.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

type manualTimer struct {
	at            time.Time
	f             func()
	stopped, done bool
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		pending := !t.stopped && !t.done
		t.stopped = true
		return pending
	}
}

// advance moves the clock and runs the timers that are due, in order.
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*manualTimer
	for _, t := range c.timers {
		if !t.stopped && !t.done && !t.at.After(c.now) {
			t.done = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
}

// trayRecorder is the app's system tray as the agent sees it (fyne's test
// app has none): it keeps the menu and icon last set.
type trayRecorder struct {
	menu   *fyne.Menu
	icon   fyne.Resource
	window fyne.Window
	sets   int
}

func (r *trayRecorder) SetSystemTrayMenu(m *fyne.Menu)    { r.menu = m; r.sets++ }
func (r *trayRecorder) SetSystemTrayIcon(i fyne.Resource) { r.icon = i }
func (r *trayRecorder) SetSystemTrayWindow(w fyne.Window) { r.window = w }

// item finds a menu item by the start of its label ("" if none).
func (r *trayRecorder) item(t *testing.T, labelPrefix string, path ...string) *fyne.MenuItem {
	t.Helper()
	m := r.menu
	for _, p := range path {
		it := findItem(m, p)
		if it == nil || it.ChildMenu == nil {
			t.Fatalf("no submenu %q in %q", p, labels(m))
		}
		m = it.ChildMenu
	}
	it := findItem(m, labelPrefix)
	if it == nil {
		t.Fatalf("no item %q in %q", labelPrefix, labels(m))
	}
	return it
}

func findItem(m *fyne.Menu, prefix string) *fyne.MenuItem {
	if m == nil {
		return nil
	}
	for _, it := range m.Items {
		if !it.IsSeparator && strings.HasPrefix(it.Label, prefix) {
			return it
		}
	}
	return nil
}

// labels are the menu's items as shown ("---" for separators).
func labels(m *fyne.Menu) []string {
	if m == nil {
		return nil
	}
	var out []string
	for _, it := range m.Items {
		if it.IsSeparator {
			out = append(out, "---")
			continue
		}
		out = append(out, it.Label)
	}
	return out
}

// recNotifier records notifications.
type recNotifier struct {
	mu    sync.Mutex
	notes []note
}

func (r *recNotifier) Notify(title, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, note{title: title, body: body})
}

func (r *recNotifier) all() []note {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]note(nil), r.notes...)
}

// fakeStartAtLogin records what the agent asked of the OS entry.
type recStartAtLogin struct {
	calls []string
	err   error
}

func (f *recStartAtLogin) Enable() (string, error) {
	f.calls = append(f.calls, "enable")
	return "/autostart/entry", f.err
}

func (f *recStartAtLogin) Disable() (string, error) {
	f.calls = append(f.calls, "disable")
	return "/autostart/entry", f.err
}

// agentHarness is a workbench with the quiet agent, a recorded tray and
// notifier and a manual clock.
type agentHarness struct {
	*harness
	agent  *Agent
	tray   *trayRecorder
	notes  *recNotifier
	clock  *manualClock
	quits  int
	atLog  *recStartAtLogin
	tokens TokenSource
}

func newAgentHarness(h *harness, tokens TokenSource) *agentHarness {
	return newAgentHarnessOn(h, tokens, nil)
}

// newAgentHarnessOn is newAgentHarness on a desktop with or without a tray
// host and notification daemon (nil: with both).
func newAgentHarnessOn(h *harness, tokens TokenSource, desk Desktop) *agentHarness {
	ah := &agentHarness{harness: h, tray: &trayRecorder{}, notes: &recNotifier{}, clock: newManualClock(),
		atLog: &recStartAtLogin{}, tokens: tokens}
	icon := fyne.NewStaticResource("icon.png", assets.IconPNG)
	ah.agent = NewAgent(h.wb, AgentOptions{Tray: ah.tray, Icon: icon, Notifier: ah.notes, Tokens: tokens,
		Clock: ah.clock, StartAtLogin: ah.atLog, Desktop: desk})
	ah.agent.quit = func() { ah.quits++ }
	ah.agent.Start()
	return ah
}

// settle runs queued UI work, moves the clock by d (firing the tray
// rebuild, grouped notifications, clipboard clearing) and runs the work
// that queued.
func (ah *agentHarness) settle(d time.Duration) {
	ah.q.drain()
	ah.clock.advance(d)
	ah.q.drain()
}

// tapItem runs a menu item's action as the tray would.
func (ah *agentHarness) tapItem(t *testing.T, it *fyne.MenuItem) {
	t.Helper()
	if it.Disabled {
		t.Fatalf("%q is disabled", it.Label)
	}
	it.Action()
	ah.q.drain()
}
