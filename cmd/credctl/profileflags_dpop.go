package main

import (
	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/pflag"
)

// registerDPoP defines --dpop (add and edit).
func registerDPoP(fs *pflag.FlagSet) {
	fs.Bool("dpop", false, "DPoP (RFC 9449): bind the profile's tokens to a key of its own (ES256, private key in the OS keyring only) "+
		"and prove it on every token request and API call (--dpop=false turns it off and removes the key)")
}

// applyDPoP copies --dpop onto p when given.
func applyDPoP(fs *pflag.FlagSet, p *credentials.Profile) {
	if fs.Changed("dpop") {
		p.DPoP, _ = fs.GetBool("dpop")
	}
}

// dpopShow is the DPoP line of credctl show ("" without DPoP): the key's
// public JWK thumbprint, the cnf.jkt of the profile's tokens.
func dpopShow(a *app, p credentials.Profile) string {
	if !p.DPoP {
		return ""
	}
	svc, err := a.service()
	if err != nil {
		return "on (the key cannot be read: " + err.Error() + ")"
	}
	jkt, err := svc.DPoP().Thumbprint(p.ID)
	switch {
	case err != nil:
		return "on (the key cannot be read: " + oneLine(err.Error()) + ")"
	case jkt == "":
		return "on (the key is made at the first token request)"
	}
	return "on, key thumbprint (JWK SHA-256) " + jkt
}
