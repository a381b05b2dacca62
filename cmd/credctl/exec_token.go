package main

import (
	"fmt"
	"os"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"golang.org/x/oauth2"
	"golang.org/x/term"
)

// helperToken is the token the protocol helpers (git-credential,
// kubectl-credential, exec) hand out: one from the store every process
// shares, fetched only when none is valid for oauthflow.MinTokenValidity.
// A User profile without a session logs in first when interactive (a user
// can answer the browser step; its texts go to stderr, never stdout,
// which belongs to the protocol); otherwise the error says how to log in.
func (a *app) helperToken(name string, interactive bool) (*oauth2.Token, credentials.Profile, error) {
	r, asked, err := a.agentToken(name, true) // a running workbench first (token_agent.go)
	tok, p := r.tok, r.p
	if !asked {
		var svc *oauthflow.Service
		if svc, p, err = a.serviceProfile(name); err != nil {
			return nil, p, err
		}
		if err := refuseBoundHelper(p); err != nil { // profileflags_mtls.go
			return nil, p, err
		}
		tok, _, err = svc.FetchToken(a.ctx, p.ID, oauthflow.TokenOptions{})
	}
	f, isFailure := oauthflow.AsFailure(err)
	if err == nil || p.Type != credentials.TypeUser || !isFailure || f.Category != oauthflow.CatLogin {
		return tok, p, err
	}
	if !interactive {
		return nil, p, fmt.Errorf("%q has no login session and there is no terminal to log in from: "+
			"run 'credctl login %s' (or log in in the workbench), then try again: %w", p.Name, shellQuote(p.Name), err)
	}
	svc, err := a.service() // open already unless the workbench answered
	if err != nil {
		return nil, p, err
	}
	res, err := svc.Login(a.ctx, p.ID, oauthflow.LoginOptions{
		Timeout: oauthflow.DefaultLoginTimeout,
		OnURL: a.browserPrompt(false, browserTexts{
			open:   "Open this URL in a browser on this computer to log in (it works once):",
			resume: fmt.Sprintf("Log in to %q in the browser window that opened.", p.Name),
			wait:   fmt.Sprintf("Waiting up to %s for the login; Ctrl-C cancels.", oauthflow.DefaultLoginTimeout),
		}),
	})
	if err != nil {
		return nil, p, err
	}
	if !res.Active() {
		return nil, p, resultVerdict(res)
	}
	tok, _, err = svc.FetchToken(a.ctx, p.ID, oauthflow.TokenOptions{})
	return tok, p, err
}

// stderrIsTerminal says a user watches the helper (git and kubectl keep
// stderr on the terminal while stdin and stdout speak the protocol).
func stderrIsTerminal() bool { return term.IsTerminal(int(os.Stderr.Fd())) }
