package ui

import (
	"context"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// Transitional: what the dialogs call on the Workbench until they hold
// their host (uiscreens' screenhost.go); removed when that is merged.

func (w *Workbench) setStatus(s string)                    { w.bar.set(s) }
func (w *Workbench) startWork(label string) func()         { return w.bar.startWork(label) }
func (w *Workbench) noteKeyring(err error)                 { w.banner.keyring(err) }
func (w *Workbench) allowed(act model.Action, r *row) bool { return w.m.Allowed(act, r) }
func (w *Workbench) applyResult(res oauthflow.Result)      { w.m.ApplyResult(res) }
func (w *Workbench) testProfile(id, name string)           { w.tests.one(id, name) }
func (w *Workbench) testMany(rows []*row)                  { w.tests.many(rows) }
func (w *Workbench) selectRow(i int)                       { w.tbl.selectRow(i) }
func (w *Workbench) clearMarks() bool                      { return w.marks.clear() }
func (w *Workbench) applyColumnWidths()                    { w.tbl.applyColumnWidths() }

func (w *Workbench) addProfile() {
	if w.m.ReadOnly() || w.dlg != nil {
		return
	}
	w.openForm(nil)
}

func (w *Workbench) editSelected() {
	r := w.m.Selected()
	if !w.allowed(actEdit, r) || w.dlg != nil {
		return
	}
	w.openForm(r.P)
}

func (w *Workbench) background(label string, op func(ctx context.Context) error, done func(error)) {
	w.work.background(label, op, done)
}

func (w *Workbench) backgroundRow(id string, b model.Busy, op func(ctx context.Context) error, done func(error)) {
	w.work.backgroundRow(id, b, op, done)
}
