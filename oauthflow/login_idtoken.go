package oauthflow

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// asymmetricAlgs are the ID token signatures accepted: whatever the IdP's
// JWKS key supports, never HMAC with the client secret.
var asymmetricAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA,
}

// userResult verifies the ID token (when there is one) and reads who logged
// in with which roles from it or from the access token.
// knownUser (from an earlier login) stands in when a refresh tells no user
// name.
func (l *loginSessions) userResult(ctx context.Context, now func() time.Time, u *userClient, tok *oauth2.Token, nonce, knownUser string, at time.Time) (Result, *Failure) {
	if f := idp.CheckTokenResponse(tok); f != nil {
		return Result{}, f
	}
	if f := idp.CheckTokenBinding(tok, u.p.DPoP); f != nil {
		return Result{}, f
	}
	p := u.p
	warnings := slices.Clone(u.warnings)
	var idClaims map[string]any
	raw, _ := tok.Extra("id_token").(string)
	switch {
	case raw != "" && u.ep.JWKSURL != "":
		claims, f := l.verifyIDToken(ctx, now, u, raw, nonce, tok.AccessToken)
		if f != nil {
			return Result{}, f
		}
		idClaims = claims
	case raw != "":
		warnings = append(warnings, "The ID token was not used: without an issuer URL (and its jwks_uri) there are no keys "+
			"to verify it with. Set the issuer URL so the user name can come from the verified ID token.")
	case nonce != "":
		return Result{}, &Failure{Category: CatLogin, Message: "the IdP returned no ID token although the openid scope was requested"}
	}

	info := Inspect(tok.AccessToken, p)
	atClaims := info.Claims
	if idClaims != nil {
		merged := make(map[string]any, len(atClaims)+len(idClaims))
		for k, v := range idClaims {
			merged[k] = v
		}
		for k, v := range atClaims { // the access token's own claims (aud, scope, exp) win
			merged[k] = v
		}
		info.Claims = merged
	}
	// The ID token speaks about the user; the access token is the fallback.
	sources := []map[string]any{idClaims, atClaims}
	if idClaims != nil {
		info.Subject, _ = idClaims["sub"].(string)
	}
	info.Username = claimString(sources, p.UsernameClaim, []string{"preferred_username", "name", "sub"})
	if p.UsernameClaim != "" && info.Username == "" {
		return Result{}, &Failure{Category: CatClaims, Message: fmt.Sprintf(
			"neither the ID token nor the access token has a user name at claim path %q; the tokens have: %s",
			p.UsernameClaim, claimNames(info.Claims))}
	}
	if info.Username == "" && knownUser != "" {
		info.Username = knownUser
	}
	if info.Username == "" {
		warnings = append(warnings, "The IdP told no user name (no verified ID token, and the access token is opaque or has no "+
			"preferred_username/sub): add the openid scope, or set the JWT username claim.")
	}
	info.Roles = claimRoles(sources, p.RolesClaim)
	if p.RolesClaim != "" && info.Roles == nil {
		warnings = append(warnings, fmt.Sprintf("Neither token has roles at claim path %q: check the JWT roles claim (the tokens have: %s).",
			p.RolesClaim, claimNames(info.Claims)))
	}
	if p.TenantClaim != "" {
		info.Tenant = claimString(sources, p.TenantClaim, nil)
		if info.Tenant == "" {
			warnings = append(warnings, fmt.Sprintf("Neither token has a tenant at claim path %q: check the JWT mapping fields.", p.TenantClaim))
		}
	}
	res := Result{ProfileID: p.ID, Name: p.Name, Status: credentials.StatusActive, Token: info, Warnings: warnings, CheckedAt: at}
	if f := checkBinding(p, tok.AccessToken, &res); f != nil { // mtls_profile.go
		return Result{}, f
	}
	if d := idp.Lifetime(tok); d > 0 {
		res.Expiry = at.Add(d)
		info.Expiry = res.Expiry
	}
	return res, nil
}

// verifyIDToken checks the ID token's signature against the IdP's JWKS, its
// issuer, audience (our client ID), expiry, nonce and at_hash (go-oidc), and
// returns its claims.
func (l *loginSessions) verifyIDToken(ctx context.Context, now func() time.Time, u *userClient, raw, nonce, accessToken string) (map[string]any, *Failure) {
	key := strconv.Itoa(u.p.Revision) + "|" + u.ep.JWKSURL
	ks := l.keySet(u.p.ID, key, u.ep.JWKSURL, u.http)
	v := oidc.NewVerifier(u.ep.Issuer, ks, &oidc.Config{
		ClientID: u.p.ClientID, SupportedSigningAlgs: asymmetricAlgs, Now: now,
	})
	idt, err := v.Verify(oidc.ClientContext(ctx, u.http), raw)
	if err != nil {
		f := &Failure{Category: CatLogin, Err: err, Message: "the ID token failed verification, so the login was rejected: " +
			failure.Sanitize(err.Error(), failure.MaxDescription)}
		if strings.Contains(err.Error(), "expected audience") {
			f.Category = CatCredentials
			f.Message = fmt.Sprintf("the ID token was issued for another client (its audience is not %q), so the login was rejected: check the client ID", u.p.ClientID)
		}
		return nil, f
	}
	// OIDC Core §3.1.3.7: with several audiences, azp must be our client;
	// any azp present must be it.
	var azp struct {
		AZP string `json:"azp"`
	}
	_ = idt.Claims(&azp)
	if (len(idt.Audience) > 1 || azp.AZP != "") && azp.AZP != u.p.ClientID {
		return nil, &Failure{Category: CatCredentials, Message: fmt.Sprintf("the ID token names several audiences but "+
			"was not issued to this client (its azp is not %q), so the login was rejected: check the client ID", u.p.ClientID)}
	}
	if nonce != "" && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, &Failure{Category: CatLogin, Message: "the ID token's nonce does not match this login (it may be replayed), so the login was rejected: log in again"}
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(accessToken); err != nil {
			return nil, &Failure{Category: CatLogin, Err: err, Message: "the access token does not match the ID token's at_hash, so the login was rejected"}
		}
	}
	_, claims, ok := decodeJWT(raw)
	if !ok {
		return nil, &Failure{Category: CatLogin, Message: "the ID token's claims cannot be read"}
	}
	return claims, nil
}

// claimString reads path (or the first default that has a value) from the
// first claim set that holds it.
func claimString(sources []map[string]any, path string, defaults []string) string {
	paths := defaults
	if path != "" {
		paths = []string{path}
	}
	for _, p := range paths {
		for _, claims := range sources {
			if v := firstString(claims, p, nil); v != "" {
				return v
			}
		}
	}
	return ""
}

func claimRoles(sources []map[string]any, path string) []string {
	for _, claims := range sources {
		if claims == nil {
			continue
		}
		if roles := rolesAt(claims, path); roles != nil {
			return roles
		}
	}
	return nil
}

// claimNames lists top-level claim names, to help fix a claim path.
func claimNames(claims map[string]any) string {
	if len(claims) == 0 {
		return "no readable claims"
	}
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func hasScope(scope, want string) bool { return slices.Contains(strings.Fields(scope), want) }
