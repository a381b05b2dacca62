package main

import (
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
)

type addOptions struct {
	Flags  *profileFlags
	NoTest bool

	FromAPI string   // add_fromapi.go
	Args    []string // NAME, instead of --name
}

func newAddCmd(a *app) *cobra.Command {
	opts := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add --name N --type application|user --client-id ID [FLAGS]",
		Short: "Add a profile (the client secret is read from standard input)",
		Long: `The client secret (and, with --proxy-password-stdin, the proxy password on
the next line) is read from standard input:
  printf '%s\n' "$SECRET" | credctl add --name api --type application \
      --token-url https://idp.example.com/token --client-id my-app --client-secret-stdin
On a terminal credctl prompts without echo instead.
`,
		Args: addArgs,
		RunE: func(_ *cobra.Command, args []string) error { opts.Args = args; return addRun(a, opts) },
	}
	opts.Flags = registerProfileFlags(a, cmd, false)
	cmd.Flags().BoolVar(&opts.NoTest, "no-test", false, "do not test an Application profile after saving it")
	registerFromAPI(cmd, &opts.FromAPI)
	return cmd
}

func addRun(a *app, opts *addOptions) error {
	f := opts.Flags
	if err := nameArg(f, opts.Args); err != nil {
		return err
	}
	var missing []string
	for _, name := range []string{"name", "type", "client-id"} {
		if !f.given(name) && (name != "type" || !f.derivedGrantGiven()) {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return &usageError{cmd: "add", msg: "missing " + strings.Join(missing, ", ")}
	}
	var p credentials.Profile
	if err := f.apply("add", &p); err != nil {
		return err
	}
	svc, err := a.service()
	if err != nil {
		return err
	}
	if err := applyFromAPI(a, svc, opts.FromAPI, &p); err != nil {
		return err
	}
	others, err := svc.Profiles()
	if err != nil {
		return err
	}
	// private_key_jwt without --certificate: the key comes next from
	// `credctl certificate new`; no placeholder secret is asked for.
	certLater := (p.AuthMethod.UsesKey() || p.BindTokensToCertificate) && !f.given("certificate")
	// Check first, so nobody types a secret for a profile that will be refused.
	if err := precheck(others, p, f.secretStdin, f.given("certificate"), certLater); err != nil {
		return err
	}
	saved, err := a.saveProfile(svc, p, f, certLater)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Added profile %q (%s).\n", saved.Name, saved.Type.Label())
	if certLater {
		q := shellQuote(saved.Name)
		fmt.Fprintf(a.stdout, "It has no certificate yet: run credctl certificate new %s (or credctl edit %s --certificate FILE),\n", q, q)
		fmt.Fprintf(a.stdout, "register the certificate at the IdP, then: credctl test %s\n", q)
		return nil
	}
	if saved.Type != credentials.TypeApplication || opts.NoTest {
		fmt.Fprintf(a.stdout, "Check it with: credctl test %s\n", shellQuote(saved.Name))
		return nil
	}
	a.testAfterSave(svc, saved)
	return nil
}
