package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type loginOptions struct {
	Name                    string
	NoBrowser, JSON, Device bool
	AnotherUser             bool
	Timeout                 time.Duration
}

func newLoginCmd(a *app) *cobra.Command {
	opts := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login NAME [--no-browser] [--timeout 5m] [--another-user]",
		Short: "Log in to a User profile in the system browser",
		Long: `With --no-browser, or when the browser cannot be opened, the URL to open is
printed on standard error. Ctrl-C cancels the login and closes the listener.
--another-user makes the IdP ask who logs in although the browser is still
signed in there (prompt=login, or select_account where the IdP offers it).
`,
		Args:              wantArgs("login", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			return loginRun(a, opts, c.Flags().Changed("timeout"))
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.NoBrowser, "no-browser", false, "do not open a browser; print the URL to open instead")
	fs.DurationVar(&opts.Timeout, "timeout", oauthflow.DefaultLoginTimeout, "give up when the login has not finished after this `duration`")
	fs.BoolVar(&opts.JSON, "json", false, "print the outcome as JSON (like test --json)")
	fs.BoolVar(&opts.Device, "device", false, "log in with a code on another device (RFC 8628 device authorization grant) instead of a browser here")
	fs.BoolVar(&opts.AnotherUser, "another-user", false, "make the IdP ask who is logging in even if the browser is still signed in there (prompt=login, or select_account where the IdP offers it)")
	return cmd
}

func loginRun(a *app, opts *loginOptions, timeoutGiven bool) error {
	if opts.Timeout <= 0 {
		return &usageError{cmd: "login", msg: "--timeout must be positive, e.g. 5m"}
	}
	if opts.Device && opts.NoBrowser {
		return &usageError{cmd: "login", msg: "--device and --no-browser exclude each other (a device login never opens a browser here)"}
	}
	if opts.Device && !timeoutGiven {
		opts.Timeout = oauthflow.DefaultDeviceLoginTimeout
	}
	svc, err := a.service()
	if err != nil {
		return err
	}
	res, err := svc.Login(a.ctx, opts.Name, oauthflow.LoginOptions{
		Timeout:     opts.Timeout,
		NoBrowser:   opts.NoBrowser,
		AnotherUser: opts.AnotherUser,
		OnURL: a.browserPrompt(opts.NoBrowser, browserTexts{
			open:   "Open this URL in a browser on this computer to log in (it works once):",
			resume: "Continue the login in the browser window that opened (if none did, run again with --no-browser).",
			wait:   fmt.Sprintf("Waiting up to %s for the login; Ctrl-C cancels.", opts.Timeout),
		}),
		Device:       opts.Device,
		OnDeviceCode: func(c oauthflow.DeviceCode) { printDeviceCode(a, c, opts.Timeout) },
	})
	if err != nil {
		return err
	}
	if opts.JSON {
		if err := writeJSON(a.stdout, toResultJSON(res)); err != nil {
			return err
		}
	}
	if !res.Active() {
		if res.Failure != nil {
			return resultVerdict(res)
		}
		return fmt.Errorf("the login did not complete (status %s)", res.Status)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "Warning: %s\n", w)
	}
	if !opts.JSON {
		user, roles := "", "none"
		if res.Token != nil {
			user = res.Token.Username
			if len(res.Token.Roles) > 0 {
				roles = strings.Join(res.Token.Roles, ", ")
			}
		}
		if user == "" {
			user = "an unnamed user (the username claim is not in the token: check --username-claim)"
		}
		fmt.Fprintf(a.stdout, "Logged in as %s (roles: %s)\n", user, roles)
		if res.Token != nil && res.Token.MFA != "" {
			fmt.Fprintln(a.stdout, res.Token.MFA) // the profile requires MFA: what the login proved
		}
	}
	return nil
}

// printDeviceCode tells the user where to enter which code (standard
// error: standard output stays for the outcome).
func printDeviceCode(a *app, c oauthflow.DeviceCode, timeout time.Duration) {
	fmt.Fprintf(a.stderr, "On any device with a browser, open\n\n  %s\n\nand enter the code\n\n  %s\n\n", c.VerificationURI, c.UserCode)
	if c.VerificationURIComplete != "" {
		fmt.Fprintf(a.stderr, "(or open %s, which has the code in it)\n", c.VerificationURIComplete)
	}
	wait := timeout
	if !c.Expiry.IsZero() {
		if left := time.Until(c.Expiry).Round(time.Second); left < wait {
			wait = left
		}
	}
	fmt.Fprintf(a.stderr, "Waiting up to %s for the sign-in there; Ctrl-C cancels.\n", wait)
}

// browserTexts are what a browser step (login, ending the IdP session)
// says on standard error.
type browserTexts struct {
	open   string // before the URL, when the browser is not opened
	resume string // when it was
	wait   string // how long credctl waits
}

// browserPrompt tells the user where the browser step goes on: the URL to
// open when no browser was opened (or could be), else where to continue.
func (a *app) browserPrompt(noBrowser bool, t browserTexts) func(u string, browserErr error) {
	return func(u string, browserErr error) {
		switch {
		case browserErr != nil:
			fmt.Fprintf(a.stderr, "The browser could not be opened: %v\n%s\n\n  %s\n\n", browserErr, t.open, u)
		case noBrowser:
			fmt.Fprintf(a.stderr, "%s\n\n  %s\n\n", t.open, u)
		default:
			fmt.Fprintln(a.stderr, t.resume)
		}
		fmt.Fprintln(a.stderr, t.wait)
	}
}
