package main

import (
	"fmt"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/oauthflow/mtls"
	"github.com/spf13/pflag"
)

// mtlsFlags are the mutual TLS settings (RFC 8705) of add and edit; the
// client authentication itself is --auth-method tls_client_auth or
// self_signed_tls_client_auth with --certificate FILE.
type mtlsFlags struct {
	bind bool
}

func (m *mtlsFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&m.bind, "bind-tokens-to-certificate", false, "certificate-bound access tokens (RFC 8705): present the --certificate in every TLS handshake "+
		"with the IdP and APIs, and accept only tokens bound to it (any client authentication; --bind-tokens-to-certificate=false turns it off)")
}

// apply copies the given mutual TLS flags onto p.
func (m *mtlsFlags) apply(given func(string) bool, p *credentials.Profile) {
	if given("bind-tokens-to-certificate") {
		p.BindTokensToCertificate = m.bind
	}
}

// mtlsSummary is the mutual TLS line of show ("" when the profile presents
// no certificate).
func mtlsSummary(p credentials.Profile) string {
	var parts []string
	if p.AuthMethod.IsMTLS() {
		parts = append(parts, "client authentication by "+string(p.AuthMethod))
	}
	if p.BindTokensToCertificate {
		parts = append(parts, "certificate-bound tokens (cnf.x5t#S256 checked)")
	}
	if len(parts) == 0 {
		return ""
	}
	s := parts[0]
	if len(parts) == 2 {
		s += ", " + parts[1]
	}
	if tp, err := mtls.Thumbprint(p.Certificate); err == nil {
		s += "; certificate x5t#S256 " + tp
	}
	return s + "; the certificate is presented to the IdP and APIs"
}

// assertionSummary is show's assertion line, "" (no line) for a mutual
// TLS profile, which sends no assertion.
func assertionSummary(p credentials.Profile, line string) string {
	if p.AuthMethod == credentials.AuthPrivateKeyJWT {
		return line
	}
	return ""
}

// refuseBoundHelper refuses to hand a certificate-bound token to a helper
// (git-credential, kubectl-credential, exec): git, kubectl's exec plugin
// and exec's program receive only the token, and cannot present the
// certificate whose key stays in the keyring, so every API would refuse it.
func refuseBoundHelper(p credentials.Profile) error {
	if !p.BindTokensToCertificate {
		return nil
	}
	return &oauthflow.Failure{Category: oauthflow.CatConfig, Message: fmt.Sprintf("%q has certificate-bound tokens (mutual TLS): "+
		"an API accepts its token only over a connection that presents the profile's client certificate, and git, kubectl's exec plugin "+
		"and programs run by credctl exec receive only the token (the private key stays in the OS keyring). Call the API with "+
		"credctl request %s or a transport instead, or use a profile without --bind-tokens-to-certificate", p.Name, shellQuote(p.Name))}
}
