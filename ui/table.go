package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/ui/model"
)

// Columns of the credentials table (model.Col*).
const (
	colName          = model.ColName
	colType          = model.ColType
	colGrant         = model.ColGrant
	colEndpoint      = model.ColEndpoint
	colClientID      = model.ColClientID
	colStatus        = model.ColStatus
	colExpires       = model.ColExpires
	colSecretExpires = model.ColSecretExpires
	colChecked       = model.ColChecked
	numCols          = model.NumCols
)

// row is one profile of the table (ui/model).
type row = model.Row

var colTitles = [numCols]string{"Name", "Type", "Grant type", "Endpoint", "Client ID", "Status", "Expires in", "Secret expires", "Last checked"}

var defaultColWidths = [numCols]float32{140, 90, 120, 220, 120, 150, 80, 95, 100}

// minColWidth keeps a dragged column from vanishing.
const minColWidth = 50

// tableEvents is what the table's cells and headers ask of the window.
type tableEvents struct {
	selected func(r *row)                      // a row became the selected one (keys, clicks)
	click    func(i int, mod fyne.KeyModifier) // a click on a row (Ctrl, Shift: several)
	edit     func()                            // a double click
	menuAt   func(i int) *fyne.Menu            // a right click
	sorted   func()                            // a header click changed the order
	// secretsDue: a credential expires soon, so its column stays.
	secretsDue func() bool
}

// tableView is the credentials table: its cells, headers and columns
// (columns.go), the split with the details pane and the wheel (largelist.go).
type tableView struct {
	m     *model.List
	prefs fyne.Preferences
	win   fyne.Window
	do    func(func())
	stop  <-chan struct{}
	on    tableEvents

	table       *widget.Table
	tableArea   *fyne.Container // the table or, with no profiles, emptyHint
	emptyHint   *fyne.Container
	colWidths   []float32 // as the user set them (remembered)
	shownWidths []float32 // fitted to the table's width, by column (0: left out)
	shownCols   []int     // the columns shown, in order (columns.go)
	split       *container.Split
	splitShown  bool    // the details pane has its share
	headerH     float32 // the table's header height (largelist.go)
	// keepMarks is set while a selection change must not end a multiple
	// selection (OnSelected cannot tell).
	keepMarks bool
	// refreshPending: a refresh of the cells is queued (scheduleRefresh);
	// lastCellRefresh is when the last one ran.
	refreshPending  bool
	lastCellRefresh time.Time
	menu            *fyne.Menu // the last right-click menu
}

func newTableView(m *model.List, prefs fyne.Preferences, win fyne.Window, do func(func()), stop <-chan struct{}, on tableEvents) *tableView {
	t := &tableView{m: m, prefs: prefs, win: win, do: do, stop: stop, on: on}
	t.colWidths = make([]float32, numCols)
	for i := range t.colWidths {
		t.colWidths[i] = float32(prefs.FloatWithFallback(fmt.Sprintf(prefColWidth, i), float64(defaultColWidths[i])))
		if t.colWidths[i] < minColWidth {
			t.colWidths[i] = defaultColWidths[i]
		}
	}
	t.shownCols = make([]int, numCols)
	for i := range t.shownCols {
		t.shownCols[i] = i
	}
	tbl := widget.NewTable(
		func() (int, int) { return len(m.View()), len(t.shownCols) },
		func() fyne.CanvasObject { return newTableCell(t) },
		func(id widget.TableCellID, o fyne.CanvasObject) { t.updateCell(id, o.(*tableCell)) },
	)
	tbl.ShowHeaderRow = true
	tbl.CreateHeader = func() fyne.CanvasObject { return newHeaderCell(t) }
	tbl.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) { t.updateHeader(id, o.(*headerCell)) }
	tbl.OnSelected = func(id widget.TableCellID) {
		view := m.View()
		if id.Row < 0 || id.Row >= len(view) {
			return
		}
		r := view[id.Row]
		changed := r.P.ID != m.Sel.SelectedID()
		// A plain selection (keys, click) ends a multiple one.
		if m.Sel.Select(r.P.ID, t.keepMarks) {
			tbl.Refresh()
		}
		if changed {
			t.on.selected(r)
			tbl.Refresh()
		}
	}
	for i, cw := range t.colWidths {
		tbl.SetColumnWidth(i, cw)
	}
	t.shownWidths = append([]float32(nil), t.colWidths...)
	m.SetSort(prefs.IntWithFallback(prefSortCol, colName), prefs.BoolWithFallback(prefSortDesc, false))
	t.table = tbl
	return t
}

// setIcon shows res in ic, touching it only when that changes.
func setIcon(ic *widget.Icon, res fyne.Resource) {
	if ic.Resource != res {
		ic.SetResource(res)
	}
	if !ic.Visible() {
		ic.Show()
	}
}

func (t *tableView) updateHeader(id widget.TableCellID, h *headerCell) {
	h.col = t.column(id.Col)
	// Every table refresh updates the headers: setting a label re-shapes
	// its text, so only what changed is set.
	if h.label.Text != colTitles[h.col] {
		h.label.SetText(colTitles[h.col])
	}
	// A theme icon, not a Unicode arrow: some fonts lack the glyph.
	sortCol, sortDesc := t.m.Sort()
	switch {
	case h.col != sortCol:
		h.icon.Hide()
	case sortDesc:
		setIcon(h.icon, theme.MoveDownIcon())
	default:
		setIcon(h.icon, theme.MoveUpIcon())
	}
}

// refreshCells updates the visible cells (and headers) from the rows, for
// changes that keep the rows and columns as they are: a result, the
// countdown. A full table.Refresh also builds and measures a new template
// cell and header each time (Fyne caches their renderers for a minute), so
// once a second, or once per event of a 1,000-profile start, it is a heap
// of garbage; this only calls updateCell, which skips unchanged cells.
func (t *tableView) refreshCells() {
	// {-1, -1} is Fyne's "all cells" for RefreshItem (Table.refreshForID);
	// TestTickUpdatesCellsWithoutFullRefresh guards it.
	t.table.RefreshItem(widget.TableCellID{Row: -1, Col: -1})
	t.lastCellRefresh = time.Now() // real time: it spaces refreshes (the list's clock is the one shown)
}

// cellRefreshInterval is the least time between two refreshes of the
// table's cells for events: each one re-shapes every header's text too
// (Fyne refreshes the header row with the cells), which at start-up, with
// the outcomes of 1,000 profiles arriving, was most of the garbage made.
const cellRefreshInterval = 100 * time.Millisecond

// scheduleRefresh refreshes the table's cells once for a burst of
// changes: at once when the last refresh is older than
// cellRefreshInterval, else when it is; changes meanwhile join it.
func (t *tableView) scheduleRefresh() {
	if t.refreshPending {
		return
	}
	t.refreshPending = true
	run := func() {
		t.refreshPending = false
		t.refreshCells()
	}
	wait := time.Until(t.lastCellRefresh.Add(cellRefreshInterval))
	if wait <= 0 {
		t.do(run)
		return
	}
	time.AfterFunc(wait, func() {
		select {
		case <-t.stop:
		default:
			t.do(run)
		}
	})
}

// cellText is what a table cell shows and how it is styled.
func (t *tableView) cellText(r *row, col int) (string, widget.Importance) {
	now := t.m.Now()
	switch col {
	case colStatus:
		text, tone, whole := t.m.ShortStatus(r)
		if whole {
			t.keepWhole(text)
		}
		return text, importance(tone)
	case colExpires:
		return t.m.ExpiresIn(r), widget.MediumImportance
	case colSecretExpires:
		return credentialExpiryText(*r.P, now)
	case colChecked:
		return model.ShortTime(r.P.LastChecked, now), widget.MediumImportance
	}
	return model.Text(r.P, col), widget.MediumImportance
}

// importance is the colour of a tone.
func importance(t model.Tone) widget.Importance {
	switch t {
	case model.ToneSuccess:
		return widget.SuccessImportance
	case model.ToneWarning:
		return widget.WarningImportance
	case model.ToneDanger:
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// column is the column shown at index i (narrow windows leave some out).
func (t *tableView) column(i int) int {
	if i >= 0 && i < len(t.shownCols) {
		return t.shownCols[i]
	}
	return i
}

func (t *tableView) updateCell(id widget.TableCellID, c *tableCell) {
	id.Col = t.column(id.Col)
	c.id = id
	view := t.m.View()
	if id.Row >= len(view) {
		c.label.SetText("")
		return
	}
	var bg color.Color = color.Transparent
	if pid := view[id.Row].P.ID; pid == t.m.Sel.SelectedID() || t.m.Sel.Marked(pid) {
		bg = theme.Color(theme.ColorNameSelection)
	}
	if c.bg.FillColor != bg {
		c.bg.FillColor = bg
		c.bg.Refresh()
	}
	text, imp := t.cellText(view[id.Row], id.Col)
	bold := id.Col == colStatus && imp != widget.MediumImportance
	// Refreshing a label re-shapes its text, the bulk of the table's cost:
	// only touch cells that changed (the countdown ticks every second).
	if c.label.Text == text && c.label.Importance == imp && c.label.TextStyle.Bold == bold {
		return
	}
	c.label.Importance = imp
	c.label.TextStyle.Bold = bold
	c.label.SetText(text)
}

// sortBy is what clicking a header does: sort by it, or reverse the order
// when it already is the sort column.
func (t *tableView) sortBy(col int) {
	t.m.SortBy(col)
	sortCol, sortDesc := t.m.Sort()
	t.prefs.SetInt(prefSortCol, sortCol)
	t.prefs.SetBool(prefSortDesc, sortDesc)
	t.applyColumnWidths() // the sort arrow needs room in its header
	t.on.sorted()
}

// setColumnWidth resizes a column (then the columns share the width again)
// and remembers its width.
func (t *tableView) setColumnWidth(col int, width float32) {
	width = max(width, minColWidth)
	t.colWidths[col] = width
	t.applyColumnWidths()
}

func (t *tableView) saveColumnWidth(col int) {
	t.prefs.SetFloat(fmt.Sprintf(prefColWidth, col), float64(t.colWidths[col]))
}

// selectRow selects the profile shown in table row i.
func (t *tableView) selectRow(i int) {
	if i < 0 || i >= len(t.m.View()) {
		return
	}
	t.table.Select(widget.TableCellID{Row: i, Col: 0})
}

// selectKeepingMarks selects row i without ending a multiple selection.
func (t *tableView) selectKeepingMarks(i int) {
	t.keepMarks = true
	defer func() { t.keepMarks = false }()
	t.selectRow(i)
}

// moveBy moves the selection n rows down (or up), stopping at the ends;
// with nothing selected it selects the first row.
func (t *tableView) moveBy(n int, down bool) {
	view := t.m.View()
	if len(view) == 0 {
		return
	}
	i := t.m.ViewIndex(t.m.Sel.SelectedID())
	switch {
	case i < 0:
		i = 0
	case down:
		i = min(i+n, len(view)-1)
	default:
		i = max(i-n, 0)
	}
	t.moveTo(i)
}

// moveTo selects table row i and scrolls to it.
func (t *tableView) moveTo(i int) {
	if i < 0 || i >= len(t.m.View()) {
		return
	}
	t.selectRow(i)
	t.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
}

// pageRows is how many rows PageUp/PageDown move: about one screen.
func (t *tableView) pageRows() int {
	rowH := t.table.MinSize().Height
	if c := newTableCell(t); c != nil {
		rowH = c.MinSize().Height + theme.Padding()
	}
	if rowH <= 0 {
		return 10
	}
	return max(int(t.table.Size().Height/rowH)-1, 1)
}

// key moves the selection for the arrow keys, Page Up/Down, Home and End.
func (t *tableView) key(name fyne.KeyName) {
	switch name {
	case fyne.KeyUp, fyne.KeyDown:
		t.moveBy(1, name == fyne.KeyDown)
	case fyne.KeyPageUp, fyne.KeyPageDown:
		t.moveBy(t.pageRows(), name == fyne.KeyPageDown)
	case fyne.KeyHome:
		t.moveTo(0)
	case fyne.KeyEnd:
		t.moveTo(len(t.m.View()) - 1)
	}
}

// layOut puts the table and, while there are no profiles, the hint with
// its button (add) into the table's area.
func (t *tableView) layOut(add func()) {
	addFirst := widget.NewButtonWithIcon("Add your first profile", theme.ContentAddIcon(), add)
	addFirst.Importance = widget.HighImportance
	t.emptyHint = container.NewCenter(container.NewVBox(
		widget.NewLabelWithStyle("No credential profiles yet", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle("A profile holds an OAuth client: its endpoints, client ID and scope.\n"+
			"Its secret goes to the OS keyring, never to a file.", fyne.TextAlignCenter, fyne.TextStyle{}),
		container.NewCenter(addFirst),
	))
	t.tableArea = container.New(&columnsLayout{t: t}, t.table, t.emptyHint)
}

// tableCell is a table cell that knows its row, so a double click edits and
// a right click opens the row menu.
type tableCell struct {
	widget.BaseWidget
	t     *tableView
	id    widget.TableCellID
	mod   fyne.KeyModifier // held at the last mouse press
	label *widget.Label
	bg    *canvas.Rectangle // the selection colour across the whole row
}

var (
	_ fyne.Tappable          = (*tableCell)(nil)
	_ fyne.DoubleTappable    = (*tableCell)(nil)
	_ fyne.SecondaryTappable = (*tableCell)(nil)
)

func newTableCell(t *tableView) *tableCell {
	c := &tableCell{t: t, label: widget.NewLabel("Template text"), bg: canvas.NewRectangle(color.Transparent)}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.ExtendBaseWidget(c)
	return c
}

func (c *tableCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, c.label))
}

// Tapped selects the row and takes the focus away from the filter, so
// Enter and Delete act on the selection.
func (c *tableCell) Tapped(*fyne.PointEvent) {
	c.t.on.click(c.id.Row, c.mod) // Ctrl / Shift: several rows (multiselect.go)
	c.mod = 0
	c.t.win.Canvas().Unfocus()
}

// MouseDown notes the modifiers for Tapped (which has none).
func (c *tableCell) MouseDown(e *desktop.MouseEvent) { c.mod = e.Modifier }
func (c *tableCell) MouseUp(*desktop.MouseEvent)     {}

func (c *tableCell) DoubleTapped(*fyne.PointEvent) {
	c.t.selectRow(c.id.Row)
	c.t.on.edit()
}

func (c *tableCell) TappedSecondary(e *fyne.PointEvent) {
	if c.id.Row >= len(c.t.m.View()) {
		return
	}
	c.t.menu = c.t.on.menuAt(c.id.Row) // multiselect.go: keeps a multiple selection
	widget.ShowPopUpMenuAtPosition(c.t.menu, c.t.win.Canvas(), e.AbsolutePosition)
}

// headerCell sorts on click and resizes its column when dragged sideways.
type headerCell struct {
	widget.BaseWidget
	t     *tableView
	col   int
	label *widget.Label
	icon  *widget.Icon // the sort direction on the sort column
}

var (
	_ fyne.Tappable  = (*headerCell)(nil)
	_ fyne.Draggable = (*headerCell)(nil)
)

func newHeaderCell(t *tableView) *headerCell {
	h := &headerCell{t: t, label: widget.NewLabelWithStyle("Last checked", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		icon: widget.NewIcon(theme.MoveDownIcon())}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, h.icon, h.label))
}

func (h *headerCell) Tapped(*fyne.PointEvent) { h.t.sortBy(h.col) }

func (h *headerCell) Dragged(e *fyne.DragEvent) {
	h.t.setColumnWidth(h.col, h.t.colWidths[h.col]+e.Dragged.DX)
}

func (h *headerCell) DragEnd() { h.t.saveColumnWidth(h.col) }
