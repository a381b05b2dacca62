package oauthflow

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// private_key_jwt client authentication (RFC 7523 §2.2). x/oauth2 has none
// (golang/oauth2#744), so the assertion goes in as endpoint parameters, and
// a fresh one is signed for every request: Keycloak and oidc-provider treat
// jti as single-use.

// ClientAssertionType is the client_assertion_type of RFC 7523.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionLifetime is how long an assertion is valid (Okta accepts up to an
// hour, Keycloak's console default is 60 s after iat; 5 minutes is what
// MSAL and hashicorp/cap use).
const AssertionLifetime = 5 * time.Minute

// assertionKey is a profile's signing material.
type assertionKey struct {
	key  crypto.Signer
	cert *x509.Certificate
}

// loadAssertionKey reads the profile's key from the keyring and its
// certificate from the profile.
func loadAssertionKey(secrets *credentials.Secrets, p credentials.Profile) (assertionKey, *Failure) {
	if p.Certificate == "" {
		return assertionKey{}, (&Failure{Category: CatConfig,
			Message: "the profile has no certificate yet: generate one (credctl certificate new, or Generate in the Edit form) or import one with its key, and register it at the IdP"}).WithAdvice(failure.AdviceCertificate)
	}
	cert, err := credentials.ParseCertificatePEM(p.Certificate)
	if err != nil {
		return assertionKey{}, &Failure{Category: CatConfig, Message: "the profile's certificate cannot be read: " + err.Error() + "; import the certificate again"}
	}
	enc, err := secrets.Get(p.ID, credentials.PrivateKey)
	if errors.Is(err, credentials.ErrSecretNotFound) {
		return assertionKey{}, &Failure{Category: CatCredentials, Err: err,
			Message: "no private key is stored for this profile in the OS keyring: import the certificate with its key again, or generate a new one"}
	}
	if err != nil {
		return assertionKey{}, failure.Classify(err)
	}
	key, err := credentials.DecodePrivateKey(enc)
	if err != nil {
		return assertionKey{}, &Failure{Category: CatCredentials, Message: err.Error()}
	}
	return assertionKey{key: key, cert: cert}, nil
}

// assertionAlg is the profile's algorithm, or by key type; Entra's preset
// for RSA keys is PS256 (its current certificate-credentials page).
func assertionAlg(p credentials.Profile, pub crypto.PublicKey) string {
	if p.AssertionAlg != "" {
		return p.AssertionAlg
	}
	if _, ok := pub.(*rsa.PublicKey); ok && isEntraURL(p.TokenURL) {
		return credentials.AlgPS256
	}
	return credentials.DefaultAlg(pub)
}

func isEntraURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.EqualFold(u.Hostname(), idp.EntraHost)
}

// assertionAudience is the token endpoint, or the issuer when the profile
// says so (strict Keycloak releases).
func assertionAudience(p credentials.Profile) string {
	if p.AssertionAudience == credentials.AudienceIssuer && p.IssuerURL != "" {
		return p.IssuerURL
	}
	return p.TokenURL
}

// KeyID is the kid of an assertion: the RFC 7638 JWK thumbprint of the
// public key, which is also the kid of the JWK the workbench offers for
// upload.
func KeyID(pub crypto.PublicKey) (string, error) {
	t, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(t), nil
}

// signAssertion builds and signs one client assertion.
func signAssertion(p credentials.Profile, k assertionKey, now time.Time) (string, error) {
	return signAssertionFor(p, k, p.ClientID, now)
}

// signAssertionFor signs an assertion for sub: the client itself, or a JWT
// bearer grant's subject (derived.go).
func signAssertionFor(p credentials.Profile, k assertionKey, sub string, now time.Time) (string, error) {
	alg := assertionAlg(p, k.key.Public())
	kid, err := KeyID(k.key.Public())
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	tp := credentials.CertThumbprints(k.cert)
	if p.AssertionHeaders != credentials.HeadersX5tS256 {
		opts = opts.WithHeader("x5t", tp.X5t)
	}
	if p.AssertionHeaders != credentials.HeadersX5t {
		opts = opts.WithHeader("x5t#S256", tp.X5tS256)
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.SignatureAlgorithm(alg),
		Key:       jose.JSONWebKey{Key: k.key, KeyID: kid},
	}, opts)
	if err != nil {
		return "", fmt.Errorf("cannot sign with %s: %v", alg, err)
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti) // crypto/rand.Read never fails on supported platforms
	jti[6] = jti[6]&0x0f | 0x40
	jti[8] = jti[8]&0x3f | 0x80
	payload, err := json.Marshal(map[string]any{
		"iss": p.ClientID,
		"sub": sub,
		"aud": assertionAudience(p),
		"jti": fmt.Sprintf("%x-%x-%x-%x-%x", jti[0:4], jti[4:6], jti[6:8], jti[8:10], jti[10:]),
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(AssertionLifetime).Unix(),
	})
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("cannot sign the client assertion: %v", err)
	}
	return obj.CompactSerialize()
}

// assertionParams signs a fresh assertion for one token request.
func assertionParams(secrets *credentials.Secrets, p credentials.Profile, now time.Time) (url.Values, string, *Failure) {
	k, f := loadAssertionKey(secrets, p)
	if f != nil {
		return nil, "", f
	}
	if now := now; now.After(k.cert.NotAfter) {
		// The IdP would refuse it anyway; say why first.
		return nil, "", &Failure{Category: CatCredentials, Message: fmt.Sprintf(
			"the client certificate expired on %s: generate or import a new one and upload it to the IdP", k.cert.NotAfter.UTC().Format("2006-01-02"))}
	}
	jwt, err := signAssertion(p, k, time.Now()) // the IdP checks it against real time
	if err != nil {
		return nil, "", &Failure{Category: CatConfig, Message: err.Error()}
	}
	return url.Values{"client_assertion_type": {ClientAssertionType}, "client_assertion": {jwt}}, jwt, nil
}

// PublicJWK is the certificate's public key as a JWK (kid = KeyID), for
// IdPs that register keys as JWKs (Okta, oidc-provider) rather than as
// certificates (Entra, Keycloak).
func PublicJWK(cert *x509.Certificate) ([]byte, error) {
	kid, err := KeyID(cert.PublicKey)
	if err != nil {
		return nil, err
	}
	return (&jose.JSONWebKey{Key: cert.PublicKey, KeyID: kid, Use: "sig"}).MarshalJSON()
}
