package credentials

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// KeyKind is the type of a generated private_key_jwt key.
type KeyKind string

const (
	// KeyRSA is RSA 2048 (RS256/PS256): every IdP takes it, Entra only it.
	KeyRSA KeyKind = "RSA"
	// KeyEC is EC P-256 (ES256): smaller; Okta and Keycloak take it.
	KeyEC KeyKind = "EC"
)

// GenerateKey makes a new key of kind and a self-signed client
// certificate for subject, valid for days.
func GenerateKey(kind KeyKind, subject pkix.Name, days int, now time.Time) (KeyMaterial, error) {
	if days < 1 || days > 3650 {
		return KeyMaterial{}, fmt.Errorf("the certificate lifetime must be 1 to 3650 days, not %d", days)
	}
	var key crypto.Signer
	var err error
	switch kind {
	case KeyRSA:
		key, err = rsa.GenerateKey(rand.Reader, MinRSABits)
	case KeyEC:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return KeyMaterial{}, fmt.Errorf("key type %q is not supported: use RSA or EC", kind)
	}
	if err != nil {
		return KeyMaterial{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return KeyMaterial{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    now.Add(-5 * time.Minute).UTC(),
		NotAfter:     now.AddDate(0, 0, days).UTC(),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return KeyMaterial{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return KeyMaterial{}, err
	}
	return KeyMaterial{Key: key, Cert: cert}, nil
}
