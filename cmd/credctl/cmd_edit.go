package main

import (
	"fmt"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
)

type editOptions struct {
	Name   string
	Flags  *profileFlags
	NoTest bool

	FromAPI string // add_fromapi.go
}

func newEditCmd(a *app) *cobra.Command {
	opts := &editOptions{}
	cmd := &cobra.Command{
		Use:   "edit NAME [FLAGS] [--rename NEW]",
		Short: "Change a profile; only the flags given change",
		Long: `Only the flags given change. --type changes the grant to the type's default
unless --grant is given too. --clear-client-secret removes the stored secret
(public User clients).
`,
		Args:              wantArgs("edit", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return editRun(a, opts)
		},
	}
	opts.Flags = registerProfileFlags(a, cmd, true)
	cmd.Flags().BoolVar(&opts.NoTest, "no-test", false, "do not test an Application profile after saving it")
	registerFromAPI(cmd, &opts.FromAPI)
	return cmd
}

func editRun(a *app, opts *editOptions) error {
	f := opts.Flags
	if !f.anyGivenBut("no-test") {
		return &usageError{cmd: "edit", msg: "nothing to change: give the flags of the settings to change"}
	}
	if f.secretStdin && f.clearSecret {
		return &usageError{cmd: "edit", msg: "--client-secret-stdin and --clear-client-secret exclude each other"}
	}
	if f.proxyPassStdin && f.clearProxyPass {
		return &usageError{cmd: "edit", msg: "--proxy-password-stdin and --clear-proxy-password exclude each other"}
	}
	svc, p, err := a.serviceProfile(opts.Name)
	if err != nil {
		return err
	}
	if err := f.apply("edit", &p); err != nil {
		return err
	}
	if err := applyFromAPI(a, svc, opts.FromAPI, &p); err != nil {
		return err
	}
	saved, err := a.saveProfile(svc, p, f, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Saved profile %q.\n", saved.Name)
	if saved.Type == credentials.TypeApplication && !opts.NoTest {
		a.testAfterSave(svc, saved)
	}
	return nil
}
