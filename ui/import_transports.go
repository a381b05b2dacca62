package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// transportPreview is the import preview's part about the file's
// transports (issue #23.2): each with its method, host, credential and
// body, and a check box the user must tick before transports that use a
// profile already here, or send to a host none of the file's profiles
// use, are imported.
type transportPreview struct {
	ops     TransportOperations // nil: transports are not imported
	h       uiHost
	nav     *navigator
	data    []byte
	entries []credentials.TransportImportEntry
	err     error
	trust   *widget.Check
}

func newTransportPreview(h uiHost, nav *navigator, data []byte) *transportPreview {
	ops, _ := h.service().(TransportOperations)
	tp := &transportPreview{ops: ops, h: h, nav: nav, data: data}
	tp.trust = widget.NewCheck("Import the transports marked ⚠ (they send a token or a body where this file says)", nil)
	tp.trust.Hide()
	return tp
}

// parse reads the file's transports against what is stored now; fromFile
// names the file's profiles this import adds (credentials.ImportedFromFile).
func (tp *transportPreview) parse(fromFile map[string]string) ([]credentials.TransportImportEntry, error) {
	if tp.ops == nil {
		return nil, nil
	}
	return tp.ops.Transports().ParseImport(tp.data, fromFile)
}

// update re-reads the transports for the preview's current choices and
// returns the text for them and the counts the Import button depends on.
func (tp *transportPreview) update(fromFile map[string]string) (text string, good, bad, ask int) {
	tp.entries, tp.err = tp.parse(fromFile)
	if tp.err != nil {
		return "\n\nThe transports cannot be imported: " + tp.err.Error(), 0, 1, 0
	}
	if len(tp.entries) == 0 {
		tp.trust.Hide()
		return "", 0, 0, 0
	}
	lines := make([]string, 0, len(tp.entries))
	for _, e := range tp.entries {
		switch {
		case e.Err != nil:
			bad++
			lines = append(lines, fmt.Sprintf("✗ %q: %v", e.Transport.Name, e.Err))
		case e.NeedsConfirmation():
			good++
			ask++
			lines = append(lines, fmt.Sprintf("⚠ %s — it %s", e.Summary(), e.Why()))
		default:
			good++
			lines = append(lines, "✓ "+e.Summary())
		}
	}
	text = fmt.Sprintf("\n\nTransports (%d):\n%s", len(tp.entries), strings.Join(lines, "\n"))
	if ask > 0 {
		text += fmt.Sprintf("\n\n%d transport(s) (⚠) would send a token or a body where this file says: import them only if you trust the file.", ask)
	}
	showIf(tp.trust, ask > 0)
	return text, good, bad, ask
}

// importAll imports the transports after the profiles: their credentials
// are now linked to what the import really added. It returns what to add
// to the status message.
func (tp *transportPreview) importAll(fromFile map[string]string, skipInvalid bool) string {
	entries, err := tp.parse(fromFile)
	if err != nil {
		return "; transports not imported: " + err.Error()
	}
	if len(entries) == 0 {
		return ""
	}
	sum, err := tp.ops.Transports().Import(entries, credentials.TransportImportOptions{SkipInvalid: skipInvalid, Accept: tp.trust.Checked})
	tp.nav.reload()
	if err != nil {
		if errors.Is(err, credentials.ErrTransportsNeedConfirmation) {
			err = fmt.Errorf("%w.\nThe profiles the file defines were not all imported, so these transports would use profiles already here; import again to check them", err)
		}
		tp.h.dialogs().showError("Transports not imported", err)
		return "; transports not imported"
	}
	return fmt.Sprintf(" and %s", plural(len(sum.Added), "transport"))
}
