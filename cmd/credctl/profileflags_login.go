package main

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/credworkbench/credworkbench/credentials"
)

// loginFlags are the modern browser-login settings of a User profile (add
// and edit): pushed authorization requests (RFC 9126) and signed request
// objects (RFC 9101).
type loginFlags struct {
	par, requestObject bool
}

func (l *loginFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&l.par, "par", false, "User profiles: push the authorization request to the IdP first (RFC 9126); the browser URL carries only client_id and request_uri "+
		"(used anyway when discovery says require_pushed_authorization_requests; --par=false turns it off)")
	fs.BoolVar(&l.requestObject, "request-object", false, "User profiles: send the authorization request as a request object signed with the profile's private_key_jwt key (RFC 9101; --request-object=false turns it off)")
}

func (l *loginFlags) apply(given func(string) bool, p *credentials.Profile) {
	if given("par") {
		p.PAR = l.par
	}
	if given("request-object") {
		p.RequestObject = l.requestObject
	}
}

// loginSummary is the login settings in one line for show ("" = plain).
func loginSummary(p credentials.Profile) string {
	var parts []string
	if p.PAR {
		parts = append(parts, "pushed authorization request (PAR)")
	}
	if p.RequestObject {
		parts = append(parts, "signed request object")
	}
	return strings.Join(parts, ", ")
}
