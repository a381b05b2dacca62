package idp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Signed request objects (RFC 9101): the authorization parameters as the
// claims of a JWT signed with the client's key, so the IdP knows they came
// from the client unchanged.

// RequestObjectType is the typ header RFC 9101 §10.8 registers.
const RequestObjectType = "oauth-authz-req+jwt"

// RequestObjectLifetime bounds a request object (FAPI 2.0 wants exp - nbf ≤ 60 min).
const RequestObjectLifetime = 5 * time.Minute

// RequestObjectKey is what signs a request object.
type RequestObjectKey struct {
	Signer crypto.Signer
	KeyID  string
	// Alg is the profile's algorithm ("" = by key type).
	Alg string
}

// RequestObjectAlg chooses the algorithm: the profile's when the IdP
// accepts it (or says nothing), else one the IdP lists that fits the key.
// "" when there is none, with what the IdP accepts.
func RequestObjectAlg(k RequestObjectKey, supported []string) (string, string) {
	var fits []string
	switch k.Signer.Public().(type) {
	case *rsa.PublicKey:
		fits = []string{"PS256", "RS256", "PS384", "RS384", "PS512", "RS512"}
	case *ecdsa.PublicKey:
		fits = []string{"ES256", "ES384", "ES512"}
	}
	if k.Alg != "" {
		fits = append([]string{k.Alg}, fits...)
	}
	if len(fits) == 0 {
		return "", "none (the key is neither RSA nor EC)"
	}
	if len(supported) == 0 {
		return fits[0], ""
	}
	for _, a := range fits {
		if slices.Contains(supported, a) {
			return a, ""
		}
	}
	return "", strings.Join(supported, ", ")
}

// SignRequestObject signs params (single values; client_id, iss and aud
// added) as a request object for audience (the IdP's issuer).
func SignRequestObject(params url.Values, clientID, audience string, k RequestObjectKey, alg string, now time.Time) (string, error) {
	claims := map[string]any{}
	for name, vs := range params {
		if len(vs) > 0 {
			claims[name] = vs[0]
		}
	}
	if c, ok := claims["claims"].(string); ok {
		var obj map[string]any // RFC 9101 §4: the claims parameter as a JSON object
		if json.Unmarshal([]byte(c), &obj) == nil {
			claims["claims"] = obj
		}
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti) // crypto/rand.Read never fails on supported platforms
	claims["client_id"] = clientID
	claims["iss"] = clientID
	claims["aud"] = audience
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["exp"] = now.Add(RequestObjectLifetime).Unix()
	claims["jti"] = hex.EncodeToString(jti)
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.SignatureAlgorithm(alg),
		Key:       jose.JSONWebKey{Key: k.Signer, KeyID: k.KeyID},
	}, (&jose.SignerOptions{}).WithType(RequestObjectType))
	if err != nil {
		return "", fmt.Errorf("cannot sign the request object with %s: %v", alg, err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("cannot sign the request object: %v", err)
	}
	return obj.CompactSerialize()
}
