package main

import (
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type tokenOptions struct {
	Name        string
	JSON, Fresh bool
	dpop        dpopTokenFlags // token_dpop.go
}

func newTokenCmd(a *app) *cobra.Command {
	opts := &tokenOptions{}
	cmd := &cobra.Command{
		Use:   "token NAME [--json] [--dpop-proof-for METHOD URL]",
		Short: "Print a valid access token, renewing it only when needed",
		Long: `The token is cached in the profile's keyring entry (where it fits the
platform's size limit) and reused while it is valid for more than a minute;
editing, rotating, logging out or deleting the profile drops the cache.
  curl -H "Authorization: Bearer $(credctl token api)" https://api.example.com/
`,
		Args:              opts.dpop.args,
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			if out, ok, err := opts.dpop.proof(a, opts.Name, opts.Fresh); ok { // token_dpop.go
				return tokenPrint(a, opts, out, err)
			}
			return tokenRun(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON with the token, its type and expiry (see docs/credctl.md)")
	cmd.Flags().BoolVar(&opts.Fresh, "fresh", false, "ignore the cached token and get a new one")
	opts.dpop.register(cmd)
	return cmd
}

func tokenRun(a *app, opts *tokenOptions) error {
	out, err := a.accessToken(opts.Name, opts.Fresh)
	return tokenPrint(a, opts, out, err)
}

func tokenPrint(a *app, opts *tokenOptions, out tokenJSON, err error) error {
	if err != nil {
		return err
	}
	dpopTokenNote(a, out)
	if opts.JSON {
		return writeJSON(a.stdout, out)
	}
	if out.DPoPProof != "" {
		_, err = fmt.Fprintf(a.stdout, "%s\n%s\n", out.AccessToken, out.DPoPProof)
		return err
	}
	_, err = fmt.Fprintln(a.stdout, out.AccessToken)
	return err
}

// tokenJSON is the `token --json` output.
type tokenJSON struct {
	Name        string    `json:"name"`
	AccessToken string    `json:"accessToken"`
	TokenType   string    `json:"tokenType"`
	Expiry      time.Time `json:"expiry,omitzero"`
	ExpiresIn   int64     `json:"expiresIn,omitempty"` // seconds
	Cached      bool      `json:"cached"`
	DPoPProof   string    `json:"dpopProof,omitempty"` // --dpop-proof-for
}

// accessToken returns a valid access token from the token store every
// process shares (the workbench's token serves here, and this one serves
// it), fetching a new one only when none has more than
// oauthflow.MinTokenValidity left.
func (a *app) accessToken(name string, fresh bool) (tokenJSON, error) {
	if !fresh { // a running workbench first (token_agent.go); --fresh asks the IdP anyway
		if r, asked, err := a.agentToken(name, false); asked {
			if err != nil {
				return tokenJSON{}, err
			}
			return tokenOutput(r.p.Name, r.tok, r.cached), nil
		}
	}
	svc, p, err := a.serviceProfile(name)
	if err != nil {
		return tokenJSON{}, err
	}
	tok, cached, err := svc.FetchToken(a.ctx, p.ID, oauthflow.TokenOptions{Fresh: fresh})
	if err != nil {
		return tokenJSON{}, err
	}
	return tokenOutput(p.Name, tok, cached), nil
}

func tokenOutput(name string, tok *oauth2.Token, cached bool) tokenJSON {
	out := tokenJSON{Name: name, AccessToken: tok.AccessToken, TokenType: tok.Type(), Cached: cached}
	if !tok.Expiry.IsZero() {
		out.Expiry, out.ExpiresIn = tok.Expiry.UTC(), int64(time.Until(tok.Expiry)/time.Second)
	}
	return out
}
