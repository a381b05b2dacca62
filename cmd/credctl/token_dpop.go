package main

import (
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

// DPoP for scripts that call an API themselves (credctl token
// --dpop-proof-for METHOD URL): the token and a fresh proof bound to it.

// dpopTokenFlags are token's DPoP flags.
type dpopTokenFlags struct {
	method, nonce string
	url           string // the URL after METHOD
}

func (f *dpopTokenFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.method, "dpop-proof-for", "", "DPoP profiles: also print a fresh DPoP proof for one request, `METHOD` URL "+
		"(the URL is the next argument); the output is the token, then the proof, one per line (see docs/credctl.md)")
	cmd.Flags().StringVar(&f.nonce, "dpop-nonce", "", "the `nonce` an API handed out in DPoP-Nonce, put into the --dpop-proof-for proof")
}

// tokenArgs checks token's arguments: NAME, and the URL after
// --dpop-proof-for METHOD.
func (f *dpopTokenFlags) args(cmd *cobra.Command, args []string) error {
	if !cmd.Flags().Changed("dpop-proof-for") {
		if cmd.Flags().Changed("dpop-nonce") {
			return &usageError{cmd: "token", msg: "--dpop-nonce goes with --dpop-proof-for METHOD URL"}
		}
		return checkArgs("token", args, "NAME")
	}
	if m, u, ok := strings.Cut(strings.TrimSpace(f.method), " "); ok { // --dpop-proof-for "GET https://…"
		f.method, f.url = m, strings.TrimSpace(u)
		return checkArgs("token", args, "NAME")
	}
	if err := checkArgs("token", args, "NAME", "URL (after --dpop-proof-for METHOD)"); err != nil {
		return err
	}
	f.url = args[1]
	return nil
}

// proof is the token with a proof for --dpop-proof-for; ok is false
// without the flag.
func (f *dpopTokenFlags) proof(a *app, name string, fresh bool) (out tokenJSON, ok bool, err error) {
	if f.url == "" {
		return tokenJSON{}, false, nil
	}
	svc, p, err := a.serviceProfile(name)
	if err != nil {
		return tokenJSON{}, true, err
	}
	tok, proof, err := svc.DPoP().Proof(a.ctx, p.ID, f.method, f.url, f.nonce, oauthflow.TokenOptions{Fresh: fresh})
	if err != nil {
		return tokenJSON{}, true, err
	}
	out = tokenOutput(p.Name, tok, false)
	out.DPoPProof = proof
	return out, true, nil
}

// dpopTokenNote tells on stderr that a printed DPoP token needs a proof.
func dpopTokenNote(a *app, out tokenJSON) {
	if strings.EqualFold(out.TokenType, "DPoP") && out.DPoPProof == "" {
		fmt.Fprintln(a.stderr, "credctl: this token is DPoP-bound: an API accepts it only as \"Authorization: DPoP <token>\" with a DPoP proof; "+
			"--dpop-proof-for METHOD URL prints one")
	}
}
