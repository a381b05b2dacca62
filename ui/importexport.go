package ui

import (
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
	"github.com/credworkbench/credworkbench/credentials"
)

func (w *Workbench) importProfiles() {
	if w.readOnly || w.dlg != nil {
		return
	}
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			w.showError("Cannot open the file", err)
			return
		}
		if rc == nil {
			return // cancelled
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 16<<20))
		if err != nil {
			w.showError("Cannot read "+rc.URI().Name(), err)
			return
		}
		w.previewImport(rc.URI().Name(), data)
	}, w.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	fd.Resize(fyne.NewSize(760, 520))
	fd.Show()
}

// previewImport lists what an import file would add and what is invalid,
// and imports on confirmation (optionally skipping the invalid entries).
func (w *Workbench) previewImport(name string, data []byte) *shownDialog {
	entries, err := credentials.ParseImport(data, w.profiles(), credentials.ImportDefaults{})
	if err != nil {
		return w.showError("Cannot import "+name, err)
	}
	var good, bad []string
	for _, e := range entries {
		n := e.Profile.Name
		if n == "" {
			n = fmt.Sprintf("entry %d", e.Index+1)
		}
		if e.Err != nil {
			bad = append(bad, fmt.Sprintf("✗ %s: %v", n, e.Err))
		} else {
			good = append(good, fmt.Sprintf("✓ %s (%s, client %s)", n, e.Profile.Type.Label(), e.Profile.ClientID))
		}
	}
	text := fmt.Sprintf("Will be added (%d):\n%s", len(good), strings.Join(good, "\n"))
	if len(good) == 0 {
		text = "Nothing valid to add."
	}
	if len(bad) > 0 {
		text += fmt.Sprintf("\n\nInvalid (%d):\n%s", len(bad), strings.Join(bad, "\n"))
	}
	text += "\n\nSecrets are never in an import file: set them with Edit before testing."
	list := messageLabel(text)
	skip := widget.NewCheck("Skip the invalid entries and import the rest", nil)
	skip.SetChecked(true)
	if len(bad) == 0 {
		skip.Hide()
	}
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(560, 260))
	s := w.showDialog("Import "+name, container.NewBorder(nil, skip, nil, nil, scroll),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Import", importance: widget.HighImportance, fn: func() {
			sum, err := w.repo.Import(entries, skip.Checked)
			w.reload()
			if err != nil {
				w.showError("Import failed", err)
				return
			}
			msg := fmt.Sprintf("Imported %s", plural(len(sum.Added), "profile"))
			if len(sum.Skipped) > 0 {
				msg += fmt.Sprintf(", skipped %d invalid", len(sum.Skipped))
			}
			msg += w.nav.importTransports(data, skip.Checked)
			w.setStatus(msg)
		}})
	s.body = list
	if len(good) == 0 {
		s.button("Import").Disable()
	}
	skip.OnChanged = func(on bool) {
		if len(good) > 0 && (on || len(bad) == 0) {
			s.button("Import").Enable()
		} else {
			s.button("Import").Disable()
		}
	}
	return s
}

func (w *Workbench) profiles() []credentials.Profile {
	ps := make([]credentials.Profile, len(w.rows))
	for i, r := range w.rows {
		ps[i] = r.p
	}
	return ps
}

func (w *Workbench) exportProfiles() {
	if len(w.rows) == 0 || w.dlg != nil {
		return
	}
	data, err := credentials.ExportAll(w.profiles(), w.nav.transports)
	if err != nil {
		w.showError("Cannot export", err)
		return
	}
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			w.showError("Cannot save the export", err)
			return
		}
		if wc == nil {
			return
		}
		_, err = wc.Write(data)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.showError("Cannot write "+wc.URI().Name(), err)
			return
		}
		w.setStatus(fmt.Sprintf("Exported %s to %s (no secrets)", plural(len(w.rows), "profile"), wc.URI().Path()))
	}, w.win)
	fd.SetFileName("credworkbench-profiles.json")
	fd.Resize(fyne.NewSize(760, 520))
	fd.Show()
}
