package ui

import (
	"bytes"
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
	if w.m.ReadOnly() || w.dlg != nil {
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

// previewImport lists what an import file would add, what is invalid and
// which settings decide where secrets go (proxy, CA file, TLS verification
// off), and imports on confirmation (optionally skipping the invalid
// entries). A client-registration array carries no endpoints: the issuer or
// token URL is asked for once and applies to every entry.
func (w *Workbench) previewImport(name string, data []byte) *shownDialog {
	entries, err := w.ops.ParseImport(data, credentials.ImportDefaults{})
	if err != nil {
		return w.showError("Cannot import "+name, err)
	}
	registrations := len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '['
	issuer, tokenURL := widget.NewEntry(), widget.NewEntry()
	issuer.SetPlaceHolder("https://login.example.com/realms/main")
	tokenURL.SetPlaceHolder("or the token URL: https://login.example.com/oauth2/token")
	list := messageLabel("")
	trust := widget.NewCheck("I trust these network settings (proxy, TLS verification off)", nil)
	skip := widget.NewCheck("Skip the invalid entries and import the rest", nil)
	skip.SetChecked(true)
	tp := w.newTransportPreview(data) // import_transports.go

	var good, bad, risky, ask int
	var s *shownDialog
	conflicts := w.findConflicts(entries) // import_conflicts.go
	conflictBox := container.NewVBox(conflictRows(conflicts, entries))
	update := func() {
		good, bad, risky = 0, 0, 0
		var add, invalid []string
		for _, e := range entries {
			n := e.Profile.Name
			if n == "" {
				n = fmt.Sprintf("entry %d", e.Index+1)
			}
			if conflicts[e.Index] != nil {
				continue // asked about below the list
			}
			if e.Err != nil {
				bad++
				invalid = append(invalid, fmt.Sprintf("✗ %s: %v", n, e.Err))
				continue
			}
			good++
			line := fmt.Sprintf("✓ %s (%s, client %s)", n, e.Profile.Type.Label(), e.Profile.ClientID)
			if r := credentials.ImportRisks(e.Profile); len(r) > 0 {
				line += " — " + strings.Join(r, ", ")
			}
			if credentials.NeedsConfirmation(e.Profile) {
				risky++
				line = "⚠ " + strings.TrimPrefix(line, "✓ ")
			}
			add = append(add, line)
		}
		text := fmt.Sprintf("Will be added (%d):\n%s", good, strings.Join(add, "\n"))
		if good == 0 {
			text = "Nothing new to add."
		}
		replace, rename, _ := conflictChoices(conflicts)
		good += replace + rename
		keep, _ := resolveConflicts(entries, conflicts)
		if bad > 0 {
			text += fmt.Sprintf("\n\nInvalid (%d):\n%s", bad, strings.Join(invalid, "\n"))
		}
		ttext, tgood, tbad, task := tp.update(credentials.ImportedFromFile(entries, keep, nil))
		good, bad, ask = good+tgood, bad+tbad, task
		if risky > 0 {
			text += fmt.Sprintf("\n\n%d profile(s) send their secrets through a proxy or without TLS verification (⚠): import only what you trust.", risky)
		}
		text += ttext
		text += "\n\nSecrets are never in an import file: set them before testing."
		list.SetText(text)
		showIf(skip, bad > 0)
		showIf(trust, risky > 0)
		if s == nil {
			return
		}
		if good > 0 && (skip.Checked || bad == 0) && (risky == 0 || trust.Checked) && (ask == 0 || tp.trust.Checked) {
			s.button("Import").Enable()
		} else {
			s.button("Import").Disable()
		}
	}
	reparse := func(string) {
		def := credentials.ImportDefaults{IssuerURL: strings.TrimSpace(issuer.Text), TokenURL: strings.TrimSpace(tokenURL.Text)}
		if es, err := w.ops.ParseImport(data, def); err == nil {
			entries = es
			conflicts = w.findConflicts(entries)
			for _, c := range conflicts {
				c.choice.OnChanged = func(string) { update() }
			}
			conflictBox.Objects = []fyne.CanvasObject{conflictRows(conflicts, entries)}
			conflictBox.Refresh()
		}
		update()
	}
	issuer.OnChanged, tokenURL.OnChanged = reparse, reparse
	update()

	top := container.NewVBox()
	if registrations {
		note := messageLabel("")
		note.Hide()
		top.Add(widget.NewLabel("Client registrations carry no endpoints: give the issuer (or the token URL) for all of them."))
		top.Add(w.discoverRow(issuer, note))
		top.Add(tokenURL)
		top.Add(note)
	}
	for _, c := range conflicts {
		c.choice.OnChanged = func(string) { update() }
	}
	scroll := container.NewVScroll(container.NewVBox(list, conflictBox))
	scroll.SetMinSize(fyne.NewSize(560, 260))
	s = w.showDialog("Import "+name, container.NewBorder(top, container.NewVBox(skip, trust, tp.trust), nil, nil, scroll),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Import", importance: widget.HighImportance, fn: func() {
			keep, replace := resolveConflicts(entries, conflicts)
			sum, err := w.ops.Import(keep, skip.Checked)
			if err != nil {
				w.reload()
				w.showError("Import failed", err)
				return
			}
			replaced, failed := w.replaceProfiles(replace)
			w.reload()
			msg := fmt.Sprintf("Imported %s", plural(len(sum.Added), "profile"))
			if replaced > 0 {
				msg += fmt.Sprintf(", replaced the settings of %d", replaced)
			}
			if _, _, skipped := conflictChoices(conflicts); skipped > 0 {
				msg += fmt.Sprintf(", skipped %d already here", skipped)
			}
			if len(failed) > 0 {
				w.showMessage("Not every profile was replaced", strings.Join(failed, "\n"))
			}
			if len(sum.Skipped) > 0 {
				msg += fmt.Sprintf(", skipped %d invalid", len(sum.Skipped))
			}
			msg += tp.importAll(credentials.ImportedFromFile(entries, keep, sum.Added), skip.Checked)
			w.setStatus(msg)
		}})
	s.body = list
	skip.OnChanged = func(bool) { update() }
	trust.OnChanged = func(bool) { update() }
	tp.trust.OnChanged = func(bool) { update() }
	update()
	return s
}

func (w *Workbench) profiles() []credentials.Profile {
	ps := make([]credentials.Profile, len(w.m.Rows()))
	for i, r := range w.m.Rows() {
		ps[i] = *r.P
	}
	return ps
}

func (w *Workbench) exportProfiles() {
	if len(w.m.Rows()) == 0 || w.dlg != nil {
		return
	}
	data, n, err := w.exportData()
	if err != nil {
		w.showError("Cannot export", err)
		return
	}
	w.saveExport(data, n)
}

// exportData is what Export writes: the selected profiles when several are
// selected (multiselect.go), else all; with the transports that use them.
func (w *Workbench) exportData() ([]byte, int, error) {
	ps := w.profiles()
	if rows := w.m.Multi(); rows != nil {
		ps = make([]credentials.Profile, len(rows))
		for i, r := range rows {
			ps[i] = *r.P
		}
	}
	data, err := credentials.ExportAll(ps, w.nav.transports)
	return data, len(ps), err
}

// saveExport asks where to save an export of n profiles and writes it.
func (w *Workbench) saveExport(data []byte, n int) {
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
		w.setStatus(fmt.Sprintf("Exported %s to %s (no secrets)", plural(n, "profile"), wc.URI().Path()))
	}, w.win)
	fd.SetFileName("credworkbench-profiles.json")
	fd.Resize(fyne.NewSize(760, 520))
	fd.Show()
}

// showIf shows o when on, else hides it.
func showIf(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}
