package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

type transportDeleteOptions struct {
	Name string
	Yes  bool
}

func newTransportDeleteCmd(a *app) *cobra.Command {
	opts := &transportDeleteOptions{}
	cmd := &cobra.Command{
		Use:               "delete NAME [--yes]",
		Short:             "Delete a transport (cannot be undone)",
		Args:              wantArgs("transport delete", "NAME"),
		ValidArgsFunction: a.completeTransport,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return transportDeleteRun(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "delete: do not ask for confirmation (required when standard input is not a terminal)")
	return cmd
}

func transportDeleteRun(a *app, opts *transportDeleteOptions) error {
	t, err := a.transport(opts.Name)
	if err != nil {
		return err
	}
	if ok, err := a.confirmDelete("transport", fmt.Sprintf("Delete transport %q? This cannot be undone.", t.Name), opts.Yes); !ok || err != nil {
		return err
	}
	ts, err := a.transports()
	if err != nil {
		return err
	}
	if err := ts.Delete(t.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Deleted transport %q.\n", t.Name)
	return nil
}
