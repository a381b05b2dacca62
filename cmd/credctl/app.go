package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"golang.org/x/term"
)

// app is one credctl invocation: its streams and, opened on first use, the
// profile repository and the shared operations.
type app struct {
	ctx    context.Context
	stdin  *os.File
	stdout io.Writer
	stderr io.Writer

	repo *credentials.Repository
	svc  *oauthflow.Service
	// log gets the events of the operations and what goes wrong without
	// stopping the command (a result that could not be recorded, a token
	// that could not be cached): in the log file, problems also on stderr
	// (logging.go). logFile closes the file.
	log     *slog.Logger
	logFile io.Closer
}

// command is one subcommand. define registers the flags on fs and returns
// the function that runs once they are parsed, so help and shell completion
// read the same flag definitions the command uses.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	hidden  bool
	define  func(fs *flag.FlagSet) func(a *app, args []string) error
}

// commands in the order `credctl --help` lists them.
func commands() []command {
	return []command{
		{name: "list", args: "[--json]", summary: "List the profiles and their status", define: defineList},
		{name: "show", args: "NAME [--json]", summary: "Show one profile (secrets are never shown, only whether they are set)", define: defineShow},
		{name: "add", args: "--name N --type application|user --client-id ID [FLAGS]", summary: "Add a profile (the client secret is read from standard input)", define: defineAdd},
		{name: "edit", args: "NAME [FLAGS] [--rename NEW]", summary: "Change a profile; only the flags given change", define: defineEdit},
		{name: "delete", args: "NAME [--yes]", summary: "Delete a profile and its keyring entries (cannot be undone)", define: defineDelete},
		{name: "test", args: "NAME|--all [--json]", summary: "Get a token with the profile(s); exit 0 only when all are Active", define: defineTest},
		{name: "login", args: "NAME [--no-browser] [--timeout 5m] [--another-user]", summary: "Log in to a User profile in the system browser", define: defineLogin},
		{name: "logout", args: "NAME [--end-session]", summary: "Log out of a User profile (revokes and forgets its tokens)", define: defineLogout},
		{name: "token", args: "NAME [--json]", summary: "Print a valid access token, renewing it only when needed", define: defineToken},
		{name: "request", args: "NAME URL [--method M] [--header 'K: V'] [--data @file|STRING]", summary: "Send an HTTP request with the profile's token", define: defineRequest},
		{name: "transport", args: "list|show|add|edit|delete|run [NAME] [FLAGS]", summary: "Saved HTTP and WS_SOAP calls that use a profile's token", define: defineTransport},
		{name: "logs", args: "[--profile NAME] [--transport NAME] [--level L] [--follow]", summary: "Print the workbench's OAuth and HTTP events (never a secret or token)", define: defineLogs},
		{name: "expiring", args: "[--within 30d] [--json]", summary: "List client secrets and certificates that expire within the window; exit 8 when any do", define: defineExpiring},
		{name: "certificate", args: "new NAME [--days 365] [--out FILE]", summary: "Generate a key pair and self-signed certificate for private_key_jwt (key to the keyring)", define: defineCertificate},
		{name: "rotate-secret", args: "NAME --new-secret-stdin [--secret-expires YYYY-MM-DD | --no-secret-expiry]", summary: "Test a new client secret and store it in place of the old one", define: defineRotate},
		{name: "import", args: "FILE [--skip-invalid]", summary: "Import profiles from an export or a client-registration file", define: defineImport},
		{name: "export", args: "[FILE]", summary: "Export the profiles without secrets (standard output when no FILE)", define: defineExport},
		{name: "completion", args: "bash|zsh|fish", summary: "Print a shell completion script", define: defineCompletion},
		{name: "version", args: "", summary: "Print the version", define: defineVersion},
		{name: "help", args: "[COMMAND]", summary: "Show help for credctl or a command", define: defineHelp},
		{name: completeNamesCmd, hidden: true, define: defineCompleteNames},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run executes one invocation and returns the process exit code.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	a.log, a.logFile = newLogger(stderr)
	defer a.close()
	err := a.dispatch(args)
	if err != nil {
		a.printError(err)
	}
	return exitCode(err)
}

func (a *app) close() {
	if a.svc != nil {
		a.svc.Close()
	}
	_ = a.logFile.Close() // after the service: closing it may still log
}

func (a *app) dispatch(args []string) error {
	if len(args) == 0 {
		a.usage(a.stderr)
		return &usageError{msg: "no command given"}
	}
	switch args[0] {
	case "-h", "-help", "--help":
		a.usage(a.stdout)
		return nil
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := findCommand(args[0])
	if !ok {
		msg := fmt.Sprintf("unknown command %q", args[0])
		if strings.HasPrefix(args[0], "-") {
			msg = fmt.Sprintf("unknown flag %q before the command", args[0])
		}
		return &usageError{msg: msg + "; run 'credctl --help' for the commands"}
	}
	fs := newFlagSet(c.name)
	runCmd := c.define(fs)
	pos, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(a.stdout, c)
		return nil
	}
	if err != nil {
		return &usageError{cmd: c.name, msg: err.Error()}
	}
	return runCmd(a, pos)
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Errors are reported by dispatch, with the exit code and a pointer to --help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (`credctl show NAME --json`), which the standard flag
// package alone stops at. After "--" everything is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		used := len(args) - len(rest)
		if used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, args []string, names ...string) error {
	if len(args) < len(names) {
		return &usageError{cmd: cmd, msg: "missing " + strings.Join(names[len(args):], " and ")}
	}
	if len(args) > len(names) {
		return &usageError{cmd: cmd, msg: fmt.Sprintf("unexpected argument %q (quote a name that holds spaces)", args[len(names)])}
	}
	return nil
}

// repository opens the profile store and the OS keyring on first use.
func (a *app) repository() (*credentials.Repository, error) {
	if a.repo == nil {
		r, err := credentials.NewRepository()
		if err != nil {
			return nil, err
		}
		a.repo = r
	}
	return a.repo, nil
}

// profile finds a profile by name (ignoring case) or ID.
func (a *app) profile(nameOrID string) (credentials.Profile, error) {
	repo, err := a.repository()
	if err != nil {
		return credentials.Profile{}, err
	}
	return repo.Get(nameOrID)
}

// profiles lists the stored profiles; it never touches the keyring.
func (a *app) profiles() ([]credentials.Profile, error) {
	repo, err := a.repository()
	if err != nil {
		return nil, err
	}
	return repo.List()
}

// profilesView is profiles without the copy, for commands that only read
// them (list): shared with the store, they must not be changed.
func (a *app) profilesView() ([]credentials.Profile, error) {
	repo, err := a.repository()
	if err != nil {
		return nil, err
	}
	return repo.View()
}

// stdinIsTerminal reports whether prompts can be shown and answered.
func (a *app) stdinIsTerminal() bool {
	return a.stdin != nil && term.IsTerminal(int(a.stdin.Fd()))
}

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

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `credctl: Credential Workbench profiles and tokens for scripts and CI.
It uses the same profile file and OS keyring as the desktop app.

Usage: credctl COMMAND [ARGUMENTS] [FLAGS]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
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

func commandHelp(w io.Writer, c command) {
	fmt.Fprintf(w, "Usage: credctl %s %s\n\n%s.\n", c.name, c.args, c.summary)
	fs := newFlagSet(c.name)
	c.define(fs)
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	if len(flags) > 0 {
		sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
		fmt.Fprint(w, "\nFlags:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range flags {
			arg, usage := flag.UnquoteUsage(f)
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
	if extra := commandNotes[c.name]; extra != "" {
		fmt.Fprintf(w, "\n%s", extra)
	}
	fmt.Fprintf(w, "\n%s", exitCodeHelp)
}

// commandNotes adds what flags alone do not say.
var commandNotes = map[string]string{ // #nosec G101 -- help texts; they hold no credentials
	"add": `The client secret (and, with --proxy-password-stdin, the proxy password on
the next line) is read from standard input:
  printf '%s\n' "$SECRET" | credctl add --name api --type application \
      --token-url https://idp.example.com/token --client-id my-app --client-secret-stdin
On a terminal credctl prompts without echo instead.
`,
	"edit": `Only the flags given change. --type changes the grant to the type's default
unless --grant is given too. --clear-client-secret removes the stored secret
(public User clients).
`,
	"token": `The token is cached in the profile's keyring entry (where it fits the
platform's size limit) and reused while it is valid for more than a minute;
editing, rotating, logging out or deleting the profile drops the cache.
  curl -H "Authorization: Bearer $(credctl token api)" https://api.example.com/
`,
	"request": `--data @FILE reads the body from a file, --data @- from standard input.
The tenant header of the profile is added when the profile has a tenant.
A non-2xx answer exits with 1; 401 exits with 5 and prints the
WWW-Authenticate reason.
`,
	"transport": `Subcommands:
  transport list [--json]
  transport show NAME [--json]
  transport add --name NAME --type http|ws_soap --url URL [--method M] [--header 'K: V']...
                [--body @FILE|-] [--soap-version 1.1|1.2] [--soap-action ACTION]
                [--credential PROFILE] [--token-in header|wsse] [--timeout 30s]
  transport edit NAME [same flags] [--rename NEW]
  transport delete NAME [--yes]
  transport run NAME [--json] [--as USERPROFILE]
A transport keeps no secret: its token comes from the profile named by
--credential at each run (the same token 'credctl token' prints). Headers
that carry credentials (Authorization, Cookie, …) are refused.
run prints the status line and the body (JSON and XML indented) and exits
0 for a 2xx answer, 5 when the API or the IdP refused the credentials,
6 for network, proxy or TLS problems, 4 when no credential is selected or
the transport cannot be sent, 1 for any other non-2xx answer and for a
SOAP Fault. --json adds the headers, the duration and the diagnosis.
`,
	"logs": `The log is the workbench's: $XDG_STATE_HOME/credworkbench/workbench.log
(default ~/.local/state/credworkbench) on Linux, ~/Library/Logs/credworkbench
on macOS, %LocalAppData%\credworkbench\logs on Windows; rotated files are
read too, oldest first.
`,
	"import": `FILE is a credctl/Credential Workbench export or a client-registration array
([{"clientId": …, "authorizedGrantTypes": […], "scope": …}]). Registrations do
not name the IdP: give --issuer or --token-url (and --auth-url for User
clients). A preview lists what will be added and what is invalid; with
invalid entries nothing is imported unless --skip-invalid is given.
Imported profiles have no secret: set it with
  credctl edit NAME --client-secret-stdin
`,
	"export": "The export holds no secrets and no status; a FILE is written with mode 0600.\n",
	"delete": "Without --yes, credctl asks on a terminal; in scripts pass --yes.\nA profile that transports use is deleted only with --force; they then have no credential.\n",
	"login": `With --no-browser, or when the browser cannot be opened, the URL to open is
printed on standard error. Ctrl-C cancels the login and closes the listener.
--another-user makes the IdP ask who logs in although the browser is still
signed in there (prompt=login, or select_account where the IdP offers it).
`,
	"logout": `--end-session also ends the IdP's session in the browser (RP-initiated
logout through its end_session_endpoint), so the next login asks who you are.
The browser comes back to http://127.0.0.1:PORT/logged-out; an IdP that matches
post-logout addresses exactly needs that registered. Without an
end_session_endpoint the IdP's session stays (say so, exit 0); when the browser
does not come back within --timeout, credctl exits 1 (logged out here anyway).
`,
	"expiring": `Lists every profile whose client secret (its --secret-expires date) or
certificate (its NotAfter) expires within --within, expired ones included,
and exits with 8 when there is any, 0 when there is none:
  credctl expiring --within 14d --json || notify-admins
`,
	"certificate": `new NAME switches the profile to private_key_jwt: the private key goes to the
OS keyring, the public certificate to NAME.crt (or --out FILE), which is never
overwritten. Upload it to the IdP (or register the printed JWK).
To import an existing certificate instead:
  credctl edit NAME --auth-method private_key_jwt --certificate client.pem
  credctl edit NAME --certificate client.pfx --certificate-password-stdin
`,
	"rotate-secret": `The new secret is read from standard input (or a prompt), tested at the IdP,
and stored only when it works; the old one stays otherwise. When the old
secret has an expiry date, say when the new one expires (--secret-expires)
or that it does not (--no-secret-expiry); credctl refuses to guess.
`,
}

func defineHelp(fs *flag.FlagSet) func(*app, []string) error {
	return func(a *app, args []string) error {
		if len(args) == 0 {
			a.usage(a.stdout)
			return nil
		}
		c, ok := findCommand(args[0])
		if !ok || c.hidden {
			return &usageError{cmd: "help", msg: fmt.Sprintf("unknown command %q", args[0])}
		}
		commandHelp(a.stdout, c)
		return nil
	}
}
