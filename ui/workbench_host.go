package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// workbenchHost is the Workbench as the screens see it (screenhost.go):
// the one place that reaches into the window's model for them.
type workbenchHost struct{ w *Workbench }

var _ screenHost = workbenchHost{}

func (h workbenchHost) window() fyne.Window              { return h.w.win }
func (h workbenchHost) clipboard() fyne.Clipboard        { return h.w.app.Clipboard() }
func (h workbenchHost) preferences() fyne.Preferences    { return h.w.app.Preferences() }
func (h workbenchHost) dialogs() *dialogs                { return h.w.dialogs }
func (h workbenchHost) onUI(fn func())                   { h.w.do(fn) }
func (h workbenchHost) clock() time.Time                 { return h.w.now() }
func (h workbenchHost) appContext() context.Context      { return h.w.ctx }
func (h workbenchHost) setStatus(msg string)             { h.w.bar.set(msg) }
func (h workbenchHost) noteKeyring(err error)            { h.w.banner.keyring(err) }
func (h workbenchHost) service() Operations              { return h.w.ops }
func (h workbenchHost) startWork(label string) func()    { return h.w.bar.startWork(label) }
func (h workbenchHost) isReadOnly() bool                 { return h.w.m.ReadOnly() }
func (h workbenchHost) applyResult(res oauthflow.Result) { h.w.m.ApplyResult(res) }
func (h workbenchHost) dropResult(id string)             { h.w.m.DropResult(id) }
func (h workbenchHost) clearSelection()                  { h.w.m.Sel.Unselect() }
func (h workbenchHost) reload()                          { h.w.reload() }
func (h workbenchHost) testOne(id, name string)          { h.w.tests.one(id, name) }

func (h workbenchHost) background(label string, op func(ctx context.Context) error, done func(error)) {
	h.w.work.background(label, op, done)
}

func (h workbenchHost) backgroundRow(id string, b model.Busy, op func(ctx context.Context) error, done func(error)) {
	h.w.work.backgroundRow(id, b, op, done)
}

func (h workbenchHost) setBusy(id string, b model.Busy) {
	h.w.m.SetBusy(id, b)
	h.w.refreshRow(id)
}

func (h workbenchHost) profileOf(id string) *credentials.Profile {
	if r := h.w.m.Find(id); r != nil {
		return r.P
	}
	return nil
}

// profilesOf are the rows' profiles.
func profilesOf(rows []*row) []*credentials.Profile {
	if rows == nil {
		return nil
	}
	out := make([]*credentials.Profile, len(rows))
	for i, r := range rows {
		out[i] = r.P
	}
	return out
}

// rowsOf are the rows of the profiles still shown.
func (h workbenchHost) rowsOf(ps []*credentials.Profile) []*row {
	var rows []*row
	for _, p := range ps {
		if r := h.w.m.Find(p.ID); r != nil {
			rows = append(rows, r)
		}
	}
	return rows
}

func (h workbenchHost) allProfiles() []*credentials.Profile { return profilesOf(h.w.m.Rows()) }
func (h workbenchHost) selectionProfiles() []*credentials.Profile {
	return profilesOf(h.w.m.Sel.Multi())
}
func (h workbenchHost) idleIDs(ps []*credentials.Profile) []string {
	return h.w.m.IdleIDs(h.rowsOf(ps))
}
func (h workbenchHost) takesSecret(ps []*credentials.Profile) []string {
	return h.w.m.TakesSecret(h.rowsOf(ps))
}

func (h workbenchHost) selectedProfile() *credentials.Profile {
	if r := h.w.m.Sel.Selected(); r != nil {
		return r.P
	}
	return nil
}

func (h workbenchHost) may(act model.Action, id string) bool {
	if id == "" {
		return h.w.m.Allowed(act, nil)
	}
	return h.w.m.Allowed(act, h.w.m.Find(id))
}

func (h workbenchHost) forget(id string) {
	h.w.m.DropResult(id)
	h.w.m.Forget(id)
	if h.w.m.Sel.SelectedID() == id {
		h.w.m.Sel.Select("", true)
	}
}

func (h workbenchHost) selectSaved(id string) {
	h.w.m.Sel.Select(id, true)
	h.w.reload()
	if i := h.w.m.ViewIndex(id); i >= 0 {
		h.w.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
	}
}

func (h workbenchHost) testMany(ids []string) {
	var rows []*row
	for _, id := range ids {
		if r := h.w.m.Find(id); r != nil {
			rows = append(rows, r)
		}
	}
	if len(rows) > 0 {
		h.w.tests.many(rows)
	}
}

func (h workbenchHost) reveal(id string) bool {
	w := h.w
	if w.m.ViewIndex(id) < 0 {
		w.filter.SetText("")
		w.statusFilter.SetSelected(statusAll)
	}
	w.marks.clear()
	w.tbl.selectRow(w.m.ViewIndex(id))
	return w.m.Sel.SelectedID() == id
}

func (h workbenchHost) secretsDueChanged() {
	if h.w.tbl != nil && h.w.tbl.tableArea != nil {
		h.w.tbl.applyColumnWidths()
	}
}
