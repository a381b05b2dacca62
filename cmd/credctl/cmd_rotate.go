package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type rotateOptions struct {
	Name                string
	FromStdin, NoExpiry bool
	Expires             string
	idp                 rotateIdPFlags // cmd_rotate_idp.go (#26)
}

func newRotateCmd(a *app) *cobra.Command {
	opts := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate-secret NAME --new-secret-stdin [--secret-expires YYYY-MM-DD | --no-secret-expiry]",
		Short: "Test a new client secret and store it in place of the old one",
		Long: `The new secret is read from standard input (or a prompt), tested at the IdP,
and stored only when it works; the old one stays otherwise. When the old
secret has an expiry date, say when the new one expires (--secret-expires)
or that it does not (--no-secret-expiry); credctl refuses to guess.
`,
		Args:              opts.idp.args(),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			if opts.idp.atIdP || opts.idp.allExpiring != "" {
				return rotateIdPRun(a, opts, args) // #26
			}
			opts.Name = args[0]
			return rotateRun(a, opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.FromStdin, "new-secret-stdin", false, "read the new client secret from standard input (first line), or prompt on a terminal")
	fs.StringVar(&opts.Expires, "secret-expires", "", "`date` (YYYY-MM-DD) the new secret expires")
	fs.BoolVar(&opts.NoExpiry, "no-secret-expiry", false, "the new secret does not expire (clears the old secret's date)")
	opts.idp.register(fs) // #26
	return cmd
}

func rotateRun(a *app, opts *rotateOptions) error {
	opt, err := rotateExpiryFlags(opts.Expires, opts.NoExpiry)
	if err != nil {
		return err
	}
	if !opts.FromStdin {
		return &usageError{cmd: "rotate-secret", msg: "pass --new-secret-stdin and give the new secret on standard input (secrets are never taken from arguments)"}
	}
	svc, p, err := a.serviceProfile(opts.Name)
	if err != nil {
		return err
	}
	if oauthflow.ExpiryChoiceNeeded(p, opt) {
		// Never cleared silently: the warnings and `credctl expiring`
		// would go quiet just as the new secret's clock starts.
		return &usageError{cmd: "rotate-secret", msg: fmt.Sprintf("the old secret of %q was recorded to expire on %s: "+
			"give the new secret's date with --secret-expires YYYY-MM-DD, or --no-secret-expiry if it does not expire",
			p.Name, p.SecretExpiresAt.UTC().Format("2006-01-02"))}
	}
	vals, err := a.readSecrets(p.Name, secretPrompt{"new client secret", credentials.FieldClientSecret})
	if err != nil {
		return err
	}
	res, err := svc.RotateSecret(a.ctx, p.ID, vals[0], opt)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "Warning: %s\n", w)
	}
	detail := ""
	if !res.Expiry.IsZero() {
		detail = fmt.Sprintf(" (test token expires %s)", humanUntil(res.Expiry, time.Now()))
	}
	fmt.Fprintf(a.stdout, "Rotated the client secret of %q: the IdP accepted the new secret%s.\n", p.Name, detail)
	if !opt.SecretExpiresAt.IsZero() {
		fmt.Fprintf(a.stdout, "The new secret expires on %s.\n", opt.SecretExpiresAt.Format("2006-01-02"))
	}
	return nil
}

// rotateExpiryFlags reads --secret-expires and --no-secret-expiry
// (--secret-expires none is the same as the latter).
func rotateExpiryFlags(expires string, none bool) (oauthflow.RotateOptions, error) {
	at, err := secretExpiresFlag("rotate-secret", expires)
	if err != nil {
		return oauthflow.RotateOptions{}, err
	}
	none = none || strings.EqualFold(strings.TrimSpace(expires), "none")
	if none && !at.IsZero() {
		return oauthflow.RotateOptions{}, &usageError{cmd: "rotate-secret", msg: "--secret-expires and --no-secret-expiry exclude each other"}
	}
	return oauthflow.RotateOptions{SecretExpiresAt: at, NoSecretExpiry: none}, nil
}
