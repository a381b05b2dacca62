package ui

import (
	"context"
	"fmt"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

func (w *Workbench) deleteSelected() {
	if rows := w.m.Multi(); rows != nil {
		w.deleteMany(rows) // multiselect.go: one confirmation listing them
		return
	}
	r := w.m.Selected()
	if !w.allowed(actDelete, r) || w.dlg != nil {
		return
	}
	id, name := r.P.ID, r.P.Name
	used := ""
	if ts := w.nav.transportsUsing(id); len(ts) > 0 {
		used = fmt.Sprintf("\n\nIt is the credential of transport(s) %s, which will then have no credential.", quoteList(ts))
	}
	w.showConfirm("Delete profile",
		fmt.Sprintf("Delete the profile %q?\n\nIts settings and its secrets in the OS keyring are removed. This cannot be undone.%s", name, used),
		"Delete", func() {
			w.backgroundRow(id, model.BusyDeleting, func(ctx context.Context) error {
				return w.ops.Delete(id, oauthflow.DeleteOptions{Force: true})
			}, func(err error) {
				if err != nil {
					w.showError("Cannot delete "+name, err)
					return
				}
				w.m.DropResult(id)
				w.m.Forget(id)
				if w.m.SelectedID() == id {
					w.m.Select("", true)
				}
				w.reload()
				w.nav.reload()
				w.setStatus(fmt.Sprintf("Deleted %q", name))
			})
		})
}
