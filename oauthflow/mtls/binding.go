package mtls

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Thumbprint is a certificate's x5t#S256: base64url of the SHA-256 of its
// DER form (RFC 8705 §3.1).
func Thumbprint(certPEM string) (string, error) {
	c, err := credentials.ParseCertificatePEM(certPEM)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// BoundTo is the x5t#S256 a JWT access token is bound to ("" when it is
// not bound); ok is false for a token that is not a readable JWT (opaque).
func BoundTo(accessToken string) (x5t string, ok bool) {
	parts := strings.Split(accessToken, ".")
	if len(parts) != 3 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", false
	}
	var claims struct {
		Cnf map[string]any `json:"cnf"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return "", false
	}
	s, _ := claims.Cnf["x5t#S256"].(string)
	return s, true
}

// CheckBinding holds a newly issued access token to the profile's
// certificate (RFC 8705 §3): a token bound to another certificate is
// refused (every API would refuse it), and so is an unbound one when the
// profile asks for bound tokens. An opaque token cannot be checked here:
// the warning says so.
func CheckBinding(p credentials.Profile, accessToken string) (warning string, f *failure.Failure) {
	if !p.PresentsCertificate() || p.Certificate == "" {
		return "", nil
	}
	x5t, isJWT := BoundTo(accessToken)
	if !isJWT {
		if p.BindTokensToCertificate {
			return "The access token is opaque, so whether the IdP bound it to the profile's certificate (cnf.x5t#S256) " +
				"cannot be checked here; the API checks it when the token is presented with the certificate.", nil
		}
		return "", nil
	}
	ours, err := Thumbprint(p.Certificate)
	if err != nil {
		return "", &failure.Failure{Category: failure.CatConfig, Message: "the profile's certificate cannot be read: " + err.Error() + "; import the certificate again"}
	}
	switch {
	case x5t == "" && p.BindTokensToCertificate:
		return "", (&failure.Failure{Category: failure.CatConfig, Message: "the profile asks for certificate-bound tokens, but the IdP issued " +
			"an access token that is not bound to a certificate (it has no cnf.x5t#S256): turn on certificate-bound access tokens " +
			"for this client at the IdP (tls_client_certificate_bound_access_tokens), or turn off \"Bind tokens to certificate\""}).WithAdvice(AdviceMTLS)
	case x5t != "" && x5t != ours:
		return "", (&failure.Failure{Category: failure.CatTLS, Message: fmt.Sprintf("the IdP bound the access token to another certificate "+
			"(cnf.x5t#S256 %s; the profile's certificate is %s), so every API would refuse it: a TLS-terminating proxy in front "+
			"of the IdP may present its own certificate — the IdP must see the profile's certificate", failure.Sanitize(x5t, 60), ours)}).WithAdvice(AdviceMTLS)
	}
	return "", nil
}

// AdviceMTLS is the check for a failure of mutual TLS.
const AdviceMTLS = failure.AdviceMTLS
