package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
)

func newExportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:               "export [FILE]",
		Short:             "Export the profiles without secrets (standard output when no FILE)",
		Long:              "The export holds no secrets and no status; a FILE is written with mode 0600.\n",
		Args:              cobra.ArbitraryArgs, // exportRun says what is wrong
		ValidArgsFunction: firstArg(completeFile),
		RunE:              func(_ *cobra.Command, args []string) error { return exportRun(a, args) },
	}
}

func exportRun(a *app, args []string) error {
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
