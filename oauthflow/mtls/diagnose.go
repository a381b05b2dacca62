package mtls

import (
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// certificateAlerts are the TLS alerts a server sends when it wanted a
// client certificate it did not get or does not accept (RFC 8446 §6.2).
var certificateAlerts = []string{"certificate required", "bad certificate", "certificate unknown",
	"unknown certificate authority", "unsupported certificate", "certificate expired", "certificate revoked"}

// Explain puts a failure of p's call to its IdP (or an API) in mutual TLS
// terms where mutual TLS is its cause; it edits f. Other failures are left
// as they are.
func Explain(p credentials.Profile, f *failure.Failure) {
	if f == nil || explained(f.Message) {
		return // explained already (a failure may pass here twice)
	}
	desc := strings.ToLower(f.IdPDescription)
	switch {
	case f.Category == failure.CatTLS && certificateAlert(f.Message):
		if !p.PresentsCertificate() {
			f.Message = "the server asked for a TLS client certificate and ended the handshake without one, and this profile presents none (" +
				f.Message + "): choose tls_client_auth or self_signed_tls_client_auth, or Bind tokens to certificate, with a certificate the server accepts"
		} else {
			f.Message = "the server refused the profile's TLS client certificate in the handshake (" + f.Message +
				"): it does not trust the certificate (for tls_client_auth a CA the server trusts must issue it; a self-signed certificate must be registered)"
		}
		f.WithAdvice(AdviceMTLS)
	case f.IdPError == "invalid_client" && p.AuthMethod.IsMTLS() && strings.Contains(desc, "not provided"):
		f.Category = failure.CatTLS
		f.Message = "the IdP received no TLS client certificate at its token endpoint, although the profile presents one when asked: " +
			"the IdP did not ask for it there (its mutual TLS endpoints may be elsewhere: mtls_endpoint_aliases), or a TLS-terminating proxy in front of it dropped it"
		f.WithAdvice(AdviceMTLS)
	case f.IdPError == "invalid_client" && p.AuthMethod.IsMTLS():
		f.Category = failure.CatCredentials
		f.Message = "the IdP does not accept the profile's client certificate for " + failure.Sanitize(p.ClientID, 100) + ", or did not receive it: " +
			unknownCertificateHint(p) + ". If it is registered, the IdP may ask for certificates only at its mutual TLS endpoints " +
			"(mtls_endpoint_aliases of its discovery document: set the issuer URL and leave the token URL empty to use them), " +
			"or a TLS-terminating proxy in front of it dropped the certificate"
		f.WithAdvice(AdviceMTLS)
	case strings.Contains(desc, "mutual tls client certificate not provided") || strings.Contains(desc, "failed x5t#s256 verification"):
		f.Category = failure.CatTLS
		f.Message = "the IdP binds this client's tokens to its TLS client certificate and received none with the request"
		if !p.PresentsCertificate() {
			f.Message += ": turn on Bind tokens to certificate (credctl edit --bind-tokens-to-certificate) with the client's certificate"
		}
		f.WithAdvice(AdviceMTLS)
	case f.Category == failure.CatNetwork && p.PresentsCertificate():
		f.Message += "; with mutual TLS the profile calls the IdP's mtls_endpoint_aliases (from its discovery document) where it publishes them: " +
			"check that those hosts and ports are reachable from here, or enter the token endpoint URL by hand"
	}
}

// explainedMarks begin (or end) the messages Explain writes. The advice
// alone does not tell: the IdP's refusal of an mTLS profile already
// carries AdviceMTLS (failure.AdviceFor) before it is explained here.
var explainedMarks = []string{"the server asked for a TLS client certificate", "the server refused the profile's TLS client certificate",
	"the IdP received no TLS client certificate", "the IdP does not accept the profile's client certificate",
	"the IdP binds this client's tokens", "mtls_endpoint_aliases"}

func explained(msg string) bool {
	for _, m := range explainedMarks {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

func unknownCertificateHint(p credentials.Profile) string {
	if p.AuthMethod == credentials.AuthSelfSignedTLS {
		return "for self_signed_tls_client_auth register this very certificate (its JWK with x5c, or the PEM) for the client at the IdP " +
			"(credctl certificate new printed it; credctl show --json has it); a new certificate must be registered again"
	}
	subject := "?"
	if c, err := credentials.ParseCertificatePEM(p.Certificate); err == nil {
		subject = c.Subject.String()
	}
	return "for tls_client_auth the IdP must trust the CA that issued the certificate and have its subject registered " +
		"(tls_client_auth_subject_dn " + failure.Sanitize(subject, 200) + ", or a SAN)"
}

func certificateAlert(msg string) bool {
	for _, a := range certificateAlerts {
		if strings.Contains(msg, a) {
			return true
		}
	}
	return false
}
