package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const exitCodeHelp = `Exit codes:
  0  success
  1  other failure
  2  usage error (unknown command or flag, missing argument, no --yes without a terminal)
  3  profile not found
  4  invalid profile or input (validation)
  5  authentication failed at the IdP (credentials, scope, login refused, redirect URI refused,
     MFA / conditional access, consent, tenant)
  6  network, proxy, TLS or endpoint problem
  7  OS keyring unavailable, locked or not answering
  8  credctl expiring: a client secret or certificate expires within the window (or has expired)
`

// usage is `credctl --help`: the commands and what holds for all of them.
func (a *app) usage(w io.Writer, root *cobra.Command) {
	fmt.Fprint(w, `credctl: Credential Workbench profiles and tokens for scripts and CI.
It uses the same profile file and OS keyring as the desktop app.

Usage: credctl COMMAND [ARGUMENTS] [FLAGS]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range root.Commands() {
		if !c.Hidden {
			fmt.Fprintf(tw, "  %s\t%s\n", c.Name(), c.Short)
		}
	}
	_ = tw.Flush()
	fmt.Fprint(w, `
Run 'credctl COMMAND --help' for the flags of a command.

Secrets (client secret, proxy password) are read only from standard input,
or from a prompt without echo when standard input is a terminal; never from
arguments or environment variables. No command prints a client secret.

`+exitCodeHelp+`
Profiles live in $XDG_CONFIG_HOME/credworkbench/profiles.json (default
~/.config/credworkbench); secrets in the OS keyring under "credworkbench".
`)
}

// commandHelp is `credctl COMMAND --help`: the synopsis, the flags (a
// group's with those of its subcommands), the command's notes (Long) and
// the exit codes.
func commandHelp(w io.Writer, c *cobra.Command) {
	fmt.Fprintf(w, "Usage: credctl %s %s\n\n%s.\n", c.Name(), strings.TrimPrefix(strings.TrimPrefix(c.Use, c.Name()), " "), c.Short)
	flags := commandFlags(c)
	if len(flags) > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range flags {
			arg, usage := pflag.UnquoteUsage(f)
			if arg != "" {
				arg = " " + arg
			}
			def := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(tw, "  --%s%s\t%s%s\n", f.Name, arg, usage, def)
		}
		_ = tw.Flush()
	}
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s", c.Long)
	}
	fmt.Fprintf(w, "\n%s", exitCodeHelp)
}

// commandFlags are the flags of c and its subcommands by name, without
// cobra's --help.
func commandFlags(c *cobra.Command) []*pflag.Flag {
	seen := map[string]*pflag.Flag{}
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if _, ok := seen[f.Name]; !ok && f.Name != "help" {
				seen[f.Name] = f
			}
		})
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(c)
	out := make([]*pflag.Flag, 0, len(seen))
	for _, f := range seen {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func newHelpCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "Show help for credctl or a command",
		Args:  cobra.ArbitraryArgs,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return commandNames(c.Root(), toComplete), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			if len(args) == 0 {
				a.usage(a.stdout, root)
				return nil
			}
			for _, sub := range root.Commands() {
				if sub.Name() == args[0] && !sub.Hidden {
					commandHelp(a.stdout, sub)
					return nil
				}
			}
			return &usageError{cmd: "help", msg: fmt.Sprintf("unknown command %q", args[0])}
		},
	}
}

// commandNames are the visible commands that start with prefix, with
// their summaries.
func commandNames(root *cobra.Command, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, c := range root.Commands() {
		if !c.Hidden && strings.HasPrefix(c.Name(), prefix) {
			out = append(out, cobra.CompletionWithDesc(c.Name(), c.Short))
		}
	}
	return out
}
