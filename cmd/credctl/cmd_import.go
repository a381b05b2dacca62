package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/spf13/cobra"
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

type importOptions struct {
	File                        string
	SkipInvalid, DryRun, JSON   bool
	AcceptNet, AcceptTransports bool
	Defaults                    credentials.ImportDefaults
}

func newImportCmd(a *app) *cobra.Command {
	opts := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE [--skip-invalid]",
		Short: "Import profiles from an export or a client-registration file",
		Long: `FILE is a credctl/Credential Workbench export or a client-registration array
([{"clientId": …, "authorizedGrantTypes": […], "scope": …}]). Registrations do
not name the IdP: give --issuer or --token-url (and --auth-url for User
clients). A preview lists what will be added and what is invalid; with
invalid entries nothing is imported unless --skip-invalid is given.
Imported profiles have no secret: set it with
  credctl edit NAME --client-secret-stdin
`,
		Args:              wantArgs("import", "FILE"),
		ValidArgsFunction: firstArg(completeFile),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.File = args[0]
			return importRun(a, opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.SkipInvalid, "skip-invalid", false, "import the valid entries and skip the invalid ones (otherwise nothing is imported when one is invalid)")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "only print the preview")
	fs.BoolVar(&opts.JSON, "json", false, "print the outcome as JSON instead of the preview")
	fs.BoolVar(&opts.AcceptNet, "accept-network-settings", false, "import entries that name their own proxy or turn TLS verification off (shown in the preview)")
	fs.BoolVar(&opts.AcceptTransports, "accept-transports", false, "import transports that use a profile already here (not one from the file) or send to a host none of the file's profiles use (shown in the preview)")
	fs.StringVar(&opts.Defaults.IssuerURL, "issuer", "", "issuer `URL` for client registrations that do not name the IdP")
	fs.StringVar(&opts.Defaults.TokenURL, "token-url", "", "token endpoint `URL` for client registrations")
	fs.StringVar(&opts.Defaults.AuthURL, "auth-url", "", "authorization endpoint `URL` for User client registrations")
	return cmd
}

func importRun(a *app, opts *importOptions) error {
	data, err := readInput(a, opts.File)
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
	entries, err := svc.ParseImport(data, opts.Defaults)
	if err != nil {
		return &exitError{code: exitValidation, msg: fmt.Sprintf("cannot import %s: %v", opts.File, err)}
	}
	out := importJSON{Added: []string{}, Invalid: []importIssueJSON{}, DryRun: opts.DryRun}
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
		return &exitError{code: exitValidation, msg: fmt.Sprintf("cannot import the transports of %s: %v", opts.File, err)}
	}
	if !opts.JSON {
		writeImportPreview(a.stdout, opts.File, valid, out.Invalid)
		writeTransportPreview(a.stdout, tents)
	}
	result := importRefusal(valid, out.Invalid, tents, importChecks{skip: opts.SkipInvalid, dryRun: opts.DryRun, acceptNet: opts.AcceptNet, acceptTransports: opts.AcceptTransports})
	switch {
	case result != nil, opts.DryRun:
	case len(valid) == 0:
		if !opts.JSON {
			fmt.Fprintln(a.stdout, "Nothing to import.")
		}
	default:
		sum, err := svc.Import(entries, opts.SkipInvalid)
		if err != nil {
			return err
		}
		out.Added = append(out.Added, sum.Added...)
		if !opts.JSON {
			fmt.Fprintf(a.stdout, "Imported %d profile(s).", len(sum.Added))
			if hasAppWithoutSecret(valid) {
				fmt.Fprint(a.stdout, " Application profiles need their client secret: credctl edit NAME --client-secret-stdin")
			}
			fmt.Fprintln(a.stdout)
		}
	}
	if result == nil && !opts.DryRun && len(tents) > 0 {
		// Transports go in after the profiles, whose new IDs they link to;
		// "own" is now what the import really added.
		added, err := a.importFileTransports(data, credentials.ImportedFromFile(entries, entries, out.Added),
			credentials.TransportImportOptions{SkipInvalid: opts.SkipInvalid, Accept: opts.AcceptTransports})
		if err != nil {
			return &exitError{code: exitValidation, msg: err.Error()}
		}
		out.TransportsAdded = added
		if !opts.JSON && len(added) > 0 {
			fmt.Fprintf(a.stdout, "Imported %d transport(s).\n", len(added))
		}
	}
	if opts.JSON {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	}
	return result
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
