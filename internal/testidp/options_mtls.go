package testidp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// MTLS configures mutual TLS (RFC 8705) at the IdP (node/mtls.mjs):
// tls_client_auth, self_signed_tls_client_auth and certificate-bound
// access tokens, the client certificate read from the TLS handshake.
type MTLS struct {
	// ClientCA is the PEM file of the CA whose certificates
	// tls_client_auth accepts (ClientCA.File).
	ClientCA string `json:"clientCA,omitempty"`
	// Aliases: AliasesLocalhost publishes mtls_endpoint_aliases on
	// https://localhost:PORT (the same server under another name),
	// AliasesUnreachable on a port nothing listens on; "" none.
	Aliases string `json:"aliases,omitempty"`
	// AliasOnly counts client certificates on the alias host only, as an
	// IdP that asks for them only at its mTLS endpoints.
	AliasOnly bool `json:"aliasOnly,omitempty"`
}

// Values of MTLS.Aliases.
const (
	AliasesLocalhost   = "localhost"
	AliasesUnreachable = "unreachable"
)

// WithMTLS serves https (as WithTLS) asking every client for a
// certificate, with mutual TLS switched on in the provider.
func WithMTLS(m MTLS) Option {
	return func(c *config) {
		c.tlsMode = tlsValid
		WithFeature("mtls", m)(c)
	}
}

// MTLSClientMetadata is the client metadata of a mutual TLS client:
// tls_client_auth with the registered subject DN (subjectDN != "") or
// self_signed_tls_client_auth (its certificate in Client.JWKS), with
// certificate-bound access tokens when bound.
func MTLSClientMetadata(subjectDN string, bound bool) map[string]any {
	m := map[string]any{"tls_client_certificate_bound_access_tokens": bound}
	if subjectDN != "" {
		m["token_endpoint_auth_method"] = "tls_client_auth"
		m["tls_client_auth_subject_dn"] = subjectDN
	} else {
		m["token_endpoint_auth_method"] = "self_signed_tls_client_auth"
	}
	return m
}

// MTLSCounts are what mtls.mjs saw since the start or the last reset.
type MTLSCounts struct {
	AliasRequests   int `json:"aliasRequests"`   // requests to the alias host
	TokenRequests   int `json:"tokenRequests"`   // token endpoint requests
	WithCertificate int `json:"withCertificate"` // of those, with a client certificate that counts
}

// MTLSCounts returns mtls.mjs's counters.
func (p *IdP) MTLSCounts(t testing.TB) MTLSCounts {
	t.Helper()
	var c MTLSCounts
	if err := p.call(http.MethodGet, p.Issuer+"/__test/mtls", nil, &c); err != nil {
		t.Fatalf("testidp: mtls counts: %v", err)
	}
	return c
}

// ClientCA issues tls_client_auth client certificates.
type ClientCA struct {
	File string // PEM of the CA certificate (MTLS.ClientCA)
	cert *x509.Certificate
	key  crypto.Signer
}

// NewClientCA makes a CA in dir.
func NewClientCA(t testing.TB, dir string) *ClientCA {
	t.Helper()
	key, cert := newCert(t, pkix.Name{CommonName: "Credential Workbench Test Client CA"}, nil, nil, true)
	ca := &ClientCA{File: filepath.Join(dir, "client-ca.pem"), cert: cert, key: key}
	writePEM(t, ca.File, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	return ca
}

// Issue writes a PEM file with a client certificate for CN=cn issued by
// the CA and its private key (what credctl --certificate reads); subjectDN
// is its DN as tls_client_auth_subject_dn names it.
func (ca *ClientCA) Issue(t testing.TB, dir, cn string) (path, subjectDN string) {
	t.Helper()
	key, cert := newCert(t, pkix.Name{CommonName: cn}, ca.cert, ca.key, false)
	path = filepath.Join(dir, cn+".pem")
	writeKeyPair(t, path, key, cert)
	return path, "CN=" + cn
}

// SelfSignedClient writes a PEM file with a self-signed client
// certificate and its key, and returns the JWK (with x5c) to register in
// Client.JWKS for self_signed_tls_client_auth.
func SelfSignedClient(t testing.TB, dir, cn string) (path string, jwk json.RawMessage) {
	t.Helper()
	key, cert := newCert(t, pkix.Name{CommonName: cn}, nil, nil, false)
	path = filepath.Join(dir, cn+".pem")
	writeKeyPair(t, path, key, cert)
	return path, JWKWithCertificate(t, cert)
}

// JWKWithCertificate is cert's public key as a JWK with x5c and x5t#S256,
// as self_signed_tls_client_auth registers a certificate.
func JWKWithCertificate(t testing.TB, cert *x509.Certificate) json.RawMessage {
	t.Helper()
	sum := sha256.Sum256(cert.Raw)
	j, err := (&jose.JSONWebKey{Key: cert.PublicKey, Use: "sig", Certificates: []*x509.Certificate{cert},
		CertificateThumbprintSHA256: sum[:]}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// newCert makes an EC P-256 key and a certificate for it, signed by
// parent (self-signed when nil).
func newCert(t testing.TB, subject pkix.Name, parent *x509.Certificate, parentKey crypto.Signer, isCA bool) (crypto.Signer, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if isCA {
		tmpl.KeyUsage, tmpl.ExtKeyUsage = x509.KeyUsageCertSign, nil
		tmpl.BasicConstraintsValid, tmpl.IsCA = true, true
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func writeKeyPair(t testing.TB, path string, key crypto.Signer, cert *x509.Certificate) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, path, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...))
}

func writePEM(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
