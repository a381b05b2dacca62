package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() {
	// `credctl --help` lists the commands in the order newRootCmd adds them.
	cobra.EnableCommandSorting = false
	// Started from Explorer on Windows, credctl says what it always said
	// (usage, exit 2) instead of cobra's "this is a command line tool" pause.
	cobra.MousetrapHelpText = ""
}

// commands are the top-level commands in the order `credctl --help` lists
// them (help comes last, from newHelpCmd).
var commands = []struct {
	name string
	new  func(*app) *cobra.Command
}{
	{"list", newListCmd},
	{"show", newShowCmd},
	{"add", newAddCmd},
	{"edit", newEditCmd},
	{"delete", newDeleteCmd},
	{"test", newTestCmd},
	{"login", newLoginCmd},
	{"logout", newLogoutCmd},
	{"token", newTokenCmd},
	{"request", newRequestCmd},
	{"git-credential", newGitCredentialCmd},
	{"exec", newExecCmd},
	{"kubectl-credential", newKubectlCredentialCmd},
	{"kubeconfig", newKubeconfigCmd},
	{"transport", newTransportCmd},
	{"logs", newLogsCmd},
	{"expiring", newExpiringCmd},
	{"certificate", newCertificateCmd},
	{"rotate-secret", newRotateCmd},
	{"idp", newIdPCmd}, // #26
	{"import", newImportCmd},
	{"export", newExportCmd},
	{"completion", newCompletionCmd},
	{"version", newVersionCmd},
	{completeNamesCmd, newCompleteNamesCmd},
}

// newRootCmd builds the command tree: every command, or with only set
// just that one (a run of `credctl token` builds no other command's flags).
// Building it opens nothing: the service is opened by the commands that
// need it.
func newRootCmd(a *app, only string) *cobra.Command {
	root := &cobra.Command{
		Use:           "credctl",
		Short:         "Credential Workbench profiles and tokens for scripts and CI",
		SilenceErrors: true, // printError says it, with the exit code's category
		SilenceUsage:  true,
		// cobra's own completion command is replaced by newCompletionCmd,
		// which keeps today's name, arguments and errors.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	for _, c := range commands {
		if only == "" || only == c.name {
			root.AddCommand(c.new(a))
		}
	}
	root.SetHelpCommand(newHelpCmd(a))
	root.InitDefaultHelpCmd() // listed last, as `help [COMMAND]`
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { commandHelp(a.stdout, topCommand(c)) })
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError(c, err) })
	return root
}

// run executes one invocation and returns the process exit code.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	a.log, a.logFile = newLogger(stderr)
	defer a.close()
	err := a.execute(args)
	if err != nil {
		a.printError(err)
	}
	return exitCode(err)
}

// execute runs the command args name. What comes before a command is
// checked here, so its errors stay those scripts know.
func (a *app) execute(args []string) error {
	// One command needs only its own definitions; the help and the
	// completion scripts ask about every command.
	only := ""
	switch {
	case len(args) == 0:
	case args[0] == "-version" || args[0] == "--version":
		only = "version"
	case isCommand(args[0]) && args[0] != "help" && args[0] != "completion":
		only = args[0]
	}
	return a.executeTop(newRootCmd(a, only), args)
}

// executeTop runs args on root.
func (a *app) executeTop(root *cobra.Command, args []string) error {
	if len(args) == 0 {
		a.usage(a.stderr, root)
		return &usageError{msg: "no command given"}
	}
	switch args[0] {
	case "-h", "-help", "--help":
		a.usage(a.stdout, root)
		return nil
	case "-version", "--version":
		args = []string{"version"}
	case cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		// The completion scripts' call: cobra answers it.
		root.SetArgs(args)
		return root.Execute()
	}
	if !isCommand(args[0]) {
		msg := fmt.Sprintf("unknown command %q", args[0])
		if strings.HasPrefix(args[0], "-") {
			msg = fmt.Sprintf("unknown flag %q before the command", args[0])
		}
		return &usageError{msg: msg + "; run 'credctl --help' for the commands"}
	}
	if target, _, err := root.Find(args); err == nil {
		target.InitDefaultHelpFlag()
		args = longFlags(target, args)
	}
	root.SetArgs(args)
	return root.Execute()
}

// isCommand reports whether name is a top-level command (hidden ones
// included).
func isCommand(name string) bool {
	for _, c := range commands {
		if c.name == name {
			return true
		}
	}
	return name == "help"
}

// topCommand is the command under the root that c belongs to: subcommands
// (transport list, certificate new) share their group's help and errors.
func topCommand(c *cobra.Command) *cobra.Command {
	for c.HasParent() && c.Parent().HasParent() {
		c = c.Parent()
	}
	return c
}

// longFlags turns the single-dash long flags Go's flag package accepted
// (`-json`) into the double-dash form pflag reads, so scripts written for
// credctl before cobra keep working. Values of flags are left alone.
func longFlags(c *cobra.Command, args []string) []string {
	out := make([]string, 0, len(args))
	value := false // the previous word was a flag that takes the next one
	for i, s := range args {
		if s == "--" {
			return append(out, args[i:]...)
		}
		if value {
			out, value = append(out, s), false
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(s, "-"), "=")
		var f *pflag.Flag
		if strings.HasPrefix(s, "-") && len(name) > 1 {
			f = c.Flags().Lookup(name)
		}
		if f != nil && !strings.HasPrefix(s, "--") {
			s = "-" + s
		}
		value = f != nil && !hasValue && f.NoOptDefVal == ""
		out = append(out, s)
	}
	return out
}

// noArgs, wantArgs and the like check the positional arguments; cmd names
// the command in the usage error.
func wantArgs(cmd string, names ...string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error { return checkArgs(cmd, args, names...) }
}

func checkArgs(cmd string, args []string, names ...string) error {
	if len(args) < len(names) {
		return &usageError{cmd: cmd, msg: "missing " + strings.Join(names[len(args):], " and ")}
	}
	if len(args) > len(names) {
		return &usageError{cmd: cmd, msg: fmt.Sprintf("unexpected argument %q (quote a name that holds spaces)", args[len(names)])}
	}
	return nil
}
