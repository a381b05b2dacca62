package credentials

import (
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"
)

// Mutual TLS profiles need a certificate and its key, never a secret;
// certificate-bound tokens need the certificate with any client
// authentication; the methods are accepted by name.
func TestValidateMutualTLS(t *testing.T) {
	km, err := GenerateKey(KeyEC, pkix.Name{CommonName: "mtls"}, 30, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	base := Profile{Name: "m", Type: TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "c"}
	cert := CertificatePEM(km.Cert)
	for _, c := range []struct {
		name  string
		mod   func(*Profile)
		opt   ValidateOptions
		field string // "" = valid
		want  string
	}{
		{"tls_client_auth with key", func(p *Profile) { p.AuthMethod, p.Certificate = AuthTLSClient, cert }, ValidateOptions{HasPrivateKey: true}, "", ""},
		{"self-signed with key", func(p *Profile) { p.AuthMethod, p.Certificate = AuthSelfSignedTLS, cert }, ValidateOptions{HasPrivateKey: true}, "", ""},
		{"no certificate", func(p *Profile) { p.AuthMethod = AuthTLSClient }, ValidateOptions{}, FieldCertificate, "tls_client_auth needs the client certificate"},
		{"certificate later", func(p *Profile) { p.AuthMethod = AuthSelfSignedTLS }, ValidateOptions{CertificateLater: true}, "", ""},
		{"no key", func(p *Profile) { p.AuthMethod, p.Certificate = AuthTLSClient, cert }, ValidateOptions{}, FieldPrivateKey, "private key"},
		{"bound with secret", func(p *Profile) { p.BindTokensToCertificate, p.Certificate = true, cert },
			ValidateOptions{HasSecret: true, HasPrivateKey: true}, "", ""},
		{"bound without certificate", func(p *Profile) { p.BindTokensToCertificate = true }, ValidateOptions{HasSecret: true},
			FieldCertificate, "Certificate-bound tokens needs the client certificate"},
		{"bound without secret", func(p *Profile) { p.BindTokensToCertificate, p.Certificate = true, cert },
			ValidateOptions{HasPrivateKey: true}, FieldClientSecret, "client secret"},
		{"unknown method", func(p *Profile) { p.AuthMethod = "tls_client_authx" }, ValidateOptions{HasSecret: true}, FieldAuthMethod, "tls_client_auth"},
	} {
		p := base
		c.mod(&p)
		p.Normalize()
		err := Validate(p, c.opt)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		ve, _ := err.(*ValidationError)
		if msg := ve.For(c.field); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s = %q, want %q (all: %v)", c.name, c.field, msg, c.want, err)
		}
	}
	p := base
	p.AuthMethod, p.Certificate = AuthTLSClient, cert
	if at, what := p.CredentialExpiry(); what != "certificate" || !at.Equal(km.Cert.NotAfter.UTC()) {
		t.Errorf("credential expiry of a mutual TLS profile: %v %s", at, what)
	}
	if !p.PresentsCertificate() || (Profile{AuthMethod: AuthPrivateKeyJWT}).PresentsCertificate() {
		t.Error("PresentsCertificate")
	}
}
