package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
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
// still decides the exit code: a test that left a profile inactive, an HTTP
// status from request. Its message has already been printed when quiet.
type exitError struct {
	code  int
	msg   string
	quiet bool
}

func (e *exitError) Error() string { return e.msg }

// exitCode maps any error to the documented exit code. It is the only place
// that does.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ee *exitError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	}
	if f, ok := oauthflow.AsFailure(err); ok {
		if c := categoryExit(f.Category); c != exitFailure {
			return c
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

// categoryExit maps a failure category to its exit code.
func categoryExit(c oauthflow.Category) int {
	switch c {
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
	return exitFailure
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
}

// printError writes err to stderr: the message, and for IdP and keyring
// problems the category and the same advice the GUI shows.
func (a *app) printError(err error) {
	var ue *usageError
	var ee *exitError
	var ve *credentials.ValidationError
	switch {
	case errors.As(err, &ue):
		where := "credctl"
		help := "credctl --help"
		if ue.cmd != "" {
			where += " " + ue.cmd
			help = "credctl " + ue.cmd + " --help"
		}
		fmt.Fprintf(a.stderr, "%s: %s\nRun '%s' for usage.\n", where, ue.msg, help)
		return
	case errors.As(err, &ee) && ee.quiet:
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
