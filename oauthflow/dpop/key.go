package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// DefaultAlg is the proof signature of a new key (RFC 9449 §5 names ES256
// as the one every server should accept).
const DefaultAlg = jose.ES256

// generators are the algorithms a key can be made for, in order of
// preference when the IdP does not offer ES256.
var generators = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.PS256, jose.RS256}

// Key is a profile's DPoP key.
type Key struct {
	Signer crypto.Signer
	Alg    jose.SignatureAlgorithm
}

// NewKey makes a key for alg ("" = ES256).
func NewKey(alg jose.SignatureAlgorithm) (*Key, error) {
	if alg == "" {
		alg = DefaultAlg
	}
	var (
		s   crypto.Signer
		err error
	)
	switch alg {
	case jose.ES256:
		s, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.ES384:
		s, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case jose.ES512:
		s, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case jose.EdDSA:
		_, s, err = ed25519.GenerateKey(rand.Reader)
	case jose.PS256, jose.RS256:
		s, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, fmt.Errorf("no DPoP key can be made for the signature algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return &Key{Signer: s, Alg: alg}, nil
}

// Encode is the key as the keyring keeps it: "ALG:" + base64 PKCS#8.
func (k *Key) Encode() (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return "", err
	}
	return string(k.Alg) + ":" + base64.StdEncoding.EncodeToString(der), nil
}

// DecodeKey reads what Encode wrote.
func DecodeKey(s string) (*Key, error) {
	alg, b64, ok := cut(s)
	if !ok {
		return nil, errors.New("the stored DPoP key is not in the expected form")
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("the stored DPoP key is not valid base64")
	}
	raw, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("the stored DPoP key is not a PKCS#8 private key")
	}
	signer, ok := raw.(crypto.Signer)
	if !ok {
		return nil, errors.New("the stored DPoP key cannot sign")
	}
	return &Key{Signer: signer, Alg: jose.SignatureAlgorithm(alg)}, nil
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], i > 0
		}
	}
	return "", "", false
}

// PublicJWK is the key's public half as the proofs' jwk header carries it.
func (k *Key) PublicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.Signer.Public(), Algorithm: string(k.Alg)}
}

// Thumbprint is the RFC 7638 JWK SHA-256 thumbprint, base64url: the
// cnf.jkt of tokens bound to this key (public, safe to show).
func (k *Key) Thumbprint() string {
	return JWKThumbprint(k.PublicJWK())
}

// JWKThumbprint is the RFC 7638 SHA-256 thumbprint of a public JWK, base64url.
func JWKThumbprint(j jose.JSONWebKey) string {
	b, err := j.Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ChooseAlg picks the algorithm for a new key from the IdP's
// dpop_signing_alg_values_supported ("" when none we can make is offered;
// an empty list means the IdP does not say, so ES256).
func ChooseAlg(supported []string) jose.SignatureAlgorithm {
	if len(supported) == 0 {
		return DefaultAlg
	}
	for _, g := range generators {
		if slices.Contains(supported, string(g)) || (g == jose.EdDSA && slices.Contains(supported, "Ed25519")) {
			return g
		}
	}
	return ""
}

// Accepted reports whether the IdP's list accepts proofs of alg (an empty
// list says nothing, so yes).
func Accepted(supported []string, alg jose.SignatureAlgorithm) bool {
	return len(supported) == 0 || slices.Contains(supported, string(alg)) ||
		(alg == jose.EdDSA && slices.Contains(supported, "Ed25519"))
}
