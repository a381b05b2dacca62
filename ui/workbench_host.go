package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// workbenchHost is the Workbench as the screens see it (screenhost.go):
// the one place that reaches into the window's rows and maps for them.
type workbenchHost struct{ w *Workbench }

var _ screenHost = workbenchHost{}

func (h workbenchHost) window() fyne.Window              { return h.w.win }
func (h workbenchHost) clipboard() fyne.Clipboard        { return h.w.app.Clipboard() }
func (h workbenchHost) preferences() fyne.Preferences    { return h.w.app.Preferences() }
func (h workbenchHost) dialogs() *dialogs                { return h.w.dialogs }
func (h workbenchHost) onUI(fn func())                   { h.w.do(fn) }
func (h workbenchHost) clock() time.Time                 { return h.w.now() }
func (h workbenchHost) appContext() context.Context      { return h.w.ctx }
func (h workbenchHost) setStatus(msg string)             { h.w.setStatus(msg) }
func (h workbenchHost) noteKeyring(err error)            { h.w.noteKeyring(err) }
func (h workbenchHost) service() Operations              { return h.w.ops }
func (h workbenchHost) startWork(label string) func()    { return h.w.startWork(label) }
func (h workbenchHost) isReadOnly() bool                 { return h.w.readOnly }
func (h workbenchHost) applyResult(res oauthflow.Result) { h.w.applyResult(res) }
func (h workbenchHost) reload()                          { h.w.reload() }
func (h workbenchHost) testOne(id, name string)          { h.w.testProfile(id, name) }
func (h workbenchHost) dropResult(id string)             { delete(h.w.live, id) }
func (h workbenchHost) isBusy(id string) bool            { return h.w.busy[id] != "" }

func (h workbenchHost) clearSelection() {
	h.w.marked = nil
	h.w.selected = ""
}

func (h workbenchHost) background(id, label string, op func(ctx context.Context) error, done func(error)) {
	h.w.background(id, label, op, done)
}

func (h workbenchHost) setBusy(id, label string) {
	h.w.busy[id] = label
	h.w.refreshRow(id)
}

func (h workbenchHost) clearBusy(id string) {
	delete(h.w.busy, id)
	h.w.refreshRow(id)
}

func (h workbenchHost) profileOf(id string) *credentials.Profile {
	if r := h.w.findRow(id); r != nil {
		return r.p
	}
	return nil
}

func (h workbenchHost) allProfiles() []*credentials.Profile {
	out := make([]*credentials.Profile, len(h.w.rows))
	for i, r := range h.w.rows {
		out[i] = r.p
	}
	return out
}

func (h workbenchHost) selectedProfile() *credentials.Profile {
	if r := h.w.selectedRow(); r != nil {
		return r.p
	}
	return nil
}

func (h workbenchHost) selectionProfiles() []*credentials.Profile {
	rows := h.w.multi()
	if rows == nil {
		return nil
	}
	out := make([]*credentials.Profile, len(rows))
	for i, r := range rows {
		out[i] = r.p
	}
	return out
}

func (h workbenchHost) may(act, id string) bool {
	var r *row
	if id != "" {
		r = h.w.findRow(id)
	}
	return h.w.allowed(act, r)
}

func (h workbenchHost) applyLogout(id string) {
	delete(h.w.live, id)
	if r := h.w.findRow(id); r != nil {
		p := r.edit()
		p.LastStatus, p.TokenExpiry, p.LoggedInAs = credentials.StatusLoggedOut, time.Time{}, ""
	}
}

func (h workbenchHost) forget(id string) {
	delete(h.w.live, id)
	delete(h.w.history, id)
	if h.w.selected == id {
		h.w.selected = ""
	}
}

func (h workbenchHost) selectSaved(id string) {
	h.w.selected = id
	h.w.reload()
	if i := h.w.viewIndex(id); i >= 0 {
		h.w.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
	}
}

func (h workbenchHost) testMany(ids []string) {
	var rows []*row
	for _, id := range ids {
		if r := h.w.findRow(id); r != nil {
			rows = append(rows, r)
		}
	}
	if len(rows) > 0 {
		h.w.testMany(rows)
	}
}

func (h workbenchHost) reveal(id string) bool {
	w := h.w
	if w.viewIndex(id) < 0 {
		w.filter.SetText("")
		w.statusFilter.SetSelected(statusAll)
	}
	w.clearMarks()
	w.selectRow(w.viewIndex(id))
	return w.selected == id
}

func (h workbenchHost) secretsDueChanged() {
	if h.w.tableArea != nil {
		h.w.applyColumnWidths()
	}
}
