package mtls

import (
	"errors"
	"net/http"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// APIRefusalCheck is what to check when an API answered status to a token
// bound to a certificate (x5t, the token's cnf.x5t#S256): "" when the
// refusal is not a 401 or the token is not bound.
func APIRefusalCheck(p credentials.Profile, x5t string, status int) string {
	if status != http.StatusUnauthorized || x5t == "" {
		return ""
	}
	if !p.PresentsCertificate() {
		return "Certificate binding: the access token is bound to a client certificate (cnf.x5t#S256) and this profile presents none to the API: " +
			"turn on Bind tokens to certificate (credctl edit --bind-tokens-to-certificate) with the client's certificate."
	}
	return "Certificate binding: the access token is bound to the profile's client certificate (cnf.x5t#S256), so the API accepts it only " +
		"on a connection that presented that certificate. Either the API did not ask for a client certificate (then it cannot take bound tokens), " +
		"or a TLS-terminating proxy or load balancer in front of it dropped the certificate."
}

// ClaimsBoundTo is the cnf.x5t#S256 of a token's claims ("" when none).
func ClaimsBoundTo(claims map[string]any) string {
	cnf, _ := claims["cnf"].(map[string]any)
	s, _ := cnf["x5t#S256"].(string)
	return s
}

// ExplainError puts an API call's error in mutual TLS terms where that is
// its cause (a handshake that needed a client certificate); it edits the
// *failure.Failure err carries.
func ExplainError(p credentials.Profile, err error) {
	var f *failure.Failure
	if errors.As(err, &f) {
		Explain(p, f)
	}
}

// BoundToken is the cnf.x5t#S256 of a JWT access token ("" when none or
// opaque).
func BoundToken(accessToken string) string {
	x5t, _ := BoundTo(accessToken)
	return x5t
}
