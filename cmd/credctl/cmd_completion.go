package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// completeNamesCmd is the hidden command that prints the profile names, one
// a line (docs/credctl.md names it; scripts of their own may call it). It
// reads only the profile file, never the keyring.
const completeNamesCmd = "__complete-names"

// completionShells are the shells `credctl completion` writes a script for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

func newCompletionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "Print a shell completion script",
		Args:      wantArgs("completion", "SHELL"),
		ValidArgs: completionShells,
		RunE: func(c *cobra.Command, args []string) error {
			// The scripts are cobra's: they ask `credctl __complete …`,
			// which completes commands, flags, profile and transport names
			// and files from the same definitions the commands parse.
			root := c.Root()
			switch args[0] {
			case "bash":
				if err := root.GenBashCompletionV2(a.stdout, true); err != nil {
					return err
				}
				_, err := io.WriteString(a.stdout, bashWithoutBashCompletion)
				return err
			case "zsh":
				return root.GenZshCompletion(a.stdout)
			case "fish":
				return root.GenFishCompletion(a.stdout, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(a.stdout)
			}
			return &usageError{cmd: "completion", msg: fmt.Sprintf("unknown shell %q: use bash, zsh, fish or powershell", args[0])}
		},
	}
}

// bashWithoutBashCompletion replaces the function of cobra's bash script
// that needs the bash-completion package (_get_comp_words_by_ref): the
// script credctl wrote before cobra worked without it, so `source <(credctl
// completion bash)` must keep working in a bare bash (macOS, containers).
const bashWithoutBashCompletion = `
# credctl: without the bash-completion package, take the words as bash gives them.
__credctl_init_completion()
{
    COMPREPLY=()
    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        _get_comp_words_by_ref "$@" cur prev words cword
        return
    fi
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
}
`

func newCompleteNamesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:    completeNamesCmd,
		Hidden: true,
		Args:   cobra.ArbitraryArgs,
		RunE: func(*cobra.Command, []string) error {
			names, err := a.profileNames()
			if err != nil {
				return err
			}
			for _, n := range names {
				fmt.Fprintln(a.stdout, n)
			}
			return nil
		},
	}
}

// profileNames are the stored profiles' names, read without the keyring.
func (a *app) profileNames() ([]string, error) {
	ps, err := a.profilesView()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names, nil
}

// transportNames are the saved transports' names.
func (a *app) transportNames() ([]string, error) {
	ts, err := a.transports()
	if err != nil {
		return nil, err
	}
	all, err := ts.List()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(all))
	for _, t := range all {
		names = append(names, t.Name)
	}
	return names, nil
}

// completeProfile completes a profile name as the first argument.
func (a *app) completeProfile(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return firstArg(a.completeProfileFlag)(c, args, toComplete)
}

// completeTransport completes a transport name as the first argument.
func (a *app) completeTransport(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return firstArg(a.completeTransportFlag)(c, args, toComplete)
}

// completeProfileFlag completes a profile name as a flag's value.
func (a *app) completeProfileFlag(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names, err := a.profileNames()
	return matching(names, toComplete, err)
}

// completeTransportFlag completes a transport name as a flag's value.
func (a *app) completeTransportFlag(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names, err := a.transportNames()
	return matching(names, toComplete, err)
}

// firstArg completes only the first argument with complete.
func firstArg(complete cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return complete(c, args, toComplete)
	}
}

// completeFile leaves the completion to the shell's own, of files.
func completeFile(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveDefault
}

// matching are the names that start with what is typed (ignoring case, as
// credctl matches names). An unreadable store completes nothing.
func matching(names []string, toComplete string, err error) ([]cobra.Completion, cobra.ShellCompDirective) {
	if err != nil {
		cobra.CompErrorln(err.Error())
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), strings.ToLower(toComplete)) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeWords completes flag's value from a fixed list.
func (a *app) completeWords(cmd *cobra.Command, flag string, words ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
}

// completeAtFile completes @FILE (--data, --body): the shells' own file
// completion does not know the @, so the files are listed here.
func completeAtFile(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	typed, ok := strings.CutPrefix(toComplete, "@")
	if !ok {
		return []cobra.Completion{"@"}, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
	dir, base := filepath.Split(typed)
	list := dir
	if list == "" {
		list = "."
	}
	entries, err := os.ReadDir(list)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		if e.IsDir() {
			name += "/"
		}
		out = append(out, "@"+dir+name)
	}
	return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}
