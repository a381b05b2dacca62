package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// The quiet agent: with it the workbench lives on in the system tray when
// its window is closed, so the token manager keeps renewing every profile's
// token for credctl and scripts (the job ssh-agent does for keys), and says
// through desktop notifications when something needs the user.
//
//   agent.go          Agent: wiring, Show, Quit
//   agent_clock.go    the clock the agent schedules with (swapped in tests)
//   tray.go           the tray menu and icon, rebuilt from the rows
//   tray_copy.go      Copy access token, cleared from the clipboard after 60 s
//   notify.go         notifications: episodes, grouping, rate limit, preferences
//   notify_expiry.go  the 30- and 7-day warnings of secrets and certificates
//   closing.go        what closing the window does (asked once; quits without a tray host)
//   agent_menu.go     the window's menu bar: Quit and Settings, tray or not
//   notices.go        notifications shown in the window when no daemon answers
//   tray_host.go      whether a panel shows the tray icon, a daemon notifications
//   startatlogin.go   the start-at-login preference and its OS entry

// TokenSource hands out a profile's access token (oauthflow.Service): from
// the shared store when one is valid, else fetched.
type TokenSource interface {
	FetchToken(ctx context.Context, nameOrID string, opt oauthflow.TokenOptions) (*oauth2.Token, bool, error)
}

var _ TokenSource = (*oauthflow.Service)(nil)

// AgentOptions are the agent's parts; nil ones get the real thing or are
// left out.
type AgentOptions struct {
	// Tray is the app's system tray (fyne's desktop.App); nil: no tray.
	Tray desktop.App
	// Icon is the app icon the tray shows; the failing variant is made from it.
	Icon fyne.Resource
	// Notifier sends notifications (nil: the app's SendNotification).
	Notifier Notifier
	// Tokens serves Copy access token.
	Tokens TokenSource
	// StartAtLogin writes and removes the OS entry (nil: the real one for
	// this program, see NewStartAtLogin).
	StartAtLogin StartAtLogin
	// Clock schedules the clipboard clearing, grouping and tray updates.
	Clock Clock
	// Desktop says whether a panel shows the tray icon and a daemon the
	// notifications (nil: both do).
	Desktop Desktop
}

// Agent is the tray, the notifications and the closing behaviour of one
// workbench. All its methods run on the UI goroutine.
type Agent struct {
	w     *Workbench
	opt   AgentOptions
	tray  *tray
	notes *notifier
	copy  *clipboardGuard
	login StartAtLogin
	quit  func()
	// pending: a tray rebuild and expiry check is scheduled.
	pending bool
	// menu is the window's menu bar: File › Quit, Settings.
	menu     *fyne.MainMenu
	settings *fyne.Menu
	// notices shows in the window what no notification daemon would show.
	notices *notices
	// trayUp: the window and the menu were handed to the system tray
	// (startTray); running: Start has run, so the app's loop may have too.
	trayUp, running bool
}

// NewAgent attaches the quiet agent to the workbench. Call Start after the
// workbench's Start.
func NewAgent(w *Workbench, opt AgentOptions) *Agent {
	if opt.Clock == nil {
		opt.Clock = realClock{}
	}
	if opt.Notifier == nil {
		opt.Notifier = appNotifier{app: w.app}
	}
	if opt.Desktop == nil {
		opt.Desktop = everything{}
	}
	a := &Agent{w: w, opt: opt, login: opt.StartAtLogin, notices: newNotices()}
	if a.login == nil {
		a.login = NewStartAtLogin("")
	}
	a.quit = func() {
		w.Stop()
		// Fyne 2.7.1 crashes when a pointer event reaches a window that
		// Quit has begun to close (glfw processMouseMoved on a nil view;
		// seen quitting from the tray with the window open): hide it first
		// and quit once the events already queued are through.
		w.win.Hide()
		time.AfterFunc(150*time.Millisecond, func() { fyne.Do(w.app.Quit) })
	}
	a.notes = newNotifier(w, routedNotifier{a: a}, opt.Clock)
	a.copy = newClipboardGuard(w, opt.Clock)
	a.tray = newTray(a)
	w.agent = a
	return a
}

// Start installs the tray and the close handling, and begins watching for
// expiring secrets.
func (a *Agent) Start() {
	a.startTray()
	a.w.win.SetCloseIntercept(a.onClose)
	a.installMenu()
	a.w.win.SetContent(container.NewBorder(a.notices.root, nil, nil, nil, a.w.win.Content()))
	a.opt.Desktop.OnChange(func() { a.w.do(a.desktopChanged) })
	a.tray.update()
	a.notes.start()
	a.syncStartAtLogin()
	a.running = true
}

// startTray hands the window to the system tray (tapping the icon shows
// it) once a panel shows tray icons, and only then: fyne starts its tray
// with the first call, and with it a hidden GL window (~5 MiB) and a tray
// item on the bus that nothing would show. A host that appears later gets
// the tray then (desktopChanged).
func (a *Agent) startTray() {
	if a.trayUp || !a.HasTray() {
		return
	}
	a.trayUp = true
	a.opt.Tray.SetSystemTrayWindow(a.w.win)
	a.w.win.SetCloseIntercept(a.onClose) // SetSystemTrayWindow installs a plain Hide
	if late, ok := a.opt.Tray.(lateTray); ok && a.running {
		late.startLate()
	}
}

// HasTray says whether the tray icon is shown: the app has a tray and a
// panel (a StatusNotifier host) shows it. Without it the window is the only
// way in, so closing it quits.
func (a *Agent) HasTray() bool { return a.opt.Tray != nil && a.opt.Desktop.TrayHost() }

// desktopChanged follows a tray host coming or going. When it goes, the
// window comes up: hidden, it could no longer be reached.
func (a *Agent) desktopChanged() {
	a.startTray()
	a.refreshMenus()
	if !a.HasTray() {
		a.Show()
	}
}

// Show brings the window to the front (the tray's Open workbench, and a
// second start of the program).
func (a *Agent) Show() {
	a.w.win.Show()
	a.w.win.RequestFocus()
}

// Quit ends the program: the window, the tray and the renewals. A token
// copied less than 60 s ago leaves the clipboard first.
func (a *Agent) Quit() {
	a.copy.clear(a.copy.last)
	a.quit()
}

// event is the workbench passing on an event it has applied.
func (a *Agent) event(ev oauthflow.Event) {
	a.notes.onEvent(ev)
	a.changed()
}

// changed schedules one tray rebuild and expiry check for a burst of
// changes.
func (a *Agent) changed() {
	if a.pending {
		return
	}
	a.pending = true
	a.opt.Clock.AfterFunc(trayDelay, func() {
		a.w.do(func() {
			a.pending = false
			a.tray.update()
			a.notes.checkExpiry()
		})
	})
}

// trayDelay groups the tray rebuilds (and expiry checks) of a burst of events (opening with a
// thousand profiles tests them all) into one.
const trayDelay = 500 * time.Millisecond
