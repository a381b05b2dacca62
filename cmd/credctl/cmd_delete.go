package main

import (
	"fmt"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type deleteOptions struct {
	Name       string
	Yes, Force bool
}

func newDeleteCmd(a *app) *cobra.Command {
	opts := &deleteOptions{}
	cmd := &cobra.Command{
		Use:               "delete NAME [--yes]",
		Short:             "Delete a profile and its keyring entries (cannot be undone)",
		Long:              "Without --yes, credctl asks on a terminal; in scripts pass --yes.\nA profile that transports use is deleted only with --force; they then have no credential.\n",
		Args:              wantArgs("delete", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return deleteRun(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "do not ask for confirmation (required when standard input is not a terminal)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "delete also when transports use the profile (they then have no credential)")
	return cmd
}

func deleteRun(a *app, opts *deleteOptions) error {
	svc, p, err := a.serviceProfile(opts.Name)
	if err != nil {
		return err
	}
	// Asked before the confirmation: nobody confirms a delete that is
	// refused. Delete applies the same rule again.
	inUse, err := svc.InUse(p.ID)
	switch {
	case err != nil:
		return err
	case inUse != nil && !opts.Force:
		return inUse
	case inUse != nil:
		fmt.Fprintf(a.stderr, "Warning: transport(s) %s will have no credential.\n", inUse.List())
	}
	if ok, err := a.confirmDelete("delete", fmt.Sprintf("Delete profile %q and its secrets from the keyring? This cannot be undone.", p.Name), opts.Yes); !ok || err != nil {
		return err
	}
	if err := svc.Delete(p.ID, oauthflow.DeleteOptions{Force: opts.Force}); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Deleted profile %q.\n", p.Name)
	return nil
}

// confirmDelete is the question before a delete: yes (--yes) goes ahead,
// a terminal is asked, anything else is a usage error of cmd.
func (a *app) confirmDelete(cmd, question string, yes bool) (bool, error) {
	if yes {
		return true, nil
	}
	if !a.stdinIsTerminal() {
		return false, &usageError{cmd: cmd, msg: "deleting cannot be undone and standard input is not a terminal to confirm it: pass --yes"}
	}
	ok, err := a.confirm(question)
	if err == nil && !ok {
		fmt.Fprintln(a.stderr, "Nothing was deleted.")
	}
	return ok, err
}
