package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// growCols take the free width first, and give it back first when the
// window narrows: the long texts (names and URLs).
var growCols = []int{colName, colEndpoint}

// compactColWidths are the widths the columns give up first, in
// shrinkOrder, when the table is narrower than the remembered widths: the
// grant type follows from the type, the times are short, and the name and
// status say most.
var compactColWidths = [numCols]float32{140, 80, 60, 140, 90, 125, 80, 90, 80}

var shrinkOrder = []int{colGrant, colType, colChecked, colExpires, colSecretExpires, colClientID, colEndpoint, colStatus, colName}

// fitColumns turns the remembered column widths into the shown ones so the
// columns share the table's width: spare width goes to Name and Endpoint;
// missing width is taken column by column (least needed first) down to a
// compact width, then from every column in proportion, never below
// minColWidth.
func fitColumns(pref []float32, avail float32) []float32 {
	out := append([]float32(nil), pref...)
	sum := float32(0)
	for _, v := range out {
		sum += v
	}
	diff := avail - sum
	if diff >= 0 {
		for _, c := range growCols {
			out[c] += diff / float32(len(growCols))
		}
		return out
	}
	need := -diff
	for _, c := range shrinkOrder {
		give := min(need, max(out[c]-compactColWidths[c], 0))
		out[c] -= give
		need -= give
	}
	if need <= 0 {
		return out
	}
	shrinkable := float32(0)
	for _, v := range out {
		shrinkable += max(v-minColWidth, 0)
	}
	if shrinkable <= 0 {
		return out
	}
	f := min(need/shrinkable, 1)
	for i, v := range out {
		out[i] = v - max(v-minColWidth, 0)*f
	}
	return out
}

// columnsLayout stacks the table and its empty hint, and fits the columns
// to the width the table gets.
type columnsLayout struct {
	w         *Workbench
	lastWidth float32
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
		l.w.applyColumnWidths()
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// applyColumnWidths sets the shown widths from the remembered ones and the
// table's current width (less the scroll bar's room).
func (w *Workbench) applyColumnWidths() {
	avail := w.tableArea.Size().Width - theme.ScrollBarSize() - theme.Padding()
	if avail <= 0 {
		return
	}
	w.shownWidths = fitColumns(w.colWidths, avail)
	for i, cw := range w.shownWidths {
		w.table.SetColumnWidth(i, cw)
	}
}
