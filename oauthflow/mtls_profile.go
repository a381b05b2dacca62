package oauthflow

import (
	"crypto/tls"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/mtls"
)

// Mutual TLS (RFC 8705) wiring: the certificate every TLS handshake of a
// profile presents (httpclient), the mtls_endpoint_aliases of discovery,
// and the check of certificate-bound tokens; the protocol itself is in
// oauthflow/mtls.

// clientCertificate reads the certificate a profile presents, with its
// private key from the keyring (it stays in memory with the profile's
// transport only).
func clientCertificate(secrets *credentials.Secrets) func(credentials.Profile) (*tls.Certificate, error) {
	return func(p credentials.Profile) (*tls.Certificate, error) {
		if p.Certificate == "" {
			return nil, (&Failure{Category: CatConfig, Message: "the profile presents a TLS client certificate (" + mtlsWhat(p) + ") but has none yet: " +
				"generate one (credctl certificate new, or Generate in the Edit form) or import one with its key, and register it at the IdP"}).WithAdvice(failure.AdviceMTLS)
		}
		k, f := loadAssertionKey(secrets, p)
		if f != nil {
			return nil, f
		}
		return &tls.Certificate{Certificate: [][]byte{k.cert.Raw}, PrivateKey: k.key, Leaf: k.cert}, nil
	}
}

func mtlsWhat(p credentials.Profile) string {
	if p.AuthMethod.IsMTLS() {
		return string(p.AuthMethod)
	}
	return "certificate-bound tokens"
}

// withMTLSEndpoints gives a profile that presents its certificate the
// IdP's mtls_endpoint_aliases.
func withMTLSEndpoints(p credentials.Profile, e Endpoints, err error) (Endpoints, error) {
	if err != nil {
		return e, err
	}
	e, f := mtls.Aliased(p, e)
	if f != nil {
		return e, f
	}
	return e, nil
}

// checkBinding refuses a fresh token bound to another certificate, or
// unbound when the profile asks for bound tokens (mtls.CheckBinding); an
// opaque one gets a warning in res.
func checkBinding(p credentials.Profile, accessToken string, res *Result) *Failure {
	w, f := mtls.CheckBinding(p, accessToken)
	if f != nil {
		return f
	}
	if w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	return nil
}

// withoutClientCertificate is p for a call that needs no client
// certificate (discovery of a draft, whose key may not be in the keyring
// yet): a transport of its own (no ID), presenting nothing.
func withoutClientCertificate(p credentials.Profile) credentials.Profile {
	if !p.PresentsCertificate() {
		return p
	}
	p.ID, p.AuthMethod, p.BindTokensToCertificate = "", credentials.AuthBasic, false
	return p
}
