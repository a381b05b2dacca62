package credentials

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t is defined as the SHA-1 thumbprint (RFC 7515 §4.1.7); not used for security
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// KeyMaterial is a client certificate and its private key, for
// private_key_jwt client authentication. The certificate is public and is
// kept in the profile; the key goes to the keyring only.
type KeyMaterial struct {
	Key  crypto.Signer
	Cert *x509.Certificate
}

// MinRSABits is the smallest RSA key accepted (Entra and Okta require 2048).
const MinRSABits = 2048

// ParseKeyMaterial reads a PEM file with a certificate and its private key
// (PKCS#8, PKCS#1 or SEC 1; unencrypted), or a PKCS#12/PFX file with
// password. It checks that the key belongs to the certificate.
func ParseKeyMaterial(data []byte, password string) (KeyMaterial, error) {
	if isPEM(data) {
		return parsePEMMaterial(data)
	}
	key, cert, _, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return KeyMaterial{}, errors.New("the PKCS#12 file's password is wrong")
		}
		return KeyMaterial{}, fmt.Errorf("the file is neither PEM (certificate + private key) nor a readable PKCS#12/PFX file: %v", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return KeyMaterial{}, errors.New("the PKCS#12 file's key cannot sign")
	}
	return checkMaterial(KeyMaterial{Key: signer, Cert: cert})
}

func isPEM(data []byte) bool {
	return strings.Contains(string(data[:min(len(data), 4096)]), "-----BEGIN ")
}

func parsePEMMaterial(data []byte) (KeyMaterial, error) {
	var km KeyMaterial
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			if km.Cert != nil {
				continue // a chain: the first certificate is the client's
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return KeyMaterial{}, fmt.Errorf("the certificate in the PEM file cannot be read: %v", err)
			}
			km.Cert = c
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			k, err := parseDERKey(block.Type, block.Bytes)
			if err != nil {
				return KeyMaterial{}, err
			}
			km.Key = k
		case "ENCRYPTED PRIVATE KEY":
			return KeyMaterial{}, errors.New("the PEM private key is encrypted: decrypt it first (openssl pkey -in key.pem -out plain.pem) or use a PKCS#12/PFX file")
		}
	}
	switch {
	case km.Cert == nil && km.Key == nil:
		return KeyMaterial{}, errors.New("the PEM file holds neither a certificate nor a private key")
	case km.Cert == nil:
		return KeyMaterial{}, errors.New("the PEM file has a private key but no certificate: put the certificate (-----BEGIN CERTIFICATE-----) into the same file")
	case km.Key == nil:
		return KeyMaterial{}, errors.New("the PEM file has a certificate but no private key: put the private key (-----BEGIN PRIVATE KEY-----) into the same file")
	}
	return checkMaterial(km)
}

func parseDERKey(typ string, der []byte) (crypto.Signer, error) {
	var (
		k   any
		err error
	)
	switch typ {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(der)
	default:
		k, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		return nil, fmt.Errorf("the private key cannot be read: %v", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("the private key cannot sign")
	}
	return s, nil
}

// checkMaterial refuses key types the IdPs do not take and a key that does
// not belong to the certificate.
func checkMaterial(km KeyMaterial) (KeyMaterial, error) {
	if err := checkKeyType(km.Key.Public()); err != nil {
		return KeyMaterial{}, err
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := km.Key.Public().(equaler)
	if !ok || !pub.Equal(km.Cert.PublicKey) {
		return KeyMaterial{}, errors.New("the private key does not belong to the certificate")
	}
	return km, nil
}

func checkKeyType(k crypto.PublicKey) error {
	switch key := k.(type) {
	case *rsa.PublicKey:
		if key.N.BitLen() < MinRSABits {
			return fmt.Errorf("the RSA key has %d bits; IdPs require at least %d", key.N.BitLen(), MinRSABits)
		}
	case *ecdsa.PublicKey:
		if key.Curve != elliptic.P256() {
			return errors.New("only EC keys on the P-256 curve (ES256) are supported")
		}
	default:
		return fmt.Errorf("keys of type %T are not supported: use RSA (2048 bits or more) or EC P-256", k)
	}
	return nil
}

// GenerateKeyMaterial makes an RSA 2048 key (the type every IdP accepts,
// Entra only RSA) and a self-signed certificate valid for days.
func GenerateKeyMaterial(commonName string, days int, now time.Time) (KeyMaterial, error) {
	return GenerateKey(KeyRSA, pkix.Name{CommonName: commonName}, days, now) // keygen.go
}

// CertificatePEM is the certificate as PEM, for the profile and for upload
// to the IdP.
func CertificatePEM(cert *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// ParseCertificatePEM reads a profile's certificate.
func ParseCertificatePEM(s string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("it is not a PEM certificate (-----BEGIN CERTIFICATE-----)")
	}
	return x509.ParseCertificate(block.Bytes)
}

// EncodePrivateKey is the keyring form of a key: base64 PKCS#8 DER (a 2048
// bit RSA key is about 1.7 kB, within every platform's keyring limit).
func EncodePrivateKey(k crypto.Signer) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// DecodePrivateKey reads a key stored by EncodePrivateKey.
func DecodePrivateKey(s string) (crypto.Signer, error) {
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("the stored private key is damaged: import the certificate again")
	}
	k, err := parseDERKey("PRIVATE KEY", der)
	if err != nil {
		return nil, errors.New("the stored private key is damaged: import the certificate again")
	}
	return k, nil
}

// Thumbprints are a certificate's fingerprints in the forms the IdPs show
// and the JWS headers use.
type Thumbprints struct {
	SHA1Hex   string // Entra's "Thumbprint" column: upper-case hex SHA-1
	SHA256Hex string // upper-case hex SHA-256, colon-free
	X5t       string // base64url SHA-1 (JWS x5t)
	X5tS256   string // base64url SHA-256 (JWS x5t#S256; Okta and newer Entra)
}

// CertThumbprints computes t for cert.
func CertThumbprints(cert *x509.Certificate) Thumbprints {
	s1 := sha1.Sum(cert.Raw) // #nosec G401 -- the x5t header is defined as SHA-1
	s256 := sha256.Sum256(cert.Raw)
	return Thumbprints{
		SHA1Hex:   strings.ToUpper(hex.EncodeToString(s1[:])),
		SHA256Hex: strings.ToUpper(hex.EncodeToString(s256[:])),
		X5t:       base64.RawURLEncoding.EncodeToString(s1[:]),
		X5tS256:   base64.RawURLEncoding.EncodeToString(s256[:]),
	}
}

// DefaultAlg is the assertion algorithm for a key: RS256 for RSA, ES256
// for EC.
func DefaultAlg(pub crypto.PublicKey) string {
	if _, ok := pub.(*ecdsa.PublicKey); ok {
		return AlgES256
	}
	return AlgRS256
}

// checkKeyMatchesProfile checks a new private key against the profile's
// certificate, so a save never pairs a key with a foreign certificate.
func checkKeyMatchesProfile(p Profile, key *string) error {
	if key == nil || *key == "" || p.Certificate == "" {
		return nil
	}
	k, err := DecodePrivateKey(*key)
	if err == nil {
		var cert *x509.Certificate
		if cert, err = ParseCertificatePEM(p.Certificate); err == nil {
			_, err = checkMaterial(KeyMaterial{Key: k, Cert: cert})
		}
	}
	if err != nil {
		return &ValidationError{Fields: []FieldError{{FieldPrivateKey, err.Error() + "."}}}
	}
	return nil
}
