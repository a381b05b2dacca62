package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// deleteHost is what deleting profiles asks of the window.
type deleteHost interface {
	workHost
	rowsHost
	resultHost
}

// The used-by rule is the service's: Delete refuses a profile transports
// use (*oauthflow.InUseError) unless forced. The confirmation names the
// transports the tree knows; the delete is forced only when it named them,
// and a transport added meanwhile is asked about again.

// usedWarning is the confirmation's sentence about the transports using a profile.
func usedWarning(ts []string) string {
	return fmt.Sprintf("\n\nIt is the credential of transport(s) %s, which will then have no credential.", quoteList(ts))
}

// confirmDelete asks, then deletes one profile.
func confirmDelete(h deleteHost, nav *navigator, id, name string) {
	used := ""
	ts := nav.transportsUsing(id)
	if len(ts) > 0 {
		used = usedWarning(ts)
	}
	askDelete(h, nav, id, name, used, len(ts) > 0)
}

func askDelete(h deleteHost, nav *navigator, id, name, used string, force bool) {
	h.dialogs().showConfirm("Delete profile",
		fmt.Sprintf("Delete the profile %q?\n\nIts settings and its secrets in the OS keyring are removed. This cannot be undone.%s", name, used),
		"Delete", func() {
			h.backgroundRow(id, model.BusyDeleting, func(ctx context.Context) error {
				return h.service().Delete(id, oauthflow.DeleteOptions{Force: force})
			}, func(err error) {
				var inUse *oauthflow.InUseError
				if errors.As(err, &inUse) {
					askDelete(h, nav, id, name, inUseWarning(inUse), true)
					return
				}
				if err != nil {
					h.dialogs().showError("Cannot delete "+name, err)
					return
				}
				h.forget(id)
				h.reload()
				nav.reload()
				h.setStatus(fmt.Sprintf("Deleted %q", name))
			})
		})
}

// confirmDeleteMany asks once, listing the profiles, then deletes them one
// by one (each with its keyring entries); what could not be deleted is
// reported.
func confirmDeleteMany(h deleteHost, nav *navigator, ps []*credentials.Profile) {
	ids := h.idleIDs(ps)
	names := map[string]string{}
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	if len(ids) == 0 {
		return
	}
	used := ""
	for _, p := range ps {
		if ts := nav.transportsUsing(p.ID); len(ts) > 0 {
			used = "\n\nSome are the credential of transports, which will then have no credential."
			break
		}
	}
	// Forced only when the confirmation said so; a profile a transport
	// uses since is not deleted (the summary names it).
	force := used != ""
	h.dialogs().showConfirm(fmt.Sprintf("Delete %d profiles", len(ps)),
		fmt.Sprintf("Delete these %d profiles?\n\n%s\n\nTheir settings and their secrets in the OS keyring are removed. "+
			"This cannot be undone.%s", len(ps), profileNames(ps), used),
		fmt.Sprintf("Delete %d", len(ps)), func() {
			var failed []string
			h.background(fmt.Sprintf("Deleting %s…", plural(len(ids), "profile")), func(ctx context.Context) error {
				for _, id := range ids {
					if err := h.service().Delete(id, oauthflow.DeleteOptions{Force: force}); err != nil {
						failed = append(failed, fmt.Sprintf("%s: %v", names[id], err))
					}
				}
				return nil
			}, func(error) {
				for _, id := range ids {
					h.forget(id)
				}
				h.clearSelection()
				h.reload()
				nav.reload()
				if len(failed) > 0 {
					h.dialogs().showMessage("Not every profile was deleted", strings.Join(failed, "\n"))
				}
				h.setStatus(fmt.Sprintf("Deleted %d of %s", len(ids)-len(failed), plural(len(ids), "profile")))
			})
		})
}

// profileNames lists the profiles for a confirmation, at most a dozen.
func profileNames(ps []*credentials.Profile) string {
	const most = 12
	var names []string
	for i, p := range ps {
		if i == most {
			names = append(names, fmt.Sprintf("… and %d more", len(ps)-most))
			break
		}
		names = append(names, fmt.Sprintf("• %s", p.Name))
	}
	return strings.Join(names, "\n")
}
