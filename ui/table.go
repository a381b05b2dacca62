package ui

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Columns of the credentials table.
const (
	colName = iota
	colType
	colGrant
	colEndpoint
	colClientID
	colStatus
	colExpires
	colSecretExpires
	colChecked
	numCols
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
		func() (int, int) { return len(w.view), len(w.shownCols) },
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
		switch {
		case h.col != w.sortCol:
			h.icon.Hide()
		case w.sortDesc:
			setIcon(h.icon, theme.MoveDownIcon())
		default:
			setIcon(h.icon, theme.MoveUpIcon())
		}
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row < 0 || id.Row >= len(w.view) {
			return
		}
		id2 := w.view[id.Row].p.ID
		if !w.keepMarks && len(w.marked) > 0 {
			w.marked = nil // a plain selection (keys, click) ends a multiple one
			w.table.Refresh()
		}
		if id2 != w.selected {
			w.selected = id2
			w.details.show(w.view[id.Row])
			w.updateActions()
			w.table.Refresh()
		}
	}
	for i, cw := range w.colWidths {
		t.SetColumnWidth(i, cw)
	}
	w.shownWidths = append([]float32(nil), w.colWidths...)
	prefs := w.app.Preferences()
	if c := prefs.IntWithFallback(prefSortCol, colName); c >= 0 && c < numCols {
		w.sortCol = c
	}
	w.sortDesc = prefs.BoolWithFallback(prefSortDesc, false)
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
	p := r.p
	switch col {
	case colName:
		return p.Name, widget.MediumImportance
	case colType:
		return p.Type.Label(), widget.MediumImportance
	case colGrant:
		return p.GrantType.Label(), widget.MediumImportance
	case colEndpoint:
		return endpointCell(*p), widget.MediumImportance
	case colClientID:
		return p.ClientID, widget.MediumImportance
	case colStatus:
		if st := w.standing(r); st.RenewalFailing() && w.busy[r.p.ID] == "" && !needsSecret(r.p) {
			w.keepWhole(st.Short())
			return st.Short(), widget.WarningImportance // the Expires column has the validity
		}
		return w.statusOf(r)
	case colExpires:
		return w.expiresIn(r), widget.MediumImportance
	case colSecretExpires:
		return credentialExpiryText(*p, w.now())
	case colChecked:
		return shortTime(p.LastChecked, w.now()), widget.MediumImportance
	}
	return "", widget.MediumImportance
}

// endpointCell says which endpoint the Endpoint column shows: "token: …",
// "issuer: …" (discovery finds the token endpoint) or "authorize: …".
func endpointCell(p credentials.Profile) string {
	switch {
	case p.TokenURL != "":
		return "token: " + p.TokenURL
	case p.IssuerURL != "":
		return "issuer: " + p.IssuerURL
	case p.AuthURL != "":
		return "authorize: " + p.AuthURL
	}
	return ""
}

// statusOf spells the status out (never colour alone) and picks its colour.
func (w *Workbench) statusOf(r *row) (string, widget.Importance) {
	if b := w.busy[r.p.ID]; b != "" {
		return b, widget.WarningImportance
	}
	if needsSecret(r.p) {
		return "Needs secret", widget.WarningImportance
	}
	st := w.standing(r)
	switch {
	case st.RenewalFailing():
		// The token still works (credctl token serves it); its renewal does not.
		return st.Text(), widget.WarningImportance
	case st.Status == credentials.StatusActive:
		if r.p.Type == credentials.TypeUser && r.p.LoggedInAs != "" {
			return "Active (" + r.p.LoggedInAs + ")", widget.SuccessImportance
		}
		return "Active", widget.SuccessImportance
	case st.Status == credentials.StatusFailed:
		if r.p.LastCategory != "" {
			return "Failed: " + categoryLabel(r.p.LastCategory), widget.DangerImportance
		}
		return "Failed", widget.DangerImportance
	}
	return string(st.Status), widget.MediumImportance
}

// effectiveStatus is the recorded status as it stands now.
func (w *Workbench) effectiveStatus(r *row) credentials.Status { return r.p.StatusAt(w.now()) }

// standing is the status as shown (oauthflow.StandingOf): Active while a
// token is valid, even when its renewal fails.
func (w *Workbench) standing(r *row) oauthflow.Standing { return oauthflow.StandingOf(*r.p, w.now()) }

func (w *Workbench) expiresIn(r *row) string {
	st := w.standing(r)
	if st.Expiry.IsZero() || st.Status != credentials.StatusActive {
		return "—"
	}
	return countdown(st.Left)
}

// countdown formats a remaining time as "59m 58s", "1h 05m", "12s".
func countdown(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	d = d.Truncate(time.Second)
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %02dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// shortTime shows a time of today as 15:04:05 and others with their date.
func shortTime(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	t = t.Local()
	now = now.Local()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
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
	if id.Row >= len(w.view) {
		c.label.SetText("")
		return
	}
	var bg color.Color = color.Transparent
	if pid := w.view[id.Row].p.ID; pid == w.selected || w.markedRow(pid) {
		bg = theme.Color(theme.ColorNameSelection)
	}
	if c.bg.FillColor != bg {
		c.bg.FillColor = bg
		c.bg.Refresh()
	}
	text, imp := w.cellText(w.view[id.Row], id.Col)
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

// sortView orders the view by the sort column; ties keep name order.
func (w *Workbench) sortView() {
	col, desc := w.sortCol, w.sortDesc
	if col == colName {
		// By name, the order the store keeps (case-insensitive), compared
		// in place: no lower-cased keys for 10,000 rows, and a view already
		// in order (as loaded) is only checked.
		byName := func(a, b *row) int {
			if desc {
				return -credentials.CompareNames(a.p.Name, b.p.Name)
			}
			return credentials.CompareNames(a.p.Name, b.p.Name)
		}
		if !slices.IsSortedFunc(w.view, byName) {
			slices.SortStableFunc(w.view, byName)
		}
		return
	}
	key := func(r *row) string {
		switch col {
		case colStatus:
			s, _ := w.statusOf(r)
			return strings.ToLower(s)
		case colExpires:
			if r.p.TokenExpiry.IsZero() {
				return ""
			}
			return r.p.TokenExpiry.UTC().Format(time.RFC3339)
		case colSecretExpires:
			return expirySortKey(*r.p)
		case colChecked:
			if r.p.LastChecked.IsZero() {
				return ""
			}
			return r.p.LastChecked.UTC().Format(time.RFC3339)
		}
		s, _ := w.cellText(r, col)
		return strings.ToLower(s)
	}
	// Keys are computed once per row, not once per comparison.
	type keyed struct {
		key, name string
		r         *row
	}
	ks := make([]keyed, len(w.view))
	for i, r := range w.view {
		ks[i] = keyed{key(r), strings.ToLower(r.p.Name), r}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		c := cmp.Compare(a.key, b.key)
		if c == 0 {
			c = cmp.Compare(a.name, b.name)
		}
		if desc {
			return -c
		}
		return c
	})
	for i := range ks {
		w.view[i] = ks[i].r
	}
}

// sortBy is what clicking a header does: sort by it, or reverse the order
// when it already is the sort column.
func (w *Workbench) sortBy(col int) {
	if col == w.sortCol {
		w.sortDesc = !w.sortDesc
	} else {
		w.sortCol, w.sortDesc = col, false
	}
	w.app.Preferences().SetInt(prefSortCol, w.sortCol)
	w.app.Preferences().SetBool(prefSortDesc, w.sortDesc)
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
		act, label string
		fn         func()
	}
	all := []entry{
		{actEdit, "Edit…", w.screens.editSelected},
		{actTest, "Test (Ctrl+T)", w.testSelected},
		{actRequest, menuRequest, w.screens.requestSelected},
	}
	if r.p.Type == credentials.TypeUser {
		all = append(all,
			entry{actLogin, "Log in with this credential (Ctrl+L)", w.screens.loginSelected},
			entry{actLogin, menuLoginAnother, w.screens.loginAnotherSelected},
			entry{actLogin, menuLoginDevice, w.screens.loginDeviceSelected},
			entry{actLogout, "Log out", w.logoutSelected})
	}
	all = append(all, entry{actSetSecret, "Set client secret…", w.screens.setSecretSelected})
	if r.p.HasSecret && r.p.Type == credentials.TypeApplication {
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
	if c.id.Row >= len(c.w.view) {
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
