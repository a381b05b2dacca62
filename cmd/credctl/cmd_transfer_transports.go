package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
)

// importChecks are the import's flags that decide whether it may go ahead.
type importChecks struct {
	skip, dryRun, acceptNet, acceptTransports bool
}

// importRefusal decides, before anything is written, whether the import
// may go ahead: a refused import imports nothing, neither profiles nor
// transports. A dry run is never refused (it writes nothing).
func importRefusal(valid []credentials.ImportEntry, invalid []importIssueJSON, tents []credentials.TransportImportEntry, c importChecks) error {
	// A dry run only shows what would need --accept-…; invalid entries
	// still make it exit 4, as before transports were imported.
	if !c.dryRun {
		if err := acceptanceRefusal(valid, tents, c); err != nil {
			return err
		}
	}
	badTransports := 0
	for _, e := range tents {
		if e.Err != nil {
			badTransports++
		}
	}
	if (len(invalid) > 0 || badTransports > 0) && !c.skip {
		return &exitError{code: exitValidation, msg: fmt.Sprintf("nothing was imported: %d profile(s) and %d transport(s) are invalid; "+
			"fix them or pass --skip-invalid", len(invalid), badTransports)}
	}
	return nil
}

// acceptanceRefusal is the import refused for what needs an explicit yes:
// network settings of the file's own, transports that use a profile
// already here or send to a host of the file's choosing.
func acceptanceRefusal(valid []credentials.ImportEntry, tents []credentials.TransportImportEntry, c importChecks) error {
	var risky []string
	for _, e := range valid {
		if credentials.NeedsConfirmation(e.Profile) {
			risky = append(risky, e.Profile.Name)
		}
	}
	if len(risky) > 0 && !c.acceptNet {
		return &exitError{code: exitValidation, msg: fmt.Sprintf("nothing was imported: %d profile(s) set a proxy or "+
			"turn TLS verification off (%s): check them in the preview and pass --accept-network-settings to import them",
			len(risky), strings.Join(risky, ", "))}
	}
	if ask := credentials.NeedingConfirmation(tents); len(ask) > 0 && !c.acceptTransports {
		return &exitError{code: exitValidation, msg: fmt.Sprintf("nothing was imported: %d transport(s) would send a token or a body "+
			"where this file says: %s. Check them in the preview and pass --accept-transports to import them",
			len(ask), strings.Join(ask, "; "))}
	}
	return nil
}

// parseFileTransports reads the transports of an import file against the
// transports and profiles stored now; fromFile names the file's own
// profiles this import adds (credentials.ImportedFromFile).
func (a *app) parseFileTransports(data []byte, fromFile map[string]string) ([]credentials.TransportImportEntry, error) {
	ts, err := a.transports()
	if err != nil {
		return nil, err
	}
	return ts.ParseImport(data, fromFile)
}

// importFileTransports imports the transports of an import file after its
// profiles, linking each to its profile by name among those now stored.
func (a *app) importFileTransports(data []byte, fromFile map[string]string, opt credentials.TransportImportOptions) ([]string, error) {
	entries, err := a.parseFileTransports(data, fromFile)
	if err != nil || len(entries) == 0 {
		return nil, err
	}
	ts, err := a.transports()
	if err != nil {
		return nil, err
	}
	sum, err := ts.Import(entries, opt)
	if err != nil {
		return nil, err
	}
	for _, name := range sum.Skipped {
		fmt.Fprintf(a.stderr, "Skipped transport %q (invalid).\n", name)
	}
	return sum.Added, nil
}

// writeTransportPreview lists every transport of the file: method, host,
// credential and body, and why one needs --accept-transports.
func writeTransportPreview(w io.Writer, tents []credentials.TransportImportEntry) {
	if len(tents) == 0 {
		return
	}
	fmt.Fprintf(w, "Transports (%d):\n", len(tents))
	for _, e := range tents {
		switch {
		case e.Err != nil:
			fmt.Fprintf(w, "  ! %s invalid: %s\n", strconv.QuoteToGraphic(e.Transport.Name), oneLine(e.Err.Error()))
		case e.NeedsConfirmation():
			fmt.Fprintf(w, "  ? %s\n      needs --accept-transports: it %s\n", e.Summary(), e.Why())
		default:
			fmt.Fprintf(w, "  + %s\n", e.Summary())
		}
	}
}
