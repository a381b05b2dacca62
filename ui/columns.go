package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/credworkbench/credworkbench/credentials"
)

// growCols take the free width first, and give it back first when the
// window narrows: the long texts (names and URLs).
var growCols = []int{colName, colEndpoint}

// compactColWidths are the widths the columns give up first, in
// shrinkOrder, when the table is narrower than the remembered widths: the
// grant type follows from the type, the times are short, and the name and
// status say most.
var compactColWidths = [numCols]float32{120, 80, 60, 120, 90, 110, 80, 90, 80}

var shrinkOrder = []int{colGrant, colType, colChecked, colExpires, colSecretExpires, colClientID, colEndpoint, colStatus, colName}

// hideOrder is the order in which columns leave a table too narrow for
// every column at its header's width (an 800 px window): what the details
// pane shows anyway and the rows need least. Name, Endpoint, Status and
// Expires in always stay.
var hideOrder = []int{colGrant, colSecretExpires, colType, colChecked, colClientID}

// headerWidth is what column col needs for its title uncut (bold, with
// the label's padding), and the sort arrow beside it on the sort column.
func headerWidth(col int, sorted bool) float32 {
	t := fyne.MeasureText(colTitles[col], theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
	if sorted {
		t += theme.IconInlineSize() + theme.Padding()
	}
	return float32(int(t)) + 1
}

// cellWidth is what a cell needs to show the longest of texts uncut.
func cellWidth(texts ...string) float32 { return cellWidthStyled(fyne.TextStyle{}, texts...) }

func cellWidthStyled(style fyne.TextStyle, texts ...string) float32 {
	m := float32(0)
	for _, t := range texts {
		m = max(m, fyne.MeasureText(t, theme.TextSize(), style).Width)
	}
	return float32(int(m+2*theme.InnerPadding())) + 1
}

// keepWhole makes the Status column wide enough for text while a row shows
// it: the table's "Active — renewal failing (Network)" says two facts, and
// a cut one says neither. releaseWhole gives the room back.
func (t *tableView) keepWhole(text string) {
	l, ok := t.tableArea.Layout.(*columnsLayout)
	if !ok || len(text) <= len(l.statusText) {
		return
	}
	l.statusText = text
	t.do(t.applyColumnWidths) // not inside the table's own refresh
}

// fitColumns turns the remembered column widths into the shown ones so the
// columns share the table's width (avail, each shown column also costing
// sep for its divider): spare width goes to Name and Endpoint; missing
// width is taken column by column (least needed first) down to a compact
// width no narrower than the column's header (floor), then, while the
// compact widths still do not fit, columns are left out in hideOrder, and
// last the rest shrink in proportion, never below minColWidth. widths is
// by column (0 for a column left out); shown lists the columns shown.
func fitColumns(pref, floor []float32, avail, sep float32) (widths []float32, shown []int) {
	return fitColumnsHiding(pref, floor, avail, sep, hideOrder)
}

// fitColumnsHiding is fitColumns leaving columns out in the order hide.
func fitColumnsHiding(pref, floor []float32, avail, sep float32, hide []int) (widths []float32, shown []int) {
	compact := func(c int) float32 {
		v := min(compactColWidths[c], max(pref[c], minColWidth))
		if floor != nil {
			v = max(v, floor[c])
		}
		return v
	}
	hidden := map[int]bool{}
	need := func() float32 {
		s := float32(0)
		for c := range pref {
			if !hidden[c] {
				s += compact(c) + sep
			}
		}
		return s
	}
	for _, c := range hide {
		if need() <= avail {
			break
		}
		hidden[c] = true
	}
	for c := range pref {
		if !hidden[c] {
			shown = append(shown, c)
		}
	}
	avail -= sep * float32(len(shown))

	out := make([]float32, len(pref))
	sum := float32(0)
	for _, c := range shown {
		out[c] = pref[c]
		if floor != nil {
			out[c] = max(out[c], floor[c]) // a remembered width that cut the header
		}
		sum += out[c]
	}
	diff := avail - sum
	if diff >= 0 {
		for _, c := range growCols {
			out[c] += diff / float32(len(growCols))
		}
		return out, shown
	}
	short := -diff
	for _, c := range shrinkOrder {
		if hidden[c] {
			continue
		}
		give := min(short, max(out[c]-compact(c), 0))
		out[c] -= give
		short -= give
	}
	if short <= 0 {
		return out, shown
	}
	shrinkable := float32(0)
	for _, c := range shown {
		shrinkable += max(out[c]-minColWidth, 0)
	}
	if shrinkable <= 0 {
		return out, shown
	}
	f := min(short/shrinkable, 1)
	for _, c := range shown {
		out[c] -= max(out[c]-minColWidth, 0) * f
	}
	return out, shown
}

// columnsLayout stacks the table and its empty hint, and fits the columns
// to the width the table gets.
type columnsLayout struct {
	t         *tableView
	lastWidth float32
	// statusText is the longest status a cell had to show whole beyond
	// the header ("Active — renewal failing (Network)"), "" for none.
	statusText string
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.lastWidth {
		l.lastWidth = size.Width
		l.t.applyColumnWidths()
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// applyColumnWidths sets the shown widths from the remembered ones and the
// table's current width (less the scroll bar's room), and which columns
// are shown at all.
func (t *tableView) applyColumnWidths() {
	avail := t.tableArea.Size().Width - theme.ScrollBarSize() - theme.Padding()
	if avail <= 0 {
		return
	}
	sortCol, _ := t.m.Sort()
	floor := make([]float32, numCols)
	for c := range floor {
		floor[c] = headerWidth(c, c == sortCol)
	}
	// Type and grant type are short words: shown whole, never cut.
	floor[colType] = max(floor[colType], cellWidth(credentials.TypeApplication.Label(), credentials.TypeUser.Label()))
	floor[colGrant] = max(floor[colGrant], cellWidth(credentials.GrantClientCredentials.Label(), credentials.GrantAuthorizationCode.Label()))
	if l, ok := t.tableArea.Layout.(*columnsLayout); ok && l.statusText != "" {
		floor[colStatus] = max(floor[colStatus], cellWidthStyled(fyne.TextStyle{Bold: true}, l.statusText))
	}
	hide := hideOrder
	if t.on.secretsDue() {
		// A secret expires soon: its column stays (others leave first).
		hide = slices.DeleteFunc(slices.Clone(hideOrder), func(c int) bool { return c == colSecretExpires })
	}
	widths, shown := fitColumnsHiding(t.colWidths, floor, avail, theme.Padding(), hide)
	t.shownWidths = widths
	changed := !slices.Equal(shown, t.shownCols)
	t.shownCols = shown
	for i, c := range shown {
		t.table.SetColumnWidth(i, widths[c])
	}
	if changed {
		t.table.Refresh()
	}
}

// releaseWhole gives the other columns their room back once no row needs
// the wide Status any more (the renewal recovered, or the token ran out).
func (t *tableView) releaseWhole() {
	l, ok := t.tableArea.Layout.(*columnsLayout)
	if !ok || l.statusText == "" {
		return
	}
	if t.m.RenewalFailing() {
		return
	}
	l.statusText = ""
	t.applyColumnWidths()
}
