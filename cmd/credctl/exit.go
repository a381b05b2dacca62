package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes: the contract with scripts (see `credctl --help`).
const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitNotFound   = 3
	exitValidation = 4
	exitAuth       = 5
	exitNetwork    = 6
	exitKeyring    = 7
)

// usageError is a command line the user has to change.
type usageError struct {
	cmd string // "" for the top level
	msg string
}

func (e *usageError) Error() string { return e.msg }

// exitError is an outcome that is not an error of the shared packages but
// still decides the exit code: an HTTP status from request, an import
// refused, credentials expiring.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// quietError is an outcome the command has printed already: it decides
// the exit code only.
type quietError struct{ err error }

func (e *quietError) Error() string { return e.err.Error() }
func (e *quietError) Unwrap() error { return e.err }

// quiet marks err (nil stays nil) as printed.
func quiet(err error) error {
	if err == nil {
		return nil
	}
	return &quietError{err: err}
}

// runVerdict is the verdict of a transport run that is not OK: its
// outcome decides the exit code (docs/credctl.md lists them).
type runVerdict struct {
	res *oauthflow.RunResult
}

func (e *runVerdict) Error() string { return e.res.Err().Error() }
func (e *runVerdict) Unwrap() error { return e.res.Err() }

// resultVerdict is a test's or login's verdict as an error: nil when the
// profile is Active, else its failure.
func resultVerdict(r oauthflow.Result) error {
	if r.Active() {
		return nil
	}
	if err := r.Err(); err != nil {
		return err
	}
	return fmt.Errorf("%s is %s", r.Name, r.Status)
}

// exitCode maps any error, and any verdict (resultVerdict, runVerdict), to
// the documented exit code. It is the only place that does.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ee *exitError
	var rv *runVerdict
	var inUse *oauthflow.InUseError
	switch {
	case errors.As(err, &ue), errors.As(err, &inUse):
		// A profile that transports use is deleted only with --force.
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &rv):
		switch rv.res.Outcome {
		case oauthflow.OutcomeOK:
			return exitOK
		case oauthflow.OutcomeAPIRefused:
			return exitAuth
		case oauthflow.OutcomeNetwork:
			return exitNetwork
		case oauthflow.OutcomeNoCredential, oauthflow.OutcomeInvalid:
			// Not sendable as it is: no credential selected, a bad body file.
			return exitValidation
		case oauthflow.OutcomeNoToken:
			if d := rv.res.Diagnosis; d != nil && d.Category != "" {
				return exitCode(&oauthflow.Failure{Category: d.Category})
			}
			return exitAuth
		}
		return exitFailure // another non-2xx answer, a SOAP Fault
	}
	if f, ok := oauthflow.AsFailure(err); ok {
		switch f.Category {
		case oauthflow.CatCredentials, oauthflow.CatScope, oauthflow.CatLogin, oauthflow.CatRedirect,
			oauthflow.CatMFA, oauthflow.CatConsent, oauthflow.CatTenant:
			// Redirect: the IdP refused the redirect URI or the code flow, a
			// registration problem at the IdP, not something a retry fixes.
			return exitAuth
		case oauthflow.CatNetwork, oauthflow.CatProxy, oauthflow.CatTLS, oauthflow.CatEndpoint:
			return exitNetwork
		case oauthflow.CatKeyring:
			return exitKeyring
		case oauthflow.CatConfig:
			return exitValidation
		}
	}
	switch {
	case credentials.IsKeyringError(err):
		return exitKeyring
	case errors.Is(err, credentials.ErrNotFound):
		return exitNotFound
	case credentials.IsValidation(err):
		return exitValidation
	}
	return exitFailure
}

// flagError is a flag pflag could not parse, said as Go's flag package
// said it before credctl moved to cobra (scripts may match the text), for
// the top-level command: a transport subcommand given a flag of another
// one hears that it "does not take" it.
func flagError(c *cobra.Command, err error) error {
	top := topCommand(c)
	var notExist *pflag.NotExistError
	var noValue *pflag.ValueRequiredError
	var invalid *pflag.InvalidValueError
	var syntax *pflag.InvalidSyntaxError
	msg := err.Error()
	switch {
	case errors.As(err, &notExist):
		name := notExist.GetSpecifiedName()
		if name == "" {
			name = notExist.GetSpecifiedShortnames()
		}
		msg = "flag provided but not defined: -" + name
		if c != top && hasFlag(top, name) {
			msg = fmt.Sprintf("%s %s does not take --%s", top.Name(), c.Name(), name)
		}
	case errors.As(err, &noValue):
		msg = "flag needs an argument: -" + noValue.GetFlag().Name
	case errors.As(err, &invalid):
		f, cause := invalid.GetFlag(), errors.Unwrap(invalid)
		why := "parse error" // what Go's flag package said for its own types
		if errors.Is(cause, strconv.ErrRange) {
			why = "value out of range"
		}
		switch f.Value.Type() {
		case "bool":
			msg = fmt.Sprintf("invalid boolean value %q for -%s: %s", invalid.GetValue(), f.Name, why)
		case "duration", "int":
			msg = fmt.Sprintf("invalid value %q for flag -%s: %s", invalid.GetValue(), f.Name, why)
		default:
			msg = fmt.Sprintf("invalid value %q for flag -%s: %v", invalid.GetValue(), f.Name, cause)
		}
	case errors.As(err, &syntax):
		msg = "bad flag syntax: " + syntax.GetSpecifiedFlag()
	}
	return &usageError{cmd: top.Name(), msg: msg}
}

func hasFlag(c *cobra.Command, name string) bool {
	for _, f := range commandFlags(c) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// flagOfField names the flag that sets a validated field, so a validation
// message says what to change on the command line.
var flagOfField = map[string]string{
	credentials.FieldName:            "--name",
	credentials.FieldType:            "--type",
	credentials.FieldGrantType:       "--grant",
	credentials.FieldIssuerURL:       "--issuer",
	credentials.FieldTokenURL:        "--token-url",
	credentials.FieldAuthURL:         "--auth-url",
	credentials.FieldRevocationURL:   "--revocation-url",
	credentials.FieldClientID:        "--client-id",
	credentials.FieldClientSecret:    "--client-secret-stdin",
	credentials.FieldAuthMethod:      "--auth-method",
	credentials.FieldScope:           "--scope",
	credentials.FieldAudience:        "--audience",
	credentials.FieldResource:        "--resource",
	credentials.FieldRefreshInterval: "--refresh-interval",
	credentials.FieldProxy:           "--proxy",
	credentials.FieldCAFile:          "--ca-file",
	credentials.FieldUsernameClaim:   "--username-claim",
	credentials.FieldRolesClaim:      "--roles-claim",
	credentials.FieldTenantClaim:     "--tenant-claim",
	credentials.FieldTenantHeader:    "--tenant-header",
	credentials.FieldRedirectPort:    "--redirect-port",
	credentials.FieldCertificate:     "--certificate",
	credentials.FieldPrivateKey:      "--certificate",
	credentials.FieldAssertion:       "--assertion-alg/--assertion-headers/--assertion-audience",
	credentials.FieldGitHosts:        "--git-host/--git-username",
}

// printError writes err to stderr: the message, and for IdP and keyring
// problems the category and the same advice the GUI shows.
func (a *app) printError(err error) {
	var ue *usageError
	var qe *quietError
	var ve *credentials.ValidationError
	var inUse *oauthflow.InUseError
	if errors.As(err, &inUse) {
		ue = &usageError{cmd: "delete", msg: fmt.Sprintf("profile %q is the credential of transport(s) %s; pass --force to delete it anyway "+
			"(they will have no credential), or pick another credential first with 'credctl transport edit NAME --credential PROFILE'", inUse.Profile, inUse.List())}
		if len(inUse.Derived) > 0 {
			ue.msg = inUse.Error() + " (pass --force to delete it anyway)"
		}
		err = ue
	}
	switch {
	case errors.As(err, &qe):
		return
	case errors.As(err, &ue):
		where := "credctl"
		help := "credctl --help"
		if ue.cmd != "" {
			where += " " + ue.cmd
			help = "credctl " + ue.cmd + " --help"
		}
		fmt.Fprintf(a.stderr, "%s: %s\nRun '%s' for usage.\n", where, ue.msg, help)
		return
	case errors.As(err, &ve):
		fmt.Fprintln(a.stderr, "credctl: invalid profile:")
		for _, f := range ve.Fields {
			flagName := flagOfField[f.Field]
			if flagName == "" {
				flagName = f.Field
			}
			fmt.Fprintf(a.stderr, "  %s: %s\n", flagName, f.Message)
		}
		return
	}
	if f, ok := oauthflow.AsFailure(err); ok && f.Category != "" {
		// err may add context around the failure (a rotation's step).
		fmt.Fprintf(a.stderr, "credctl: error (%s): %s\n", f.Category.Label(), oneLine(err.Error()))
		if adv := f.Advice(); adv != "" {
			fmt.Fprintf(a.stderr, "Advice: %s\n", adv)
		}
		return
	}
	msg := err.Error()
	switch {
	case credentials.IsKeyringError(err):
		fmt.Fprintf(a.stderr, "credctl: error (%s): %s\n", oauthflow.CatKeyring.Label(), msg)
		fmt.Fprintf(a.stderr, "Advice: %s\n", oauthflow.CatKeyring.Advice())
	case errors.Is(err, credentials.ErrNotFound):
		fmt.Fprintf(a.stderr, "credctl: %s. Run 'credctl list' to see the profiles.\n", msg)
	default:
		fmt.Fprintf(a.stderr, "credctl: %s\n", msg)
	}
}

// writeFailure prints a categorized failure as the GUI shows it: what
// happened, the category, and the check that applies.
func writeFailure(w io.Writer, prefix string, f *oauthflow.Failure) {
	fmt.Fprintf(w, "%serror (%s): %s\n", prefix, f.Category.Label(), oneLine(f.Error()))
	if adv := f.Advice(); adv != "" {
		fmt.Fprintf(w, "Advice: %s\n", adv)
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
