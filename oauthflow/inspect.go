package oauthflow

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// Default claim paths, tried in order when a profile sets none.
var (
	defaultUsernameClaims = []string{"preferred_username", "sub"}
	defaultRolesClaims    = []string{"roles", "realm_access.roles"}
)

// Inspect decodes an access token for display. It does not verify the
// signature (the workbench is not the token's audience; it only shows what
// the token says), so no key or secret is needed. A JWT is decoded with
// base64url + encoding/json — go-oidc only decodes after verifying, and
// x/oauth2/jws is deprecated. Anything that is not a JWT is Opaque.
func Inspect(accessToken string, p credentials.Profile) *TokenInfo {
	info := &TokenInfo{}
	header, claims, ok := decodeJWT(accessToken)
	if !ok {
		info.Opaque = true
		return info
	}
	info.Header, info.Claims = header, claims
	if v, ok := header["typ"].(string); ok {
		info.TokenType = v
	}
	info.Username = firstString(claims, p.UsernameClaim, defaultUsernameClaims)
	info.Roles = rolesAt(claims, p.RolesClaim)
	info.Tenant = firstString(claims, p.TenantClaim, nil)
	info.Issuer, _ = claims["iss"].(string)
	info.Audience = stringList(claims["aud"])
	info.Scopes = stringList(claims["scope"])
	if len(info.Scopes) == 0 {
		info.Scopes = stringList(claims["scp"])
	}
	if exp, ok := numeric(claims["exp"]); ok {
		info.Expiry = time.Unix(exp, 0)
	}
	return info
}

// ClaimWarnings lists the profile's configured claim paths that the token
// does not have: the JWT mapping needs checking.
func ClaimWarnings(info *TokenInfo, p credentials.Profile) []string {
	if info == nil || info.Opaque {
		return nil
	}
	var out []string
	for _, c := range []struct{ label, path string }{
		{"username", p.UsernameClaim}, {"roles", p.RolesClaim}, {"tenant", p.TenantClaim},
	} {
		if c.path == "" {
			continue
		}
		if _, ok := ClaimValue(info.Claims, c.path); !ok {
			out = append(out, fmt.Sprintf("The token has no %s claim at %q: check the JWT mapping fields.", c.label, c.path))
		}
	}
	return out
}

// ClaimValue follows a claim path (credentials.ParseClaimPath syntax) into
// decoded claims.
func ClaimValue(claims map[string]any, path string) (any, bool) {
	keys, err := credentials.ParseClaimPath(path)
	if err != nil {
		return nil, false
	}
	var cur any = claims
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func decodeJWT(tok string) (header, claims map[string]any, ok bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, nil, false
	}
	header, ok = decodeSegment(parts[0])
	if !ok {
		return nil, nil, false
	}
	claims, ok = decodeSegment(parts[1])
	return header, claims, ok
}

func decodeSegment(seg string) (map[string]any, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return nil, false
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // exp and friends stay exact
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// firstString reads the configured path, or else the first default that
// holds a string.
func firstString(claims map[string]any, path string, defaults []string) string {
	paths := defaults
	if path != "" {
		paths = []string{path}
	}
	for _, p := range paths {
		if v, ok := ClaimValue(claims, p); ok {
			switch x := v.(type) {
			case string:
				if x != "" {
					return x
				}
			case json.Number:
				return x.String()
			}
		}
	}
	return ""
}

func rolesAt(claims map[string]any, path string) []string {
	paths := defaultRolesClaims
	if path != "" {
		paths = []string{path}
	}
	for _, p := range paths {
		if v, ok := ClaimValue(claims, p); ok {
			if roles := stringList(v); len(roles) > 0 {
				return roles
			}
		}
	}
	return nil
}

// stringList reads an array of strings, or a string of space- or
// comma-separated values.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.FieldsFunc(x, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		var out []string
		for _, e := range x {
			switch s := e.(type) {
			case string:
				if s != "" {
					out = append(out, s)
				}
			case json.Number:
				out = append(out, s.String())
			}
		}
		return out
	}
	return nil
}

func numeric(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	return int64(f), err == nil
}
