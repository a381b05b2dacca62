package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// rotateIdPFlags are rotate-secret's flags for a rotation at the IdP (#26).
type rotateIdPFlags struct {
	atIdP       bool
	revokeAfter string
	allExpiring string
	name        string
}

func (f *rotateIdPFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.atIdP, "at-idp", false, "create the new secret at the IdP through the profile's management connection, test it, switch to it and revoke the old one")
	fs.StringVar(&f.revokeAfter, "revoke-old-after", "now", "with --at-idp: when the old secret is revoked: now, never, or a grace `period` such as 24h or 7d")
	fs.StringVar(&f.allExpiring, "all-expiring", "", "with --at-idp: rotate every profile whose secret expires within the `window` (e.g. 30d) instead of NAME")
	fs.StringVar(&f.name, "new-secret-name", "", "with --at-idp: the new secret's display `name` at the IdP (Entra; default credworkbench NAME DATE)")
}

// args: NAME, or none with --all-expiring.
func (f *rotateIdPFlags) args() cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if f.allExpiring != "" {
			return checkArgs("rotate-secret", args)
		}
		return checkArgs("rotate-secret", args, "NAME")
	}
}

func rotateIdPRun(a *app, opts *rotateOptions, args []string) error {
	f := &opts.idp
	if !f.atIdP {
		return &usageError{cmd: "rotate-secret", msg: "--all-expiring rotates at the IdP: add --at-idp"}
	}
	if opts.FromStdin {
		return &usageError{cmd: "rotate-secret", msg: "--at-idp creates the new secret at the IdP: do not pass --new-secret-stdin"}
	}
	ra, err := oauthflow.ParseRevokeAfter(f.revokeAfter)
	if err != nil {
		return &usageError{cmd: "rotate-secret", msg: "--revoke-old-after: " + err.Error()}
	}
	o := oauthflow.AtIdPOptions{RevokeOld: ra, DisplayName: f.name}
	if opts.Expires != "" && !strings.EqualFold(opts.Expires, "none") {
		at, err := secretExpiresFlag("rotate-secret", opts.Expires)
		if err != nil {
			return err
		}
		o.Expires = at
	}
	svc, err := a.service()
	if err != nil {
		return err
	}
	if f.allExpiring == "" {
		p, err := svc.Profile(args[0])
		if err != nil {
			return err
		}
		r, err := svc.Secrets().RotateAtIdP(a.ctx, p.ID, o)
		if err != nil {
			return err
		}
		writeRotation(a.stdout, r)
		if !r.OK() {
			return quiet(&exitError{code: rotationExit(r), msg: "rotation failed"})
		}
		return nil
	}
	win, err := parseWithin(f.allExpiring)
	if err != nil {
		return &usageError{cmd: "rotate-secret", msg: strings.Replace(err.Error(), "--within", "--all-expiring", 1)}
	}
	due, err := svc.Secrets().Expiring(win)
	if err != nil {
		return err
	}
	var ids []string
	for _, p := range due {
		if p.HasManagement() {
			ids = append(ids, p.ID)
		} else {
			fmt.Fprintf(a.stderr, "Skipped %q: it expires within %s but has no management connection (--management-profile).\n", p.Name, f.allExpiring)
		}
	}
	if len(ids) == 0 {
		fmt.Fprintf(a.stdout, "No profile with a management connection has a secret expiring within %s.\n", f.allExpiring)
		return nil
	}
	rs, err := svc.Secrets().RotateAll(a.ctx, ids, o)
	for _, r := range rs {
		writeRotation(a.stdout, r)
		fmt.Fprintln(a.stdout)
	}
	failed := writeRotationSummary(a.stdout, rs)
	if err != nil {
		return err
	}
	if failed > 0 {
		return quiet(&exitError{code: exitFailure, msg: fmt.Sprintf("%d rotation(s) failed", failed)})
	}
	return nil
}

// rotationExit maps a failed step to credctl's exit codes.
func rotationExit(r oauthflow.Rotation) int {
	if r.Failure != nil {
		if c := exitCode(r.Failure); c != exitOK {
			return c
		}
	}
	return exitFailure
}

// writeRotation says what a rotation (or a completed or cancelled step) did.
func writeRotation(w io.Writer, r oauthflow.Rotation) {
	where := r.API
	if r.App != "" {
		where += " app " + r.App
	}
	steps := make([]string, 0, len(r.Done))
	for _, s := range r.Done {
		steps = append(steps, string(s))
	}
	switch {
	case r.Skipped && r.Failure == nil:
		fmt.Fprintf(w, "%s: %s\n", r.Profile, r.Left)
		return
	case r.OK():
		fmt.Fprintf(w, "%s: done (%s) at %s via %s.\n", r.Profile, strings.Join(steps, ", "), where, r.Management)
	default:
		fmt.Fprintf(w, "%s: the %s step failed: %s\n", r.Profile, r.Failed, r.Failure.Error())
		if len(steps) > 0 {
			fmt.Fprintf(w, "  Done: %s.\n", strings.Join(steps, ", "))
		}
	}
	if r.NewKeyID != "" {
		fmt.Fprintf(w, "  New secret: key %s.\n", r.NewKeyID)
	}
	if r.Result.Active() && !r.Result.Expiry.IsZero() {
		fmt.Fprintf(w, "  The IdP accepted the new secret (test token expires %s).\n", humanUntil(r.Result.Expiry, time.Now()))
	}
	if r.Left != "" {
		fmt.Fprintf(w, "  Left: %s.\n", strings.TrimSuffix(r.Left, "."))
	}
	if !r.Pending.IsZero() {
		fmt.Fprintf(w, "  Pending: %s.\n", pendingLine(r.Pending))
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  Warning: %s\n", warn)
	}
}

// writeRotationSummary prints the bulk summary and returns how many failed.
func writeRotationSummary(w io.Writer, rs []oauthflow.Rotation) int {
	var rotated, failed, pending []string
	for _, r := range rs {
		switch {
		case !r.OK():
			failed = append(failed, r.Profile+" ("+string(r.Failed)+")")
		case r.Did(oauthflow.StepSwitch):
			rotated = append(rotated, r.Profile)
		}
		if !r.Pending.IsZero() {
			pending = append(pending, r.Profile+" ("+r.Pending.Step+")")
		}
	}
	list := func(v []string) string {
		if len(v) == 0 {
			return "none"
		}
		return strings.Join(v, ", ")
	}
	fmt.Fprintf(w, "Summary: rotated %d: %s\n", len(rotated), list(rotated))
	fmt.Fprintf(w, "         failed %d: %s\n", len(failed), list(failed))
	fmt.Fprintf(w, "         pending %d: %s\n", len(pending), list(pending))
	return len(failed)
}

// pendingLine is a pending step in words.
func pendingLine(pp credentials.PendingAtIdP) string {
	switch pp.Step {
	case "mint":
		return fmt.Sprintf("interrupted while %s created a new secret %q (%s): if it is there, remove it at the IdP, then credctl idp cancel",
			orWord(pp.API, "the IdP"), pp.NewName, pp.Since.Local().Format("2006-01-02 15:04"))
	case "switch":
		s := fmt.Sprintf("switch to the new secret (key %s), minted %s", orWord(pp.NewKeyID, "unknown"), pp.Since.Local().Format("2006-01-02 15:04"))
		if pp.LastError != "" {
			s += "; its test failed: " + pp.LastError
		}
		return s
	case "revoke":
		when := "by hand (credctl idp complete)"
		if !pp.Due.IsZero() {
			when = "due " + pp.Due.Local().Format("2006-01-02 15:04")
		}
		s := fmt.Sprintf("revoke the old secret (key %s) at %s, %s", orWord(pp.OldKeyID, "unknown"), orWord(pp.API, "the IdP"), when)
		if pp.LastError != "" {
			s += fmt.Sprintf("; tried %d time(s), last: %s", pp.Tries, pp.LastError)
		}
		return s
	}
	return pp.Step
}

// runDue carries out due IdP steps before a command (quietly; a failure is
// a warning, never blocking the command).
func (a *app) runDue(svc *oauthflow.Service) {
	ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
	defer cancel()
	rs, err := svc.Secrets().RunDue(ctx)
	if err != nil {
		fmt.Fprintf(a.stderr, "Warning: pending IdP steps could not be checked: %v\n", err)
		return
	}
	for _, r := range rs {
		if !r.OK() {
			fmt.Fprintf(a.stderr, "Warning: the pending %s step of %q failed: %v\n", r.Failed, r.Profile, r.Failure)
		}
	}
}
