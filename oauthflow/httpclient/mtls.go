package httpclient

import (
	"crypto/tls"

	"github.com/credworkbench/credworkbench/credentials"
)

// withClientCertificate makes cfg present p's client certificate (mutual
// TLS client authentication or certificate-bound tokens, RFC 8705) to every
// server that asks, the IdP and APIs alike. GetClientCertificate rather than
// Certificates: Go would send nothing when the certificate is not issued by
// one of the CAs the server names, and a self-signed one never is.
func (c *Cache) withClientCertificate(cfg *tls.Config, p credentials.Profile) error {
	if !p.PresentsCertificate() || c.opt.ClientCertificate == nil {
		return nil
	}
	cert, err := c.opt.ClientCertificate(p)
	if err != nil {
		return err
	}
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	return nil
}
