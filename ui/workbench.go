package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
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
// pane, status bar and banner. Every widget a user touches is a field, so
// tests drive it the way a person would.
type Workbench struct {
	app  fyne.App
	win  fyne.Window
	repo *credentials.Repository
	ops  Operations

	// do runs fn on the UI goroutine (fyne.Do); tests swap in a queue they
	// drain on the test goroutine, which is then the one UI goroutine.
	do  func(fn func())
	now func() time.Time

	// m is what the window shows: rows, filter, sort, selection, busy
	// rows, this session's results (ui/model, Fyne-free).
	m *model.List
	// keepMarks is set while a selection change must not end a multiple
	// selection (the table's OnSelected cannot tell).
	keepMarks bool
	running   int // background operations in flight
	stop      chan struct{}
	unsub     func()
	// ctx ends when the workbench stops: the work it started ends with it.
	ctx    context.Context
	cancel context.CancelFunc

	// Widgets.
	toolbar map[string]*widget.Button
	// toolbarMore opens the menu of the buttons a narrow window hides.
	toolbarMore   *widget.Button
	toolbarLayout *toolbarLayout
	filter        *entry
	statusFilter  *widget.Select // Failed, Needs secret, Expiring, Active
	table         *widget.Table
	colWidths     []float32 // as the user set them (remembered)
	shownWidths   []float32 // fitted to the table's width, by column (0: left out)
	shownCols     []int     // the columns shown, in order (columns.go)
	emptyHint     *fyne.Container
	tableArea     *fyne.Container
	split         *container.Split // table above, details below (largelist.go)
	splitShown    bool             // the details pane has its share
	headerH       float32          // the table's header height (largelist.go)
	details       *detailsPane
	statusText    *widget.Label
	countText     *widget.Label
	activity      *widget.Activity
	banner        *fyne.Container
	bannerText    *widget.Label
	bannerFix     *widget.Button
	bar           statusBar // statusbar.go

	// dialogs shows the dialog on top (Escape closes it); screens opens
	// the dialogs and screens (screens.go).
	dialogs *dialogs
	screens *screens
	menu    *fyne.Menu // the last right-click menu

	nav *navigator // the tree on the left and the view it selects

	loads int // counts store reads, so a background read never shows stale rows

	ticks int // seconds ticked (tick)

	// cellRefreshPending: a refresh of the table's cells is queued
	// (scheduleCellRefresh); lastCellRefresh is when the last one ran.
	cellRefreshPending bool
	lastCellRefresh    time.Time

	// agent is the quiet agent (agent.go): tray, notifications; nil without.
	agent *Agent
}

// row is one profile of the table (ui/model).
type row = model.Row

// New builds the workbench into win and loads the profiles off the UI
// goroutine: the window (its table empty) can be shown at once, and the
// rows arrive when the store is read. Call Start to begin the live updates
// (event subscription and the countdown ticker).
func New(app fyne.App, win fyne.Window, repo *credentials.Repository, ops Operations) *Workbench {
	w := buildWorkbench(app, win, repo, ops, fyne.Do)
	w.loadInBackground()
	return w
}

// newWorkbench builds the workbench and loads the profiles at once.
func newWorkbench(app fyne.App, win fyne.Window, repo *credentials.Repository, ops Operations, do func(func())) *Workbench {
	w := buildWorkbench(app, win, repo, ops, do)
	w.reload()
	return w
}

func buildWorkbench(app fyne.App, win fyne.Window, repo *credentials.Repository, ops Operations, do func(func())) *Workbench {
	w := &Workbench{
		app: app, win: win, repo: repo, ops: ops, do: do, now: time.Now,
		stop: make(chan struct{}),
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
		ps, err := w.repo.View() // read-only: the rows point into it
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

// Stop ends the live updates and remembers the window size.
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
	w.rememberSplit()
	if s := w.win.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		w.app.Preferences().SetFloat(prefWidth, float64(s.Width))
		w.app.Preferences().SetFloat(prefHeight, float64(s.Height))
	}
}

// WindowSize is the remembered window size, or a default.
func WindowSize(app fyne.App) fyne.Size {
	p := app.Preferences()
	return fyne.NewSize(float32(p.FloatWithFallback(prefWidth, 1280)), float32(p.FloatWithFallback(prefHeight, 780)))
}

func (w *Workbench) build() {
	w.toolbar = map[string]*widget.Button{}
	var tools []fyne.CanvasObject
	// Fyne 2.7 has no tooltips, so every toolbar button carries its name as
	// text next to the icon; the shortcut is in the right-click menu.
	for _, t := range []struct {
		name string
		icon fyne.Resource
		fn   func()
	}{
		{"Add", theme.ContentAddIcon(), w.screens.addProfile},
		{"Edit", theme.DocumentCreateIcon(), w.screens.editSelected},
		{"Delete", theme.DeleteIcon(), w.screens.deleteSelected},
		{"Test", theme.MediaPlayIcon(), w.testSelected},
		{"Test all", theme.MediaFastForwardIcon(), w.testAll},
		{"Login", theme.LoginIcon(), w.screens.loginSelected},
		{"Logout", theme.LogoutIcon(), w.logoutSelected},
		{"Request", theme.MailSendIcon(), w.screens.requestSelected},
		{"Rotate secret", theme.HistoryIcon(), w.screens.rotateSelected},
		{"Import", theme.DownloadIcon(), w.screens.importProfiles},
		{"Export", theme.UploadIcon(), w.screens.exportProfiles},
		{"Refresh", theme.ViewRefreshIcon(), w.reload},
		{"About", theme.InfoIcon(), w.showAbout},
	} {
		b := widget.NewButtonWithIcon(t.name, t.icon, t.fn)
		b.Importance = widget.LowImportance
		w.toolbar[t.name] = b
		tools = append(tools, b)
		if t.name == "Delete" || t.name == "Rotate secret" || t.name == "Refresh" {
			tools = append(tools, widget.NewSeparator())
		}
	}
	w.toolbar["Add"].Importance = widget.HighImportance

	w.filter = newEntry(w.dialogs)
	w.filter.onKey = func(ev *fyne.KeyEvent) bool {
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyDown:
			w.focusResults()
		case fyne.KeyEscape:
			w.filter.SetText("")
		default:
			return false
		}
		return true
	}
	w.filter.SetPlaceHolder("Filter by name, client ID or endpoint (Ctrl+F)")
	w.filter.OnChanged = func(string) {
		w.applyView()
		// A filtered list starts at its top: the rows that match may all be
		// above the old scroll position.
		w.table.ScrollToTop()
	}

	w.buildTable()
	addFirst := widget.NewButtonWithIcon("Add your first profile", theme.ContentAddIcon(), w.screens.addProfile)
	addFirst.Importance = widget.HighImportance
	w.emptyHint = container.NewCenter(container.NewVBox(
		widget.NewLabelWithStyle("No credential profiles yet", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle("A profile holds an OAuth client: its endpoints, client ID and scope.\n"+
			"Its secret goes to the OS keyring, never to a file.", fyne.TextAlignCenter, fyne.TextStyle{}),
		container.NewCenter(addFirst),
	))
	w.tableArea = container.New(&columnsLayout{w: w}, w.table, w.emptyHint)

	w.details = newDetailsPane(w.m, w.ops, w.fitSplit)
	// Closures: the screens that open are looked up when tapped.
	w.details.setSecret = func() { w.screens.setSecretSelected() }
	w.details.login = func() { w.screens.loginSelected() }
	w.details.loginAnother = func() { w.screens.loginAnotherSelected() }
	// The table gets the full width (eight columns); details below it.
	split := container.NewVSplit(w.tableArea, w.details.scroll)
	w.split = split
	split.Offset = 1 // nothing selected yet: the table gets the room (largelist.go)

	w.bannerText = widget.NewLabel("")
	w.bannerText.Wrapping = fyne.TextWrapWord
	w.bannerText.Importance = widget.DangerImportance
	w.bannerFix = widget.NewButton("", nil)
	w.bannerFix.Hide()
	w.banner = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()), w.bannerFix, w.bannerText)
	w.banner.Hide()

	w.statusText = widget.NewLabel("Ready")
	w.statusText.Truncation = fyne.TextTruncateEllipsis
	w.countText = widget.NewLabel("")
	w.activity = widget.NewActivity()
	w.activity.Stop()
	w.activity.Hide()
	status := container.NewBorder(nil, nil, w.activity, w.countText, w.statusText)

	w.statusFilter = newStatusFilter(func() {
		w.applyView()
		w.table.ScrollToTop()
	})
	top := container.NewVBox(w.banner, w.screens.newSecretBanner(), w.newToolbar(tools), container.NewBorder(nil, nil, nil, w.statusFilter, w.filter))
	// The navigation tree (tree.go) shows this view under Administration › Credentials.
	w.nav = w.screens.newNavigator(container.NewBorder(top, nil, nil, nil, split))
	w.win.SetContent(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), status), nil, nil, w.nav.root))
	w.bindKeys()
	w.win.SetOnClosed(w.Stop)
}

// bindKeys adds the keyboard shortcuts. Ctrl+letter work even while an entry
// has the focus; Enter, Delete and Escape work when no entry has it (the
// form's entries handle Escape themselves).
func (w *Workbench) bindKeys() {
	c := w.win.Canvas()
	for key, fn := range map[fyne.KeyName]func(){
		fyne.KeyN: w.screens.addProfile,
		fyne.KeyT: w.testSelected,
		fyne.KeyL: w.screens.loginSelected,
		fyne.KeyR: w.screens.requestSelected,
		fyne.KeyF: func() { c.Focus(w.filter) },
		fyne.KeyA: w.selectAllShown,
	} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	// The desktop driver turns Ctrl+A into its own SelectAll shortcut (a
	// focused entry still gets it first and selects its text).
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { w.selectAllShown() })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyEscape:
			if w.dialogs.top() != nil || !w.clearMarks() {
				w.dialogs.closeTop()
			}
		case fyne.KeyReturn, fyne.KeyEnter:
			switch {
			case w.dialogs.top() == nil:
				w.screens.editSelected()
			case w.dialogs.top().onEnter != nil:
				w.dialogs.top().onEnter()
			}
		case fyne.KeyDelete:
			if w.dialogs.top() == nil {
				w.screens.deleteSelected()
			}
		case fyne.KeyUp, fyne.KeyDown:
			w.moveSelection(ev.Name == fyne.KeyDown)
		case fyne.KeyPageUp, fyne.KeyPageDown:
			w.moveSelectionBy(w.pageRows(), ev.Name == fyne.KeyPageDown)
		case fyne.KeyHome:
			w.moveSelectionTo(0)
		case fyne.KeyEnd:
			w.moveSelectionTo(len(w.m.View()) - 1)
		}
	})
}

// reload reads the profiles from the store (never the keyring).
func (w *Workbench) reload() {
	w.loads++
	ps, err := w.repo.View() // read-only: the rows point into it
	w.show(ps, err)
}

// show puts the profiles read from the store into the table.
func (w *Workbench) show(ps []credentials.Profile, err error) {
	var corrupt *credentials.CorruptError
	switch {
	case errors.As(err, &corrupt):
		w.showCorrupt(corrupt)
		ps = nil
	case err != nil:
		w.showBanner("Cannot read the profiles: "+err.Error(), "", nil)
		ps = nil
	default:
		if w.m.ReadOnly() {
			w.m.SetReadOnly(false)
			w.hideBanner()
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
		w.emptyHint.Show()
		w.table.Hide()
	} else {
		w.emptyHint.Hide()
		w.table.Show()
	}
	w.table.UnselectAll()
	if i := w.m.ViewIndex(w.m.SelectedID()); i >= 0 {
		w.selectKeepingMarks(i)
	}
	w.table.Refresh()
	w.updateCount()
	w.agentChanged()
	if r := w.m.Selected(); r != w.details.current || r == nil {
		w.details.show(r) // filtering and sorting keep the selected row as it is
	}
	w.updateActions()
}

func (w *Workbench) updateCount() {
	view, rows := len(w.m.View()), len(w.m.Rows())
	switch {
	case view == rows:
		w.countText.SetText(plural(rows, "profile"))
	default:
		w.countText.SetText(fmt.Sprintf("%d of %s", view, plural(rows, "profile")))
	}
}

// selectRow selects the profile shown in table row i.
func (w *Workbench) selectRow(i int) {
	if i < 0 || i >= len(w.m.View()) {
		return
	}
	w.table.Select(widget.TableCellID{Row: i, Col: 0})
}

func (w *Workbench) moveSelection(down bool) { w.moveSelectionBy(1, down) }

// moveSelectionBy moves the selection n rows down (or up), stopping at the
// ends; with nothing selected it selects the first row.
func (w *Workbench) moveSelectionBy(n int, down bool) {
	if w.dialogs.top() != nil || len(w.m.View()) == 0 {
		return
	}
	i := w.m.ViewIndex(w.m.SelectedID())
	switch {
	case i < 0:
		i = 0
	case down:
		i = min(i+n, len(w.m.View())-1)
	default:
		i = max(i-n, 0)
	}
	w.moveSelectionTo(i)
}

// moveSelectionTo selects table row i and scrolls to it.
func (w *Workbench) moveSelectionTo(i int) {
	if w.dialogs.top() != nil || i < 0 || i >= len(w.m.View()) {
		return
	}
	w.selectRow(i)
	w.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
}

// pageRows is how many rows PageUp/PageDown move: about one screen.
func (w *Workbench) pageRows() int {
	rowH := w.table.MinSize().Height
	if c := newTableCell(w); c != nil {
		rowH = c.MinSize().Height + theme.Padding()
	}
	if rowH <= 0 {
		return 10
	}
	return max(int(w.table.Size().Height/rowH)-1, 1)
}

// focusResults is Down or Enter in the filter: the focus leaves the filter
// so the arrow keys, Enter and Delete act on the table, and the first
// match is selected if nothing shown is.
func (w *Workbench) focusResults() {
	w.win.Canvas().Unfocus()
	if w.m.ViewIndex(w.m.SelectedID()) < 0 && len(w.m.View()) > 0 {
		w.selectRow(0)
		w.table.ScrollTo(widget.TableCellID{Row: 0, Col: 0})
	}
}

// updateActions enables the toolbar buttons that apply to the selection.
func (w *Workbench) updateActions() {
	r := w.m.Selected()
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
		set(actionNames[act], w.allowed(act, r))
	}
	w.renderStatus()
}

// tick advances the live countdowns. It refreshes the cells only when one
// can have changed: a token counting down (or just expired), a busy row,
// and once a minute for the texts that change by the date ("Last checked",
// "Secret expires"). A refresh re-shapes every header's text too, so an
// idle workbench refreshing every second made garbage all day.
func (w *Workbench) tick() {
	w.ticks++
	w.renderStatus()
	if w.ticks%3600 == 0 {
		w.screens.refreshSecretBanner() // days pass
	}
	if w.ticks%10 == 0 {
		w.releaseWhole() // columns.go
	}
	if len(w.m.View()) == 0 {
		return
	}
	due := w.m.AnyBusy() || w.ticks%60 == 0 || w.m.CountingDown()
	if due {
		w.refreshCells()
		w.details.refreshCountdown()
	}
}

// onEvent applies what the service reports.
func (w *Workbench) onEvent(ev oauthflow.Event) {
	defer w.agentEvent(ev) // after the row has taken it
	if w.m.Event(ev) {
		w.reload()
		return
	}
	w.refreshRow(ev.ProfileID)
}

// applyResult takes a result into the row and its bookkeeping copy, so the
// table shows it without re-reading the store.
func (w *Workbench) applyResult(res oauthflow.Result) { w.m.ApplyResult(res) }

func (w *Workbench) refreshRow(id string) {
	w.scheduleCellRefresh()
	w.agentChanged()
	if id == w.m.SelectedID() {
		w.details.show(w.m.Selected())
	}
	w.updateActions()
}

// cellRefreshInterval is the least time between two refreshes of the
// table's cells for events: each one re-shapes every header's text too
// (Fyne refreshes the header row with the cells), which at start-up, with
// the outcomes of 1,000 profiles arriving, was most of the garbage made.
const cellRefreshInterval = 100 * time.Millisecond

// scheduleCellRefresh refreshes the table's cells once for a burst of
// changes: at once when the last refresh is older than
// cellRefreshInterval, else when it is; changes meanwhile join it.
func (w *Workbench) scheduleCellRefresh() {
	if w.cellRefreshPending {
		return
	}
	w.cellRefreshPending = true
	run := func() {
		w.cellRefreshPending = false
		w.refreshCells()
	}
	wait := time.Until(w.lastCellRefresh.Add(cellRefreshInterval))
	if wait <= 0 {
		w.do(run)
		return
	}
	time.AfterFunc(wait, func() {
		select {
		case <-w.stop:
		default:
			w.do(run)
		}
	})
}

// startWork shows that background work runs (the activity spinner and
// label in the status bar); the returned func, called on the UI goroutine
// when the work is over, hides the spinner once nothing else runs.
func (w *Workbench) startWork(label string) (finish func()) {
	w.running++
	w.startedWork(label)
	w.activity.Show()
	w.activity.Start()
	done := false
	return func() {
		if done {
			return
		}
		done = true
		w.running--
		if w.running == 0 {
			w.activity.Stop()
			w.activity.Hide()
		}
		w.renderStatus()
	}
}

// background runs op off the UI goroutine with progress shown in the status
// bar; done runs on the UI goroutine.
func (w *Workbench) background(label string, op func(ctx context.Context) error, done func(error)) {
	runWork(w, "", model.Idle, label, op, done)
}

// backgroundRow is background for one profile: its row (and the status
// bar) says b while op runs.
func (w *Workbench) backgroundRow(id string, b model.Busy, op func(ctx context.Context) error, done func(error)) {
	runWork(w, id, b, b.Label(), op, done)
}

func runWork(w *Workbench, id string, b model.Busy, label string, op func(ctx context.Context) error, done func(error)) {
	if id != "" {
		w.m.SetBusy(id, b)
		w.refreshRow(id)
	}
	finish := w.startWork(label)
	go func() {
		// Bounded, and ended when the workbench stops.
		ctx, cancel := context.WithTimeout(w.ctx, opTimeout)
		defer cancel()
		err := op(ctx)
		w.do(func() {
			finish()
			if id != "" {
				w.m.SetBusy(id, model.Idle)
			}
			if err != nil {
				w.noteKeyring(err)
			}
			done(err)
			if id != "" {
				w.refreshRow(id)
			}
		})
	}()
}

// --- toolbar actions ---

func (w *Workbench) testSelected() {
	if rows := w.m.Multi(); rows != nil && !w.m.ReadOnly() {
		w.testMany(rows)
		return
	}
	r := w.m.Selected()
	if !w.allowed(actTest, r) {
		return
	}
	w.testProfile(r.P.ID, r.P.Name)
}

// testProfile tests one profile; one that needs a secret is not sent to the
// IdP: the secret dialog opens instead.
func (w *Workbench) testProfile(id, name string) {
	if r := w.m.Find(id); r != nil && model.NeedsSecret(r.P) {
		w.setStatus(name + ": Needs secret — enter the client secret to test it")
		if w.dialogs.top() == nil {
			w.screens.setSecretOf([]string{id})
		}
		return
	}
	var res oauthflow.Result
	w.backgroundRow(id, model.BusyTesting, func(ctx context.Context) error {
		var err error
		res, err = w.ops.Test(ctx, id)
		return err
	}, func(err error) {
		if res.ProfileID != "" {
			w.applyResult(res)
		}
		w.setStatus(resultLine(name, res, err))
	})
}

func (w *Workbench) testAll() {
	if w.m.ReadOnly() || len(w.m.Rows()) == 0 {
		return
	}
	w.testMany(w.m.Rows())
}

// testConcurrency bounds the tests of a bulk Test at once.
const testConcurrency = 4

// testMany tests the rows that can be tested (not busy, not needing a
// secret), a few at a time, and sums up how they went.
func (w *Workbench) testMany(rows []*row) {
	ids, needSecret := w.m.StartTests(rows)
	w.table.Refresh()
	w.updateActions()
	results := make([]oauthflow.Result, len(ids))
	w.background(fmt.Sprintf("Testing %s…", plural(len(ids), "profile")), func(ctx context.Context) error {
		sem := make(chan struct{}, testConcurrency)
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				res, err := w.ops.Test(ctx, id)
				if err != nil && res.ProfileID == "" {
					f, ok := oauthflow.AsFailure(err)
					if !ok {
						f = &oauthflow.Failure{Category: oauthflow.CatOther, Message: err.Error(), Err: err}
					}
					res = oauthflow.Result{ProfileID: id, Status: credentials.StatusFailed, Failure: f, CheckedAt: time.Now()}
				}
				results[i] = res
			}()
		}
		wg.Wait()
		return nil
	}, func(error) {
		active, failed, noSession := 0, 0, 0
		for i, id := range ids {
			w.m.SetBusy(id, model.Idle)
			w.applyResult(results[i])
			switch {
			case results[i].Active():
				active++
			case model.NotLoggedIn(results[i].Status, results[i].Failure):
				noSession++ // nothing to test without a session; not a failure
			default:
				failed++
			}
		}
		msg := fmt.Sprintf("Tested %s: %d active, %d not", plural(len(ids)-noSession, "profile"), active, failed)
		if noSession > 0 {
			msg += fmt.Sprintf("; %d not logged in (log in to test)", noSession)
		}
		if needSecret > 0 {
			msg += fmt.Sprintf("; %d need a secret (not tested)", needSecret)
		}
		w.setStatus(msg)
		w.table.Refresh()
		w.refreshRow(w.m.SelectedID())
	})
}

func (w *Workbench) logoutSelected() {
	r := w.m.Selected()
	if !w.allowed(actLogout, r) {
		return
	}
	w.screens.logout(r.P.ID, r.P.Name) // logout.go
}

// noteKeyring shows the keyring banner when an operation failed because
// the OS keyring is unavailable.
func (w *Workbench) noteKeyring(err error) {
	var ke *credentials.KeyringError
	if errors.As(err, &ke) && ke.Problem != credentials.KeyringTooBig {
		w.showBanner("The OS keyring is not available, so secrets cannot be read or saved: "+ke.Error()+
			". Profiles can still be viewed and exported.", "", nil)
	}
}

// CheckKeyring asks the keyring once, in the background, whether it works,
// and shows the banner if it does not. Listing profiles never needs it.
func (w *Workbench) CheckKeyring() {
	go func() {
		if err := w.ops.CheckKeyring(); err != nil {
			w.do(func() { w.noteKeyring(err) })
		}
	}()
}

func (w *Workbench) showBanner(text, fixLabel string, fix func()) {
	w.bannerText.SetText(text)
	if fix != nil {
		w.bannerFix.SetText(fixLabel)
		w.bannerFix.OnTapped = fix
		w.bannerFix.Show()
	} else {
		w.bannerFix.Hide()
	}
	w.banner.Show()
}

func (w *Workbench) hideBanner() { w.banner.Hide() }

// showCorrupt turns the workbench read-only and offers to start afresh.
func (w *Workbench) showCorrupt(ce *credentials.CorruptError) {
	w.m.SetReadOnly(true)
	msg := fmt.Sprintf("The profile file %s cannot be read: %v.", ce.Path, ce.Err)
	if ce.Backup != "" {
		msg += fmt.Sprintf(" A copy of it is kept at %s.", ce.Backup)
	}
	msg += " Nothing will be written until you repair the file (then press Refresh) or start with an empty list."
	w.showBanner(msg, "Start with an empty list…", func() { w.confirmStartFresh(ce) })
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
			w.hideBanner()
			w.reload()
			w.setStatus("Started with an empty list; the broken file is kept at " + kept)
		})
}

func (w *Workbench) showAbout() {
	w.dialogs.showMessage("About Credential Workbench",
		fmt.Sprintf("Credential Workbench %s\n\nOAuth2 / OpenID Connect credential profiles: test, log in, rotate.\n"+
			"Secrets are kept in the OS keyring.\nProfiles: %s", version.Version, w.repo.Store.Path()))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// resultLine is the status-bar sentence for a test or login outcome.
func resultLine(name string, res oauthflow.Result, err error) string {
	if f, ok := oauthflow.AsFailure(err); ok && res.Failure == nil {
		res.Failure = f
	}
	switch {
	case res.Active():
		return fmt.Sprintf("%s: Active, token valid until %s", name, res.Expiry.Local().Format("15:04:05"))
	case model.NotLoggedIn(res.Status, res.Failure):
		return name + ": Not logged in — press Login (Ctrl+L) to start a session"
	case res.Failure != nil:
		return fmt.Sprintf("%s: Failed (%s): %s", name, res.Failure.Category.Label(), res.Failure.Error())
	case err != nil:
		return fmt.Sprintf("%s: %v", name, err)
	}
	return fmt.Sprintf("%s: %s", name, res.Status)
}
