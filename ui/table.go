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

	"github.com/credworkbench/credworkbench/credentials"
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

var colTitles = [numCols]string{"Name", "Type", "Grant type", "Endpoint", "Client ID", "Status", "Expires in", "Secret expires", "Last checked"}

var defaultColWidths = [numCols]float32{140, 90, 120, 220, 120, 150, 80, 95, 100}

// minColWidth keeps a dragged column from vanishing.
const minColWidth = 50

func (w *Workbench) buildTable() {
	w.colWidths = make([]float32, numCols)
	for i := range w.colWidths {
		w.colWidths[i] = float32(w.app.Preferences().FloatWithFallback(fmt.Sprintf(prefColWidth, i), float64(defaultColWidths[i])))
		if w.colWidths[i] < minColWidth {
			w.colWidths[i] = defaultColWidths[i]
		}
	}
	w.shownCols = make([]int, numCols)
	for i := range w.shownCols {
		w.shownCols[i] = i
	}
	t := widget.NewTable(
		func() (int, int) { return len(w.m.View()), len(w.shownCols) },
		func() fyne.CanvasObject { return newTableCell(w) },
		func(id widget.TableCellID, o fyne.CanvasObject) { w.updateCell(id, o.(*tableCell)) },
	)
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject { return newHeaderCell(w) }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		h := o.(*headerCell)
		h.col = w.column(id.Col)
		// Every table refresh updates the headers: setting a label re-shapes
		// its text, so only what changed is set.
		if h.label.Text != colTitles[h.col] {
			h.label.SetText(colTitles[h.col])
		}
		// A theme icon, not a Unicode arrow: some fonts lack the glyph.
		sortCol, sortDesc := w.m.Sort()
		switch {
		case h.col != sortCol:
			h.icon.Hide()
		case sortDesc:
			setIcon(h.icon, theme.MoveDownIcon())
		default:
			setIcon(h.icon, theme.MoveUpIcon())
		}
	}
	t.OnSelected = func(id widget.TableCellID) {
		view := w.m.View()
		if id.Row < 0 || id.Row >= len(view) {
			return
		}
		r := view[id.Row]
		changed := r.P.ID != w.m.SelectedID()
		// A plain selection (keys, click) ends a multiple one.
		if w.m.Select(r.P.ID, w.keepMarks) {
			w.table.Refresh()
		}
		if changed {
			w.details.show(r)
			w.updateActions()
			w.table.Refresh()
		}
	}
	for i, cw := range w.colWidths {
		t.SetColumnWidth(i, cw)
	}
	w.shownWidths = append([]float32(nil), w.colWidths...)
	prefs := w.app.Preferences()
	w.m.SetSort(prefs.IntWithFallback(prefSortCol, colName), prefs.BoolWithFallback(prefSortDesc, false))
	w.table = t
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

// refreshCells updates the visible cells (and headers) from the rows, for
// changes that keep the rows and columns as they are: a result, the
// countdown. A full table.Refresh also builds and measures a new template
// cell and header each time (Fyne caches their renderers for a minute), so
// once a second, or once per event of a 1,000-profile start, it is a heap
// of garbage; this only calls updateCell, which skips unchanged cells.
func (w *Workbench) refreshCells() {
	// {-1, -1} is Fyne's "all cells" for RefreshItem (Table.refreshForID);
	// TestTickUpdatesCellsWithoutFullRefresh guards it.
	w.table.RefreshItem(widget.TableCellID{Row: -1, Col: -1})
	w.lastCellRefresh = time.Now() // real time: it spaces refreshes (w.now is the clock shown)
}

// cellText is what a table cell shows and how it is styled.
func (w *Workbench) cellText(r *row, col int) (string, widget.Importance) {
	switch col {
	case colStatus:
		text, tone, whole := w.m.ShortStatus(r)
		if whole {
			w.keepWhole(text)
		}
		return text, importance(tone)
	case colExpires:
		return w.m.ExpiresIn(r), widget.MediumImportance
	case colSecretExpires:
		return credentialExpiryText(*r.P, w.now())
	case colChecked:
		return model.ShortTime(r.P.LastChecked, w.now()), widget.MediumImportance
	}
	return model.Text(r.P, col), widget.MediumImportance
}

// statusOf is a row's status in words and colour.
func (w *Workbench) statusOf(r *row) (string, widget.Importance) {
	text, tone := w.m.Status(r)
	return text, importance(tone)
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
func (w *Workbench) column(i int) int {
	if i >= 0 && i < len(w.shownCols) {
		return w.shownCols[i]
	}
	return i
}

func (w *Workbench) updateCell(id widget.TableCellID, c *tableCell) {
	id.Col = w.column(id.Col)
	c.id = id
	view := w.m.View()
	if id.Row >= len(view) {
		c.label.SetText("")
		return
	}
	var bg color.Color = color.Transparent
	if pid := view[id.Row].P.ID; pid == w.m.SelectedID() || w.m.Marked(pid) {
		bg = theme.Color(theme.ColorNameSelection)
	}
	if c.bg.FillColor != bg {
		c.bg.FillColor = bg
		c.bg.Refresh()
	}
	text, imp := w.cellText(view[id.Row], id.Col)
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
func (w *Workbench) sortBy(col int) {
	w.m.SortBy(col)
	sortCol, sortDesc := w.m.Sort()
	w.app.Preferences().SetInt(prefSortCol, sortCol)
	w.app.Preferences().SetBool(prefSortDesc, sortDesc)
	w.applyColumnWidths() // the sort arrow needs room in its header
	w.applyView()
}

// setColumnWidth resizes a column (then the columns share the width again)
// and remembers its width.
func (w *Workbench) setColumnWidth(col int, width float32) {
	width = max(width, minColWidth)
	w.colWidths[col] = width
	w.applyColumnWidths()
}

func (w *Workbench) saveColumnWidth(col int) {
	w.app.Preferences().SetFloat(fmt.Sprintf(prefColWidth, col), float64(w.colWidths[col]))
}

const (
	menuRequest      = "Send a test request… (Ctrl+R)"
	menuLoginAnother = "Log in as another user…"
)

// rowMenu is the right-click menu of a row: the toolbar's actions, enabled
// by the same rule as the toolbar.
func (w *Workbench) rowMenu(r *row) *fyne.Menu {
	type entry struct {
		act   model.Action
		label string
		fn    func()
	}
	all := []entry{
		{actEdit, "Edit…", w.screens.editSelected},
		{actTest, "Test (Ctrl+T)", w.testSelected},
		{actRequest, menuRequest, w.screens.requestSelected},
	}
	if r.P.Type == credentials.TypeUser {
		all = append(all,
			entry{actLogin, "Log in with this credential (Ctrl+L)", w.screens.loginSelected},
			entry{actLogin, menuLoginAnother, w.screens.loginAnotherSelected},
			entry{actLogin, menuLoginDevice, w.screens.loginDeviceSelected},
			entry{actLogout, "Log out", w.logoutSelected})
	}
	all = append(all, entry{actSetSecret, "Set client secret…", w.screens.setSecretSelected})
	if r.P.HasSecret && r.P.Type == credentials.TypeApplication {
		all = append(all, entry{actRotate, "Rotate secret…", w.screens.rotateSelected})
	}
	var items []*fyne.MenuItem
	for _, e := range all {
		it := fyne.NewMenuItem(e.label, e.fn)
		it.Disabled = !w.allowed(e.act, r)
		items = append(items, it)
	}
	del := fyne.NewMenuItem("Delete…", w.screens.deleteSelected)
	del.Disabled = !w.allowed(actDelete, r)
	items = append(items, fyne.NewMenuItemSeparator(), del)
	return fyne.NewMenu("", items...)
}

// tableCell is a table cell that knows its row, so a double click edits and
// a right click opens the row menu.
type tableCell struct {
	widget.BaseWidget
	w     *Workbench
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

func newTableCell(w *Workbench) *tableCell {
	c := &tableCell{w: w, label: widget.NewLabel("Template text"), bg: canvas.NewRectangle(color.Transparent)}
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
	c.w.clickRow(c.id.Row, c.mod) // Ctrl / Shift: several rows (multiselect.go)
	c.mod = 0
	c.w.win.Canvas().Unfocus()
}

// MouseDown notes the modifiers for Tapped (which has none).
func (c *tableCell) MouseDown(e *desktop.MouseEvent) { c.mod = e.Modifier }
func (c *tableCell) MouseUp(*desktop.MouseEvent)     {}

func (c *tableCell) DoubleTapped(*fyne.PointEvent) {
	c.w.selectRow(c.id.Row)
	c.w.screens.editSelected()
}

func (c *tableCell) TappedSecondary(e *fyne.PointEvent) {
	if c.id.Row >= len(c.w.m.View()) {
		return
	}
	c.w.menu = c.w.rowMenuAt(c.id.Row) // multiselect.go: keeps a multiple selection
	widget.ShowPopUpMenuAtPosition(c.w.menu, c.w.win.Canvas(), e.AbsolutePosition)
}

// headerCell sorts on click and resizes its column when dragged sideways.
type headerCell struct {
	widget.BaseWidget
	w     *Workbench
	col   int
	label *widget.Label
	icon  *widget.Icon // the sort direction on the sort column
}

var (
	_ fyne.Tappable  = (*headerCell)(nil)
	_ fyne.Draggable = (*headerCell)(nil)
)

func newHeaderCell(w *Workbench) *headerCell {
	h := &headerCell{w: w, label: widget.NewLabelWithStyle("Last checked", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		icon: widget.NewIcon(theme.MoveDownIcon())}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, h.icon, h.label))
}

func (h *headerCell) Tapped(*fyne.PointEvent) { h.w.sortBy(h.col) }

func (h *headerCell) Dragged(e *fyne.DragEvent) {
	h.w.setColumnWidth(h.col, h.w.colWidths[h.col]+e.Dragged.DX)
}

func (h *headerCell) DragEnd() { h.w.saveColumnWidth(h.col) }
