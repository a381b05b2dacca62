package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// An import entry whose name a profile here already has: the preview asks
// per entry whether to replace that profile's settings (its secrets stay),
// import it under another name, or skip it (the default).

const (
	conflictSkip    = "Skip it"
	conflictReplace = "Replace the existing profile's settings"
)

func conflictRename(name string) string { return "Import as " + name }

// importConflict is one such entry and the choice made for it.
type importConflict struct {
	index    int // ImportEntry.Index
	existing *credentials.Profile
	newName  string // the name "Import as" uses
	choice   *widget.Select
}

// findConflicts returns the entries that are valid but for a name a
// profile here has, by entry index.
func findConflicts(here []*credentials.Profile, entries []credentials.ImportEntry) map[int]*importConflict {
	out := map[int]*importConflict{}
	taken := map[string]bool{}
	for _, p := range here {
		taken[credentials.NameKey(p.Name)] = true
	}
	for _, e := range entries {
		taken[credentials.NameKey(e.Profile.Name)] = true
	}
	for _, e := range entries {
		if e.Err == nil {
			continue
		}
		var existing *credentials.Profile
		for _, p := range here {
			if credentials.SameName(p.Name, e.Profile.Name) {
				existing = p
				break
			}
		}
		if existing == nil || credentials.Validate(e.Profile, credentials.ValidateOptions{SecretOptional: true}) != nil {
			continue // invalid for another reason too: listed as invalid
		}
		c := &importConflict{index: e.Index, existing: existing}
		for n := 2; ; n++ {
			cand := fmt.Sprintf("%s %d", e.Profile.Name, n)
			if !taken[credentials.NameKey(cand)] {
				c.newName = cand
				taken[credentials.NameKey(cand)] = true
				break
			}
		}
		c.choice = widget.NewSelect([]string{conflictSkip, conflictReplace, conflictRename(c.newName)}, nil)
		c.choice.SetSelected(conflictSkip)
		out[e.Index] = c
	}
	return out
}

// The preview's "apply to all" choices, besides the per-entry ones.
const (
	conflictAllSkip    = "Skip all"
	conflictAllReplace = "Replace all existing profiles' settings"
	conflictAllRename  = "Import all under new names"
)

// conflictRows is the part of the preview that asks: one choice for all,
// then one per entry.
func conflictRows(cs map[int]*importConflict, entries []credentials.ImportEntry) fyne.CanvasObject {
	box := container.NewVBox()
	if len(cs) == 0 {
		return box
	}
	box.Add(widget.NewLabelWithStyle(fmt.Sprintf("Already here (%d): choose for each, or for all", len(cs)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if len(cs) > 1 {
		box.Add(container.NewBorder(nil, nil, widget.NewLabel("Apply to all:"), nil, applyToAll(cs)))
	}
	for _, e := range entries {
		c := cs[e.Index]
		if c == nil {
			continue
		}
		l := widget.NewLabel(fmt.Sprintf("%q (%s, client %s)", e.Profile.Name, e.Profile.Type.Label(), e.Profile.ClientID))
		l.Truncation = fyne.TextTruncateEllipsis
		box.Add(container.NewBorder(nil, nil, nil, c.choice, l))
	}
	return box
}

// applyToAll sets every entry's choice at once. It acts like a menu: after
// applying it shows its placeholder again, so it never claims a choice
// that a later per-entry change has undone.
func applyToAll(cs map[int]*importConflict) *widget.Select {
	all := widget.NewSelect([]string{conflictAllSkip, conflictAllReplace, conflictAllRename}, nil)
	all.PlaceHolder = "Choose for all…"
	all.OnChanged = func(v string) {
		if v == "" {
			return
		}
		for _, c := range cs {
			switch v {
			case conflictAllSkip:
				c.choice.SetSelected(conflictSkip)
			case conflictAllReplace:
				c.choice.SetSelected(conflictReplace)
			case conflictAllRename:
				c.choice.SetSelected(conflictRename(c.newName))
			}
		}
		all.ClearSelected()
	}
	return all
}

// resolveConflicts turns the choices into the entries to import (renamed
// ones made valid) and the profiles whose settings are replaced.
func resolveConflicts(entries []credentials.ImportEntry, cs map[int]*importConflict) (keep []credentials.ImportEntry, replace []credentials.Profile) {
	for _, e := range entries {
		c := cs[e.Index]
		if c == nil {
			keep = append(keep, e)
			continue
		}
		switch c.choice.Selected {
		case conflictReplace:
			p := e.Profile
			p.ID, p.Bookkeeping = c.existing.ID, c.existing.Bookkeeping
			p.Name = c.existing.Name
			replace = append(replace, p)
		case conflictRename(c.newName):
			e.Profile.Name, e.Err = c.newName, nil
			keep = append(keep, e)
		}
	}
	return keep, replace
}

// replaceProfiles saves the imported settings over the existing profiles
// (their secrets stay in the keyring) and returns what failed.
func replaceProfiles(ops Operations, ps []credentials.Profile) (replaced int, failed []string) {
	for _, p := range ps {
		if _, err := ops.Save(p, credentials.SecretChange{}); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", p.Name, err))
			continue
		}
		replaced++
	}
	return replaced, failed
}

// conflictChoices counts the choices, for the preview's summary.
func conflictChoices(cs map[int]*importConflict) (replace, rename, skip int) {
	for _, c := range cs {
		switch {
		case c.choice.Selected == conflictReplace:
			replace++
		case strings.HasPrefix(c.choice.Selected, "Import as "):
			rename++
		default:
			skip++
		}
	}
	return
}

// discoverRow is the issuer's Discover for client registrations: it checks
// the issuer once and says which token endpoint the profiles will use.
func discoverRow(h workHost, issuer *widget.Entry, note *widget.Label) fyne.CanvasObject {
	var btn *widget.Button
	btn = widget.NewButton("Discover", func() {
		u := strings.TrimSpace(issuer.Text)
		if u == "" {
			note.SetText("Enter the issuer URL first.")
			note.Show()
			return
		}
		btn.Disable()
		var found string
		h.background("Discovering "+u+"…", func(ctx context.Context) error {
			ep, err := h.service().Discover(ctx, credentials.Profile{IssuerURL: u, Type: credentials.TypeApplication})
			found = ep.TokenURL
			return err
		}, func(err error) {
			btn.Enable()
			if err != nil {
				note.SetText("Discovery failed: " + err.Error())
			} else {
				note.SetText("Found the token endpoint " + found + ": the imported profiles use it.")
			}
			note.Show()
		})
	})
	return container.NewBorder(nil, nil, nil, btn, issuer)
}
