package main

import (
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"golang.org/x/oauth2"
)

// DPoP and the protocol helpers: git and kubectl hand the server a bare
// token (HTTP Basic / Bearer, ExecCredential status.token) and cannot add
// a DPoP proof to each request, so a DPoP-bound token would only be
// refused there; they are refused here, with what to do. exec hands the
// command the token and its type, and the command makes the proofs.

// dpopHelperRefusal is the error of a helper that cannot present p's
// tokens (nil when p does not use DPoP).
func dpopHelperRefusal(helper string, p credentials.Profile) error {
	if !p.DPoP {
		return nil
	}
	why := "git sends the credential as HTTP Basic (or Bearer) and cannot add a DPoP proof to each request"
	if helper == "kubectl-credential" {
		why = "kubectl's exec credential plugin can hand over only a bearer token (ExecCredential status.token), never a DPoP proof per request"
	}
	return fmt.Errorf("%q uses DPoP (RFC 9449), and %s, so the server would refuse its DPoP-bound token: "+
		"use a profile without DPoP for %s (credctl edit %s --dpop=false, if the server accepts Bearer tokens)",
		p.Name, why, strings.TrimSuffix(helper, "-credential"), shellQuote(p.Name))
}

// dpopExecEnv adds VAR_TYPE=DPoP for a DPoP-bound token, so the command
// knows to present it with a proof (credctl token NAME --dpop-proof-for
// METHOD URL), and drops an inherited VAR_TYPE otherwise.
func dpopExecEnv(env []string, name string, tok *oauth2.Token) []string {
	out := env[:0:0]
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != name+"_TYPE" {
			out = append(out, kv)
		}
	}
	if strings.EqualFold(tok.Type(), "DPoP") {
		out = append(out, name+"_TYPE=DPoP")
	}
	return out
}
