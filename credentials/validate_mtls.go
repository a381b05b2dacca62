package credentials

// Mutual TLS (RFC 8705): tls_client_auth and self_signed_tls_client_auth
// client authentication, and certificate-bound access tokens with any
// client authentication. The certificate is the profile's (public, PEM), its
// private key is in the keyring as for private_key_jwt.

// IsMTLS reports whether m authenticates the client by mutual TLS.
func (m AuthMethod) IsMTLS() bool { return m == AuthTLSClient || m == AuthSelfSignedTLS }

// UsesKey reports whether m authenticates with the certificate's private
// key (private_key_jwt or mutual TLS) instead of a client secret.
func (m AuthMethod) UsesKey() bool { return m == AuthPrivateKeyJWT || m.IsMTLS() }

// PresentsCertificate reports whether p's TLS connections (to its IdP and
// to APIs) present its client certificate: mutual TLS client
// authentication, or certificate-bound tokens.
func (p Profile) PresentsCertificate() bool {
	return p.AuthMethod.IsMTLS() || p.BindTokensToCertificate
}

// validateMTLS checks the mutual TLS settings: a certificate (with its key)
// whenever TLS connections present one.
func validateMTLS(p Profile, opt ValidateOptions, add func(field, format string, args ...any)) {
	if !p.PresentsCertificate() {
		return
	}
	what := string(p.AuthMethod)
	if !p.AuthMethod.IsMTLS() {
		what = "Certificate-bound tokens"
	}
	switch {
	case p.Certificate == "" && opt.CertificateLater:
		// It comes next (credctl certificate new).
	case p.Certificate == "":
		add(FieldCertificate, "%s needs the client certificate: import one with its key, or generate one.", what)
	case !p.AuthMethod.IsMTLS():
		// Bound tokens with another client authentication: the certificate
		// (kept for private_key_jwt too) is checked where the handshake
		// needs it, and a missing key is explained there.
	default:
		if c, err := ParseCertificatePEM(p.Certificate); err != nil {
			add(FieldCertificate, "The certificate cannot be read: %v.", err)
		} else if err := checkKeyType(c.PublicKey); err != nil {
			add(FieldCertificate, "%s.", err)
		} else if !opt.HasPrivateKey && !opt.SecretOptional {
			add(FieldPrivateKey, "%s needs the certificate's private key: import the certificate with its key, or generate one.", what)
		}
	}
}
