package ui

import (
	"context"
	"fmt"

	"github.com/credworkbench/credworkbench/oauthflow"
)

func (w *Workbench) deleteSelected() {
	if rows := w.multi(); rows != nil {
		w.deleteMany(rows) // multiselect.go: one confirmation listing them
		return
	}
	r := w.selectedRow()
	if !w.allowed(actDelete, r) || w.dlg != nil {
		return
	}
	id, name := r.p.ID, r.p.Name
	used := ""
	if ts := w.nav.transportsUsing(id); len(ts) > 0 {
		used = fmt.Sprintf("\n\nIt is the credential of transport(s) %s, which will then have no credential.", quoteList(ts))
	}
	w.showConfirm("Delete profile",
		fmt.Sprintf("Delete the profile %q?\n\nIts settings and its secrets in the OS keyring are removed. This cannot be undone.%s", name, used),
		"Delete", func() {
			w.background(id, "Deleting…", func(ctx context.Context) error {
				return w.ops.Delete(id, oauthflow.DeleteOptions{Force: true})
			}, func(err error) {
				if err != nil {
					w.showError("Cannot delete "+name, err)
					return
				}
				delete(w.live, id)
				delete(w.history, id)
				if w.selected == id {
					w.selected = ""
				}
				w.reload()
				w.nav.reload()
				w.setStatus(fmt.Sprintf("Deleted %q", name))
			})
		})
}
