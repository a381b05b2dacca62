package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
)

type transportShowOptions struct {
	Name string
	JSON bool
}

func newTransportShowCmd(a *app) *cobra.Command {
	opts := &transportShowOptions{}
	cmd := &cobra.Command{
		Use:               "show NAME [--json]",
		Short:             "Show one transport",
		Args:              wantArgs("transport show", "NAME"),
		ValidArgsFunction: a.completeTransport,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return transportShowRun(a, opts)
		},
	}
	jsonFlag(cmd, &opts.JSON)
	return cmd
}

func transportShowRun(a *app, opts *transportShowOptions) error {
	t, err := a.transport(opts.Name)
	if err != nil {
		return err
	}
	ps, err := a.profiles()
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(a.stdout, toTransportJSON(t, ps))
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("Name", t.Name)
	row("Type", string(t.Type))
	row("URL", t.URL)
	if t.Type == credentials.TransportHTTP {
		row("Method", t.Method)
	} else {
		row("SOAP version", t.SOAPVersion)
		row("SOAP action", t.SOAPAction)
	}
	for _, h := range t.Headers {
		row("Header", h.Name+": "+h.Value)
	}
	if t.BodyFile != "" {
		row("Body file", t.BodyFile)
	} else if t.Body != "" {
		row("Body", fmt.Sprintf("%d bytes of text", len(t.Body)))
	}
	row("Timeout", t.RunTimeout().String())
	row("Authorization", string(t.Authorization))
	if t.Authorization == credentials.AuthCredential {
		row("Name (credential)", credentialLabel(t, ps))
		if t.Type == credentials.TransportWSSOAP {
			row("Token in", string(t.TokenIn))
		}
	}
	row("Last run", lastRunLabel(t.LastRun))
	if t.LastRun.Error != "" {
		row("Last error", t.LastRun.Error)
	}
	return tw.Flush()
}
