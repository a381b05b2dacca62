package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

type transportListOptions struct {
	JSON bool
}

func newTransportListCmd(a *app) *cobra.Command {
	opts := &transportListOptions{}
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the saved transports",
		Args:  wantArgs("transport list"),
		RunE:  func(*cobra.Command, []string) error { return transportListRun(a, opts) },
	}
	jsonFlag(cmd, &opts.JSON)
	return cmd
}

func transportListRun(a *app, opts *transportListOptions) error {
	ts, err := a.transports()
	if err != nil {
		return err
	}
	all, err := ts.List()
	if err != nil {
		return err
	}
	ps, err := a.profiles()
	if err != nil {
		return err
	}
	if opts.JSON {
		out := make([]transportJSON, 0, len(all))
		for _, t := range all {
			out = append(out, toTransportJSON(t, ps))
		}
		return writeJSON(a.stdout, out)
	}
	if len(all) == 0 {
		fmt.Fprintln(a.stderr, "No transports yet. Add one with: credctl transport add --name NAME --type http --url URL --credential PROFILE")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tURL\tCREDENTIAL\tLAST RUN")
	for _, t := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Type, t.URL, credentialLabel(t, ps), lastRunLabel(t.LastRun))
	}
	return tw.Flush()
}
