package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/internal/version"
)

// maxImportFile bounds what import reads.
const maxImportFile = 16 << 20

// importJSON is the `import --json` result.
type importJSON struct {
	Added   []string          `json:"added"`
	Invalid []importIssueJSON `json:"invalid"`
	DryRun  bool              `json:"dryRun"`
	// TransportsAdded are the transports of an export file that came in.
	TransportsAdded []string `json:"transportsAdded,omitempty"`
}

type importIssueJSON struct {
	Index int    `json:"index"` // position in the file, from 0
	Name  string `json:"name"`
	Error string `json:"error"`
}

func defineImport(fs *flag.FlagSet) func(*app, []string) error {
	skip := fs.Bool("skip-invalid", false, "import the valid entries and skip the invalid ones (otherwise nothing is imported when one is invalid)")
	dryRun := fs.Bool("dry-run", false, "only print the preview")
	asJSON := fs.Bool("json", false, "print the outcome as JSON instead of the preview")
	acceptNet := fs.Bool("accept-network-settings", false, "import entries that name their own proxy or turn TLS verification off (shown in the preview)")
	acceptTransports := fs.Bool("accept-transports", false, "import transports that use a profile already here (not one from the file) or send to a host none of the file's profiles use (shown in the preview)")
	var def credentials.ImportDefaults
	fs.StringVar(&def.IssuerURL, "issuer", "", "issuer `URL` for client registrations that do not name the IdP")
	fs.StringVar(&def.TokenURL, "token-url", "", "token endpoint `URL` for client registrations")
	fs.StringVar(&def.AuthURL, "auth-url", "", "authorization endpoint `URL` for User client registrations")
	return func(a *app, args []string) error {
		if err := wantArgs("import", args, "FILE"); err != nil {
			return err
		}
		data, err := readInput(a, args[0])
		if err != nil {
			return err
		}
		svc, err := a.service()
		if err != nil {
			return err
		}
		if _, err := svc.Profiles(); err != nil {
			return err // an unreadable store is not the import file's fault
		}
		entries, err := svc.ParseImport(data, def)
		if err != nil {
			return &exitError{code: exitValidation, msg: fmt.Sprintf("cannot import %s: %v", args[0], err)}
		}
		out := importJSON{Added: []string{}, Invalid: []importIssueJSON{}, DryRun: *dryRun}
		var valid []credentials.ImportEntry
		for _, e := range entries {
			if e.Err != nil {
				name := e.Profile.Name
				if name == "" {
					name = fmt.Sprintf("entry %d", e.Index+1)
				}
				out.Invalid = append(out.Invalid, importIssueJSON{Index: e.Index, Name: name, Error: oneLine(e.Err.Error())})
			} else {
				valid = append(valid, e)
			}
		}
		// The transports as they would come in: linked to the file's own
		// profiles that this import adds, else to a profile already here.
		tents, err := a.parseFileTransports(data, credentials.ImportedFromFile(entries, valid, nil))
		if err != nil {
			return &exitError{code: exitValidation, msg: fmt.Sprintf("cannot import the transports of %s: %v", args[0], err)}
		}
		if !*asJSON {
			writeImportPreview(a.stdout, args[0], valid, out.Invalid)
			writeTransportPreview(a.stdout, tents)
		}
		result := importRefusal(valid, out.Invalid, tents, importChecks{skip: *skip, dryRun: *dryRun, acceptNet: *acceptNet, acceptTransports: *acceptTransports})
		switch {
		case result != nil, *dryRun:
		case len(valid) == 0:
			if !*asJSON {
				fmt.Fprintln(a.stdout, "Nothing to import.")
			}
		default:
			sum, err := svc.Import(entries, *skip)
			if err != nil {
				return err
			}
			out.Added = append(out.Added, sum.Added...)
			if !*asJSON {
				fmt.Fprintf(a.stdout, "Imported %d profile(s).", len(sum.Added))
				if hasAppWithoutSecret(valid) {
					fmt.Fprint(a.stdout, " Application profiles need their client secret: credctl edit NAME --client-secret-stdin")
				}
				fmt.Fprintln(a.stdout)
			}
		}
		if result == nil && !*dryRun && len(tents) > 0 {
			// Transports go in after the profiles, whose new IDs they link to;
			// "own" is now what the import really added.
			added, err := a.importFileTransports(data, credentials.ImportedFromFile(entries, entries, out.Added),
				credentials.TransportImportOptions{SkipInvalid: *skip, Accept: *acceptTransports})
			if err != nil {
				return &exitError{code: exitValidation, msg: err.Error()}
			}
			out.TransportsAdded = added
			if !*asJSON && len(added) > 0 {
				fmt.Fprintf(a.stdout, "Imported %d transport(s).\n", len(added))
			}
		}
		if *asJSON {
			if err := writeJSON(a.stdout, out); err != nil {
				return err
			}
		}
		return result
	}
}

func writeImportPreview(w io.Writer, file string, valid []credentials.ImportEntry, invalid []importIssueJSON) {
	fmt.Fprintf(w, "Preview of %s: %d to add, %d invalid\n", file, len(valid), len(invalid))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range valid {
		fmt.Fprintf(tw, "  + %s\t%s\t%s\n", e.Profile.Name, e.Profile.Type.Label(), orDash(firstNonEmpty(e.Profile.TokenURL, e.Profile.IssuerURL)))
		// What decides where secrets go, or how they are protected.
		for _, r := range credentials.ImportRisks(e.Profile) {
			fmt.Fprintf(tw, "      ! %s\t\t\n", r)
		}
	}
	for _, e := range invalid {
		// Both come from the file as written: escape what a terminal would run.
		fmt.Fprintf(tw, "  ! %s\tinvalid:\t%s\n", logfile.Escape(e.Name), logfile.Escape(e.Error))
	}
	_ = tw.Flush()
}

func hasAppWithoutSecret(es []credentials.ImportEntry) bool {
	for _, e := range es {
		if e.Profile.Type == credentials.TypeApplication {
			return true
		}
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// readInput reads a file argument; "-" is standard input. A file must be
// a regular one (a FIFO would hang credctl).
func readInput(a *app, name string) ([]byte, error) {
	var b []byte
	var err error
	if name == "-" {
		if a.stdin == nil {
			return nil, errors.New("no standard input")
		}
		b, err = io.ReadAll(io.LimitReader(a.stdin, maxImportFile+1))
	} else {
		b, err = credentials.ReadFileSafely(name)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	if len(b) > maxImportFile {
		return nil, fmt.Errorf("%s is larger than %d MiB", name, maxImportFile>>20)
	}
	return b, nil
}

func defineExport(fs *flag.FlagSet) func(*app, []string) error {
	return func(a *app, args []string) error {
		if len(args) > 1 {
			return &usageError{cmd: "export", msg: fmt.Sprintf("unexpected argument %q: give at most one FILE", args[1])}
		}
		ps, err := a.profiles()
		if err != nil {
			return err
		}
		ts, err := a.transports()
		if err != nil {
			return err
		}
		transports, err := ts.List()
		if err != nil {
			return err
		}
		data, err := credentials.ExportAll(ps, transports)
		if err != nil {
			return err
		}
		if len(args) == 0 || args[0] == "-" {
			_, err := a.stdout.Write(data)
			return err
		}
		if err := writePrivateFile(args[0], data); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "Exported %d profile(s) and %d transport(s) to %s (no secrets).\n", len(ps), len(transports), args[0])
		return nil
	}
}

// writePrivateFile writes data readable by the owner only into a new temp
// file next to path and renames it over path: a symlink planted at path is
// replaced, never written through, and in a shared directory (/tmp) another
// user's file there is not replaced (the sticky bit refuses the rename).
func writePrivateFile(path string, data []byte) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() { // #nosec G703 -- the export file the user named on the command line
		return fmt.Errorf("cannot write %s: it is not a regular file", path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, errors.Unwrap(err))
	}
	tmp := f.Name()
	fail := func(err error) error {
		_ = f.Close()
		_ = os.Remove(tmp) // #nosec G703 -- our own temporary file beside the export
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil { // #nosec G703 -- the export file the user named
		_ = os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", path, errors.Unwrap(err))
	}
	return nil
}

func defineVersion(fs *flag.FlagSet) func(*app, []string) error {
	return func(a *app, args []string) error {
		if err := wantArgs("version", args); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "credctl %s (%s %s/%s)\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
}
