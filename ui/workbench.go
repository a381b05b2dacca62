package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/version"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// Title is the main window's title (the smoke test finds the window by it).
const Title = "Credential Workbench"

// Preference keys for what the workbench remembers between runs.
const (
	prefWidth    = "window.width"
	prefHeight   = "window.height"
	prefColWidth = "table.column.%d.width"
	prefSortCol  = "table.sort.column"
	prefSortDesc = "table.sort.descending"
)

// opTimeout bounds one background operation (a test, a save); logins have
// their own, longer timeout inside oauthflow.
const opTimeout = 90 * time.Second

// Workbench is the main window: toolbar, filter, credentials table, details
// pane, status bar and banner. It wires its parts together; each part is
// its own type holding only what it needs:
//
//	model.List   the rows, filter, sort, selection, busy rows (ui/model, no Fyne)
//	tableView    the table, its columns and the split with the details (table.go, columns.go, largelist.go)
//	marks        the multiple selection and the row menus (multiselect.go, actions.go)
//	detailsPane  the selected profile (details.go)
//	statusBar    the line at the bottom (statusbar.go)
//	banner       the warning at the top (banner.go)
//	tester       Test and Test all (testactions.go)
//	navigator    the tree and the other views (tree.go)
//	Agent        tray, notifications, closing (agent.go)
//
// Every widget a user touches is reachable from here, so tests drive it
// the way a person would.
type Workbench struct {
	app fyne.App
	win fyne.Window
	ops Operations

	// do runs fn on the UI goroutine (fyne.Do); tests swap in a queue they
	// drain on the test goroutine, which is then the one UI goroutine.
	do  func(fn func())
	now func() time.Time

	m       *model.List
	tbl     *tableView
	table   *widget.Table // tbl.table
	marks   *marks
	acts    rowActions
	details *detailsPane
	bar     *statusBar
	banner  *banner
	tests   *tester
	work    *worker
	nav     *navigator // the tree on the left and the view it selects
	// agent is the quiet agent (agent.go): tray, notifications; nil without.
	agent *Agent

	toolbar map[string]*widget.Button
	// toolbarMore opens the menu of the buttons a narrow window hides.
	toolbarMore   *widget.Button
	toolbarLayout *toolbarLayout
	filter        *entry
	statusFilter  *widget.Select // Failed, Needs secret, Expiring, Active
	menu          *fyne.Menu     // the last right-click menu

	// dialogs shows the dialog on top (Escape closes it); screens opens
	// the dialogs and screens (screens.go), each holding workbenchHost.
	dialogs *dialogs
	screens *screens

	stop  chan struct{}
	unsub func()
	// ctx ends when the workbench stops: the work it started ends with it.
	ctx    context.Context
	cancel context.CancelFunc
	loads  int // counts store reads, so a background read never shows stale rows
	ticks  int // seconds ticked (tick)
}

// New builds the workbench into win and loads the profiles off the UI
// goroutine: the window (its table empty) can be shown at once, and the
// rows arrive when the store is read. Call Start to begin the live updates
// (event subscription and the countdown ticker).
func New(app fyne.App, win fyne.Window, ops Operations) *Workbench {
	w := buildWorkbench(app, win, ops, fyne.Do)
	w.loadInBackground()
	return w
}

// newWorkbench builds the workbench and loads the profiles at once.
func newWorkbench(app fyne.App, win fyne.Window, ops Operations, do func(func())) *Workbench {
	w := buildWorkbench(app, win, ops, do)
	w.reload()
	return w
}

func buildWorkbench(app fyne.App, win fyne.Window, ops Operations, do func(func())) *Workbench {
	w := &Workbench{
		app: app, win: win, ops: ops, do: do, now: time.Now, stop: make(chan struct{}),
	}
	w.m = model.New(func() time.Time { return w.now() })
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.dialogs = newDialogs(win)
	w.screens = newScreens(workbenchHost{w})
	w.build()
	return w
}

// loadInBackground reads the store on another goroutine (decoding 10,000
// profiles takes a while) and shows them through w.do, unless a reload
// made meanwhile already showed newer data.
func (w *Workbench) loadInBackground() {
	w.loads++
	seq := w.loads
	go func() {
		ps, err := w.ops.View() // read-only: the rows point into it
		w.do(func() {
			if w.loads == seq {
				w.show(ps, err)
			}
		})
	}()
}

// Start subscribes to the service's events and starts the once-a-second
// countdown; both stop when the window closes (or Stop is called).
func (w *Workbench) Start() {
	w.nav.start()
	w.unsub = w.ops.Subscribe(func(ev oauthflow.Event) {
		select {
		case <-w.stop:
		default:
			w.do(func() { w.onEvent(ev) })
		}
	})
	w.startSecretsDue() // secrets_due.go
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.do(w.tick)
			}
		}
	}()
}

// Stop ends the live updates and the work the workbench started, and
// remembers the window size.
func (w *Workbench) Stop() {
	select {
	case <-w.stop:
		return
	default:
	}
	w.cancel()
	close(w.stop)
	if w.unsub != nil {
		w.unsub()
	}
	w.nav.stop()
	w.tbl.rememberSplit()
	if s := w.win.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		w.app.Preferences().SetFloat(prefWidth, float64(s.Width))
		w.app.Preferences().SetFloat(prefHeight, float64(s.Height))
	}
}

// build makes the parts and lays the window out.
func (w *Workbench) build() {
	// Closures: the screens an action opens are looked up when it runs.
	w.acts = rowActions{
		edit: func() { w.screens.editSelected() }, test: func() { w.tests.selected() }, request: func() { w.screens.requestSelected() },
		login: func() { w.screens.loginSelected() }, loginAnother: func() { w.screens.loginAnotherSelected() },
		loginDevice: func() { w.screens.loginDeviceSelected() }, logout: func() { w.logoutSelected() },
		setSecret: func() { w.screens.setSecretSelected() }, rotate: func() { w.screens.rotateSelected() },
		del: func() { w.screens.deleteSelected() }, export: func() { w.screens.exportProfiles() },
		rotateAtIdP: func() { w.screens.rotateAtIdPSelected() },
	}
	w.bar = newStatusBar(w.m, func() string {
		if w.nav == nil {
			return nodeCredentials
		}
		return w.nav.selected
	})
	w.banner = newBanner()
	w.tbl = newTableView(w.m, w.app.Preferences(), w.win, w.do, w.stop, tableEvents{
		selected: func(r *row) {
			w.details.show(r)
			w.updateActions()
		},
		click:      func(i int, mod fyne.KeyModifier) { w.marks.click(i, mod) },
		edit:       w.acts.edit,
		menuAt:     func(i int) *fyne.Menu { w.menu = w.marks.menuAt(i); return w.menu },
		sorted:     w.applyView,
		secretsDue: func() bool { return w.screens.secretsDue() },
	})
	w.table = w.tbl.table
	w.marks = &marks{m: w.m, t: w.tbl, bar: w.bar, acts: &w.acts, busy: func() bool { return w.dialogs.top() != nil }, changed: w.updateActions}
	w.work = &worker{m: w.m, bar: w.bar, do: w.do, ctx: w.ctx, refreshRow: w.refreshRow, failed: w.banner.keyring}
	w.tests = &tester{m: w.m, ops: w.ops, bar: w.bar, run: w.work,
		askSecret: func(ids []string) {
			if w.dialogs.top() == nil {
				w.screens.setSecretOf(ids)
			}
		},
		redraw:     func() { w.table.Refresh(); w.updateActions() },
		refreshRow: w.refreshRow,
	}

	w.filter = newFilter(w.dialogs, w.focusResults, func() {
		w.applyView()
		// A filtered list starts at its top: the rows that match may all be
		// above the old scroll position.
		w.table.ScrollToTop()
	})
	w.statusFilter = newStatusFilter(func() {
		w.applyView()
		w.table.ScrollToTop()
	})

	w.tbl.layOut(func() { w.screens.addProfile() })

	w.details = newDetailsPane(w.m, w.ops, w.tbl.fitSplit)
	w.details.setSecret, w.details.login, w.details.loginAnother = w.acts.setSecret, w.acts.login, w.acts.loginAnother
	w.details.idp.h = workbenchHost{w} // details_idp.go
	// The table gets the full width (eight columns); details below it.
	w.tbl.split = container.NewVSplit(w.tbl.tableArea, w.details.scroll)
	w.tbl.split.Offset = 1 // nothing selected yet: the table gets the room (largelist.go)

	tools, buttons, layout := newToolbar(w.win, toolButtons(&w.acts, toolExtras{add: func() { w.screens.addProfile() },
		testAll: func() { w.tests.all() }, importProfiles: func() { w.screens.importProfiles() }, refresh: w.reload, about: w.showAbout}),
		func(m *fyne.Menu) { w.menu = m })
	w.toolbar, w.toolbarLayout, w.toolbarMore = buttons, layout, layout.more
	top := container.NewVBox(w.banner.root, w.screens.newSecretBanner(), tools,
		container.NewBorder(nil, nil, nil, w.statusFilter, w.filter))
	// The navigation tree (tree.go) shows this view under Administration › Credentials.
	w.nav = w.screens.newNavigator(container.NewBorder(top, nil, nil, nil, w.tbl.split))
	w.win.SetContent(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), w.bar.root), nil, nil, w.nav.root))
	w.bindKeys()
	w.win.SetOnClosed(w.Stop)
}

// bindKeys adds the keyboard shortcuts. Ctrl+letter work even while an entry
// has the focus; Enter, Delete and Escape work when no entry has it (the
// form's entries handle Escape themselves).
func (w *Workbench) bindKeys() {
	c := w.win.Canvas()
	for key, fn := range map[fyne.KeyName]func(){
		fyne.KeyN: func() { w.screens.addProfile() },
		fyne.KeyT: w.acts.test,
		fyne.KeyL: w.acts.login,
		fyne.KeyR: w.acts.request,
		fyne.KeyF: func() { c.Focus(w.filter) },
		fyne.KeyA: w.marks.all,
	} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	// The desktop driver turns Ctrl+A into its own SelectAll shortcut (a
	// focused entry still gets it first and selects its text).
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { w.marks.all() })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if w.dialogs.top() != nil {
			switch ev.Name {
			case fyne.KeyEscape:
				w.dialogs.closeTop()
			case fyne.KeyReturn, fyne.KeyEnter:
				if w.dialogs.top().onEnter != nil {
					w.dialogs.top().onEnter()
				}
			}
			return // the table's keys are not the table's under a dialog
		}
		switch ev.Name {
		case fyne.KeyEscape:
			if !w.marks.clear() {
				w.dialogs.closeTop()
			}
		case fyne.KeyReturn, fyne.KeyEnter:
			w.acts.edit()
		case fyne.KeyDelete:
			w.acts.del()
		default:
			w.tbl.key(ev.Name) // the arrows, Page Up/Down, Home, End
		}
	})
}

// reload reads the profiles from the store (never the keyring).
func (w *Workbench) reload() {
	w.loads++
	ps, err := w.ops.View() // read-only: the rows point into it
	w.show(ps, err)
}

// show puts the profiles read from the store into the table.
func (w *Workbench) show(ps []credentials.Profile, err error) {
	var corrupt *credentials.CorruptError
	switch {
	case errors.As(err, &corrupt):
		// Read-only until repaired, with a way to start afresh.
		w.m.SetReadOnly(true)
		w.banner.corrupt(corrupt, func() { w.confirmStartFresh(corrupt) })
		ps = nil
	case err != nil:
		w.banner.show("Cannot read the profiles: "+err.Error(), "", nil)
		ps = nil
	default:
		if w.m.ReadOnly() {
			w.m.SetReadOnly(false)
			w.banner.hide()
		}
	}
	w.m.Load(ps)
	w.screens.refreshSecretBanner()
	w.applyView()
	w.updateActions()
	if w.nav != nil { // the transports too: a renamed or deleted profile shows there
		w.nav.reload()
	}
}

// applyView filters and sorts the rows and refreshes the table.
func (w *Workbench) applyView() {
	w.m.SetFilter(w.filter.Text, statusChoice(w.statusFilter))
	if len(w.m.Rows()) == 0 && !w.m.ReadOnly() {
		w.tbl.emptyHint.Show()
		w.table.Hide()
	} else {
		w.tbl.emptyHint.Hide()
		w.table.Show()
	}
	w.table.UnselectAll()
	if i := w.m.ViewIndex(w.m.Sel.SelectedID()); i >= 0 {
		w.tbl.selectKeepingMarks(i)
	}
	w.table.Refresh()
	w.bar.counted()
	if w.agent != nil {
		w.agent.changed()
	}
	if r := w.m.Sel.Selected(); r != w.details.current || r == nil {
		w.details.show(r) // filtering and sorting keep the selected row as it is
	}
	w.updateActions()
}

// focusResults is Down or Enter in the filter: the focus leaves the filter
// so the arrow keys, Enter and Delete act on the table, and the first
// match is selected if nothing shown is.
func (w *Workbench) focusResults() {
	w.win.Canvas().Unfocus()
	if w.m.ViewIndex(w.m.Sel.SelectedID()) < 0 && len(w.m.View()) > 0 {
		w.tbl.moveTo(0)
	}
}

// updateActions enables the toolbar buttons that apply to the selection.
func (w *Workbench) updateActions() {
	r := w.m.Sel.Selected()
	set := func(name string, on bool) {
		if on {
			w.toolbar[name].Enable()
		} else {
			w.toolbar[name].Disable()
		}
	}
	rw := !w.m.ReadOnly()
	set("Add", rw)
	set("Import", rw)
	set("Export", rw && len(w.m.Rows()) > 0)
	set("Test all", rw && len(w.m.Rows()) > 0)
	for _, act := range []model.Action{actEdit, actDelete, actTest, actLogin, actLogout, actRequest, actRotate} {
		set(actionNames[act], w.m.Allowed(act, r))
	}
	w.bar.render()
}

// tick advances the live countdowns. It refreshes the cells only when one
// can have changed: a token counting down (or just expired), a busy row,
// and once a minute for the texts that change by the date ("Last checked",
// "Secret expires"). A refresh re-shapes every header's text too, so an
// idle workbench refreshing every second made garbage all day.
func (w *Workbench) tick() {
	w.ticks++
	w.bar.render()
	if w.ticks%3600 == 0 {
		w.screens.refreshSecretBanner() // days pass
	}
	if w.ticks%10 == 0 {
		w.tbl.releaseWhole() // columns.go
	}
	if len(w.m.View()) == 0 {
		return
	}
	if w.m.AnyBusy() || w.ticks%60 == 0 || w.m.CountingDown() {
		w.tbl.refreshCells()
		w.details.refreshCountdown()
	}
}

// onEvent applies what the service reports.
func (w *Workbench) onEvent(ev oauthflow.Event) {
	if w.agent != nil {
		defer w.agent.event(ev) // after the row has taken it
	}
	switch ev.Kind {
	case oauthflow.EventTransportSaved, oauthflow.EventTransportDeleted:
		return // no profile's: the tree follows them (navigator.onEvent)
	}
	if w.m.Event(ev) || model.LifecycleChanged(ev.Kind) {
		w.reload()
		return
	}
	w.refreshRow(ev.ProfileID)
}

// refreshRow shows what changed in a profile's row (and the details,
// tray and toolbar that depend on it).
func (w *Workbench) refreshRow(id string) {
	w.tbl.scheduleRefresh()
	if w.agent != nil {
		w.agent.changed()
	}
	if id == w.m.Sel.SelectedID() {
		w.details.show(w.m.Sel.Selected())
	}
	w.updateActions()
}

func (w *Workbench) logoutSelected() {
	r := w.m.Sel.Selected()
	if !w.m.Allowed(actLogout, r) {
		return
	}
	w.screens.logout(r.P.ID, r.P.Name) // logout.go
}

// CheckKeyring asks the keyring once, in the background, whether it works,
// and shows the banner if it does not. Listing profiles never needs it.
func (w *Workbench) CheckKeyring() {
	go func() {
		if err := w.ops.CheckKeyring(); err != nil {
			w.do(func() { w.banner.keyring(err) })
		}
	}()
}

func (w *Workbench) confirmStartFresh(ce *credentials.CorruptError) {
	w.dialogs.showConfirm("Start with an empty list?",
		fmt.Sprintf("The broken file %s is kept as a copy next to it; the workbench starts with no profiles.\n"+
			"Secrets already in the keyring stay there.", ce.Path),
		"Start with an empty list (the broken file is kept)", func() {
			kept, err := w.ops.StartFresh()
			if err != nil {
				w.dialogs.showError("Cannot start afresh", err)
				return
			}
			w.m.SetReadOnly(false)
			w.banner.hide()
			w.reload()
			w.bar.set("Started with an empty list; the broken file is kept at " + kept)
		})
}

func (w *Workbench) showAbout() {
	w.dialogs.showMessage("About Credential Workbench",
		fmt.Sprintf("Credential Workbench %s\n\nOAuth2 / OpenID Connect credential profiles: test, log in, rotate.\n"+
			"Secrets are kept in the OS keyring.\nProfiles: %s", version.Version, w.ops.StorePath()))
}
