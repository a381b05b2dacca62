package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type listOptions struct {
	JSON bool
}

func newListCmd(a *app) *cobra.Command {
	opts := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the profiles and their status",
		Args:  wantArgs("list"),
		RunE:  func(*cobra.Command, []string) error { return listRun(a, opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON (an array of profiles, see docs/credctl.md)")
	return cmd
}

func listRun(a *app, opts *listOptions) error {
	ps, err := a.profilesView() // read only
	if err != nil {
		return err
	}
	now := time.Now()
	if opts.JSON {
		out := make([]profileJSON, 0, len(ps))
		for _, p := range ps {
			out = append(out, toProfileJSON(p, now))
		}
		return writeJSON(a.stdout, out)
	}
	if len(ps) == 0 {
		fmt.Fprintln(a.stderr, "No profiles yet. Add one with 'credctl add' or 'credctl import'.")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tSTATUS\tEXPIRES\tSECRET/CERT\tLAST CHECKED")
	for _, p := range ps {
		sd := oauthflow.StandingOf(p, now) // as the workbench shows it
		st := sd.Short()
		if p.LastCategory != "" && sd.Status == credentials.StatusFailed {
			st += " (" + p.LastCategory + ")"
		}
		expires := ""
		if !sd.Expiry.IsZero() && sd.Status == credentials.StatusActive {
			expires = humanUntil(sd.Expiry, now)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Type.Label(), st, orDash(expires), orDash(humanExpiry(p, now)), orDash(humanTime(p.LastChecked)))
	}
	return tw.Flush()
}
