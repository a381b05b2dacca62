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

// importHost is what importing profiles asks of the window.
type importHost interface {
	workHost
	allProfiles() []*credentials.Profile
	reload()
}

// pickImportFile asks for the file to import and previews it.
func pickImportFile(h uiHost, preview func(name string, data []byte) *shownDialog) {
	d := h.dialogs()
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			d.showError("Cannot open the file", err)
			return
		}
		if rc == nil {
			return // cancelled
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 16<<20))
		if err != nil {
			d.showError("Cannot read "+rc.URI().Name(), err)
			return
		}
		preview(rc.URI().Name(), data)
	}, h.window())
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	fd.Resize(fyne.NewSize(760, 520))
	fd.Show()
}

// importPreview lists what an import file would add, what is invalid and
// which settings decide where secrets go (proxy, CA file, TLS verification
// off), and imports on confirmation (optionally skipping the invalid
// entries). A client-registration array carries no endpoints: the issuer or
// token URL is asked for once and applies to every entry.
type importPreview struct {
	h    importHost
	nav  *navigator
	name string
	data []byte
}

func newImportPreview(h importHost, nav *navigator, name string, data []byte) *importPreview {
	return &importPreview{h: h, nav: nav, name: name, data: data}
}

// open shows the preview (or why the file cannot be imported).
func (ip *importPreview) open() *shownDialog {
	h, d, name, data := ip.h, ip.h.dialogs(), ip.name, ip.data
	ops := h.service()
	entries, err := ops.ParseImport(data, credentials.ImportDefaults{})
	if err != nil {
		return d.showError("Cannot import "+name, err)
	}
	registrations := len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '['
	issuer, tokenURL := widget.NewEntry(), widget.NewEntry()
	issuer.SetPlaceHolder("https://login.example.com/realms/main")
	tokenURL.SetPlaceHolder("or the token URL: https://login.example.com/oauth2/token")
	list := messageLabel("")
	trust := widget.NewCheck("I trust these network settings (proxy, TLS verification off)", nil)
	skip := widget.NewCheck("Skip the invalid entries and import the rest", nil)
	skip.SetChecked(true)
	tp := newTransportPreview(h, ip.nav, data) // import_transports.go

	var good, bad, risky, ask int
	var s *shownDialog
	conflicts := findConflicts(h.allProfiles(), entries) // import_conflicts.go
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
		if es, err := ops.ParseImport(data, def); err == nil {
			entries = es
			conflicts = findConflicts(h.allProfiles(), entries)
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
		top.Add(discoverRow(h, issuer, note))
		top.Add(tokenURL)
		top.Add(note)
	}
	for _, c := range conflicts {
		c.choice.OnChanged = func(string) { update() }
	}
	scroll := container.NewVScroll(container.NewVBox(list, conflictBox))
	scroll.SetMinSize(fyne.NewSize(560, 260))
	s = d.show("Import "+name, container.NewBorder(top, container.NewVBox(skip, trust, tp.trust), nil, nil, scroll),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Import", importance: widget.HighImportance, fn: func() {
			keep, replace := resolveConflicts(entries, conflicts)
			sum, err := ops.Import(keep, skip.Checked)
			if err != nil {
				h.reload()
				d.showError("Import failed", err)
				return
			}
			replaced, failed := replaceProfiles(ops, replace)
			h.reload()
			msg := fmt.Sprintf("Imported %s", plural(len(sum.Added), "profile"))
			if replaced > 0 {
				msg += fmt.Sprintf(", replaced the settings of %d", replaced)
			}
			if _, _, skipped := conflictChoices(conflicts); skipped > 0 {
				msg += fmt.Sprintf(", skipped %d already here", skipped)
			}
			if len(failed) > 0 {
				d.showMessage("Not every profile was replaced", strings.Join(failed, "\n"))
			}
			if len(sum.Skipped) > 0 {
				msg += fmt.Sprintf(", skipped %d invalid", len(sum.Skipped))
			}
			msg += tp.importAll(credentials.ImportedFromFile(entries, keep, sum.Added), skip.Checked)
			h.setStatus(msg)
		}})
	s.body = list
	skip.OnChanged = func(bool) { update() }
	trust.OnChanged = func(bool) { update() }
	tp.trust.OnChanged = func(bool) { update() }
	update()
	return s
}

// exportProfilesData is an export of ps with the transports that use them.
func exportProfilesData(ps []*credentials.Profile, transports []credentials.Transport) ([]byte, int, error) {
	data, err := credentials.ExportAll(profileValues(ps), transports)
	return data, len(ps), err
}

func profileValues(ps []*credentials.Profile) []credentials.Profile {
	out := make([]credentials.Profile, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// managementNote is what the status adds when an export of ps leaves out
// the management profile some of them name: the import then drops that
// link, so the user should know before sharing the file.
func managementNote(ps []*credentials.Profile) string {
	names := credentials.ExportDropsManagement(profileValues(ps))
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("; the management profile of %s is not in it: export it too, or set it again after the import", quoteNames(names, 3))
}

// quoteNames is up to most names, quoted, and how many more.
func quoteNames(names []string, most int) string {
	q := make([]string, 0, most)
	for i, n := range names {
		if i == most {
			return strings.Join(q, ", ") + fmt.Sprintf(" and %d more", len(names)-most)
		}
		q = append(q, "'"+n+"'")
	}
	return strings.Join(q, ", ")
}

// saveExport asks where to save an export of n profiles and writes it;
// note ends the status line (managementNote).
func saveExport(h uiHost, data []byte, n int, note string) {
	d := h.dialogs()
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			d.showError("Cannot save the export", err)
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
			d.showError("Cannot write "+wc.URI().Name(), err)
			return
		}
		h.setStatus(fmt.Sprintf("Exported %s to %s (no secrets)%s", plural(n, "profile"), wc.URI().Path(), note))
	}, h.window())
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
