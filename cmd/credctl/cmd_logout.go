package main

import (
	"fmt"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type logoutOptions struct {
	Name                  string
	EndSession, NoBrowser bool
	Timeout               time.Duration
}

func newLogoutCmd(a *app) *cobra.Command {
	opts := &logoutOptions{}
	cmd := &cobra.Command{
		Use:   "logout NAME [--end-session]",
		Short: "Log out of a User profile (revokes and forgets its tokens)",
		Long: `--end-session also ends the IdP's session in the browser (RP-initiated
logout through its end_session_endpoint), so the next login asks who you are.
The browser comes back to http://127.0.0.1:PORT/logged-out; an IdP that matches
post-logout addresses exactly needs that registered. Without an
end_session_endpoint the IdP's session stays (say so, exit 0); when the browser
does not come back within --timeout, credctl exits 1 (logged out here anyway).
`,
		Args:              wantArgs("logout", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return logoutRun(a, opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.EndSession, "end-session", false, "also end the IdP's session in the browser (RP-initiated logout), so the next login asks who you are")
	fs.BoolVar(&opts.NoBrowser, "no-browser", false, "with --end-session: do not open a browser; print the URL to open instead")
	fs.DurationVar(&opts.Timeout, "timeout", oauthflow.DefaultIdPLogoutTimeout, "with --end-session: give up waiting for the browser after this `duration`")
	return cmd
}

func logoutRun(a *app, opts *logoutOptions) error {
	if opts.Timeout <= 0 {
		return &usageError{cmd: "logout", msg: "--timeout must be positive, e.g. 2m"}
	}
	svc, p, err := a.serviceProfile(opts.Name)
	if err != nil {
		return err
	}
	opt := oauthflow.LogoutOptions{EndIdPSession: opts.EndSession, NoBrowser: opts.NoBrowser, Timeout: opts.Timeout,
		OnURL: a.browserPrompt(opts.NoBrowser, browserTexts{
			open:   "Open this URL in the browser you log in with to end the IdP session (it works once):",
			resume: "Confirm the sign-out in the browser window that opened (if none did, run again with --no-browser).",
			wait:   fmt.Sprintf("Waiting up to %s for the browser; Ctrl-C stops waiting (you are logged out here already).", opts.Timeout),
		})}
	// Logout also removes the cached token, for every process.
	res, err := svc.LogoutWith(a.ctx, p.ID, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Logged out of %q.\n", p.Name)
	switch res.IdPSession {
	case oauthflow.IdPSessionEnded:
		fmt.Fprintln(a.stdout, "The IdP's session was ended too: the next login asks who you are.")
	case oauthflow.IdPSessionUnsupported:
		fmt.Fprintln(a.stderr, res.Message)
	case oauthflow.IdPSessionUnknown:
		return &exitError{code: exitFailure, msg: res.Message}
	}
	return nil
}
