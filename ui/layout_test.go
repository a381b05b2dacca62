package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

func layoutHarness(t *testing.T) *harness {
	repo := newRepo(t, nil)
	var ps []credentials.Profile
	for i := range 5 {
		ps = append(ps, credentials.Profile{Name: fmt.Sprintf("A rather long profile name number %d", i),
			Type: credentials.TypeApplication, TokenURL: "https://login.example.com/realms/main/protocol/openid-connect/token",
			ClientID: fmt.Sprintf("client-%d", i)})
	}
	seedNoSecrets(t, repo, ps...)
	return newHarness(t, repo, nil)
}

func sum(ws []float32) float32 {
	s := float32(0)
	for _, w := range ws {
		s += w
	}
	return s
}

func TestWindowWorksFrom800x600(t *testing.T) {
	h := layoutHarness(t)
	h.win.Resize(fyne.NewSize(800, 600))
	if min := h.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
		t.Fatalf("the window needs at least %v", min)
	}
	// The rarely used actions move into the More menu, still reachable.
	l := h.wb.toolbarLayout
	if !h.wb.toolbarMore.Visible() || len(l.hidden) == 0 {
		t.Fatal("a narrow window should show More with the buttons that do not fit")
	}
	var right float32
	for _, o := range l.items {
		if o.Visible() {
			right = max(right, o.Position().X+o.Size().Width)
		}
	}
	if right > h.wb.toolbarMore.Position().X {
		t.Errorf("visible buttons reach %v, beyond the More button at %v", right, h.wb.toolbarMore.Position().X)
	}
	menu := l.overflowMenu()
	labels := map[string]bool{}
	for _, it := range menu.Items {
		labels[it.Label] = true
	}
	for _, want := range []string{"About", "Refresh", "Import"} {
		if !labels[want] {
			t.Errorf("More menu lacks %s: %v", want, labels)
		}
	}
	test.Tap(h.wb.toolbarMore)
	if h.wb.menu == nil {
		t.Error("More should open its menu")
	}
	// The columns fit the table: the last header is not cut.
	if got, avail := sum(h.wb.tbl.shownWidths), h.wb.tbl.tableArea.Size().Width; got > avail {
		t.Errorf("columns need %v of %v", got, avail)
	}

	// Wide: the free width goes to Name and Endpoint.
	h.win.Resize(fyne.NewSize(1920, 1080))
	w := h.wb.tbl.shownWidths
	if w[colName] <= defaultColWidths[colName]+50 || w[colEndpoint] <= defaultColWidths[colEndpoint]+50 {
		t.Errorf("at 1920 px Name is %v and Endpoint %v wide", w[colName], w[colEndpoint])
	}
	if avail := h.wb.tbl.tableArea.Size().Width; avail-sum(w)-float32(numCols)*theme.Padding() > 40 {
		t.Errorf("%v px stay empty", avail-sum(w))
	}
	if h.wb.toolbarMore.Visible() {
		t.Error("a wide window needs no More button")
	}
}

func TestRotateAndRefreshHaveDistinctIcons(t *testing.T) {
	h := layoutHarness(t)
	if h.wb.toolbar["Rotate secret"].Icon == h.wb.toolbar["Refresh"].Icon {
		t.Error("Rotate secret and Refresh share an icon")
	}
}

func TestSortOrderIsRemembered(t *testing.T) {
	h := layoutHarness(t)
	test.Tap(h.header(colClientID))
	test.Tap(h.header(colClientID)) // descending
	w2 := newWorkbench(h.app, test.NewTempWindow(t, nil), h.wb.ops, h.q.do)
	if col, desc := w2.m.Sort(); col != colClientID || !desc {
		t.Errorf("new workbench sorts by column %d desc=%v", col, desc)
	}
	if w2.m.View()[0].P.ClientID != "client-4" {
		t.Errorf("first row is %q", w2.m.View()[0].P.ClientID)
	}
}

func TestFitColumns(t *testing.T) {
	pref := defaultColWidths[:]
	total := sum(pref)
	for _, avail := range []float32{500, 760, total, 1400, 1900} {
		got, shown := fitColumns(pref, nil, avail, 0)
		for _, c := range shown {
			if got[c] < minColWidth {
				t.Errorf("at %v column %d is %v wide", avail, c, got[c])
			}
		}
		if s := sum(got); avail >= float32(len(shown))*minColWidth && (s > avail+0.5 || s < avail-0.5) {
			t.Errorf("at %v the columns take %v", avail, s)
		}
	}
}

// Headers are never cut: at 1280 px every column is shown with its whole
// title; at 800 px the least needed columns step aside instead; the widths
// (dividers included) fill the table.
func TestHeadersFitAt1280And800(t *testing.T) {
	h := layoutHarness(t)
	for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 800, Height: 600}, {Width: 1920, Height: 1080}} {
		h.win.Resize(size)
		w, shown := h.wb.tbl.shownWidths, h.wb.tbl.shownCols
		if size.Width >= 1280 && len(shown) != numCols {
			t.Errorf("at %v only columns %v are shown", size, shown)
		}
		for _, c := range []int{colName, colEndpoint, colStatus} {
			if !slices.Contains(shown, c) {
				t.Errorf("at %v column %s is left out", size, colTitles[c])
			}
		}
		used := float32(0)
		for _, c := range shown {
			used += w[c] + theme.Padding()
			if hw := headerWidth(c, c == sortColOf(h.wb.m)); w[c] < hw {
				t.Errorf("at %v the %q header is cut: %v < %v", size, colTitles[c], w[c], hw)
			}
		}
		if avail := h.wb.tbl.tableArea.Size().Width - theme.ScrollBarSize() - theme.Padding(); used > avail+0.5 || used < avail-40 {
			t.Errorf("at %v the columns use %v of %v", size, used, avail)
		}
		if got := h.cell(0, shown[len(shown)-1]); got == nil {
			t.Errorf("at %v the last shown column has no cell", size)
		}
	}
}

func TestStatusFilter(t *testing.T) {
	repo := newRepo(t, nil)
	now := time.Now()
	seedNoSecrets(t, repo,
		credentials.Profile{Name: "Fresh", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "a",
			Bookkeeping: credentials.Bookkeeping{HasSecret: true, LastStatus: credentials.StatusActive, TokenExpiry: now.Add(time.Hour)}},
		credentials.Profile{Name: "Soon", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "b",
			Bookkeeping: credentials.Bookkeeping{HasSecret: true, LastStatus: credentials.StatusActive, TokenExpiry: now.Add(3 * time.Minute)}},
		credentials.Profile{Name: "Broken", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "c",
			Bookkeeping: credentials.Bookkeeping{HasSecret: true, LastStatus: credentials.StatusFailed, LastCategory: "network"}},
		credentials.Profile{Name: "Imported", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "d"},
	)
	h := newHarness(t, repo, nil)
	for choice, want := range map[string][]string{
		statusFailed:      {"Broken"},
		statusNeedsSecret: {"Imported"},
		statusExpiring:    {"Soon"},
		statusActive:      {"Fresh", "Soon"},
		statusAll:         {"Broken", "Fresh", "Imported", "Soon"},
	} {
		h.wb.statusFilter.SetSelected(choice)
		var got []string
		for _, r := range h.wb.m.View() {
			got = append(got, r.P.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s shows %v, want %v", choice, got, want)
		}
	}
}

// TestTreeLabelsFitAt800: the navigation tree's fixed nodes are not cut in
// a narrow window.
func TestTreeLabelsFitAt800(t *testing.T) {
	h := layoutHarness(t)
	h.win.Resize(fyne.NewSize(800, 600))
	seen := map[string]bool{}
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		nn, ok := o.(*navNode)
		if !ok || !nn.Visible() {
			return
		}
		text := nn.label.Text
		if text != "Administration" && text != "Credentials" {
			return
		}
		seen[text] = true
		if need := widget.NewLabel(text).MinSize().Width; nn.label.Size().Width < need {
			t.Errorf("%q has %v of the %v it needs", text, nn.label.Size().Width, need)
		}
	})
	if !seen["Administration"] || !seen["Credentials"] {
		t.Fatalf("tree nodes not found: %v", seen)
	}
}

func sortColOf(m *model.List) int {
	col, _ := m.Sort()
	return col
}
