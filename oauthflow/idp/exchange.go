package idp

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Derived grants (#28): token exchange (RFC 8693) and JWT bearer (RFC 7523
// §2.1) go to the token endpoint exactly as the client-credentials grant
// does (client authentication, scope, audience, resource), with their own
// grant_type and parameters: ClientCredentials sends them when ctx carries
// a Grant (WithGrant).

// Grant is a derived grant's request parameters and what its failures say.
type Grant struct {
	Type   credentials.GrantType
	Params url.Values // subject_token, actor_token, assertion, requested_token_type, …
	// Hide lists what must never show in a failure: the subject and actor
	// tokens, the assertion.
	Hide []string
	// Subject names the profile whose token is exchanged, or the assertion
	// subject, for the diagnoses.
	Subject string
	// Requested is the requested_token_type ("" = access token).
	Requested string
}

type grantKey struct{}

// WithGrant makes ClientCredentials run g instead of the client-credentials grant.
func WithGrant(ctx context.Context, g *Grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

func grantFrom(ctx context.Context) *Grant {
	g, _ := ctx.Value(grantKey{}).(*Grant)
	return g
}

// apply puts the grant's parameters into a token request (x/oauth2 lets
// grant_type be overridden for exactly this).
func (g *Grant) apply(v url.Values) {
	if g == nil {
		return
	}
	v.Set("grant_type", string(g.Type))
	for k, vs := range g.Params {
		v[k] = vs
	}
}

// TokenExchangeParams are RFC 8693 §2.1's parameters for a subject token
// and an optional actor token (both access tokens of other profiles).
func TokenExchangeParams(subjectToken, actorToken, requested string) url.Values {
	v := url.Values{
		"subject_token":      {subjectToken},
		"subject_token_type": {credentials.TokenTypeAccessToken},
	}
	if actorToken != "" {
		v.Set("actor_token", actorToken)
		v.Set("actor_token_type", credentials.TokenTypeAccessToken)
	}
	if requested != "" {
		v.Set("requested_token_type", requested)
	}
	return v
}

// diagnose redacts the grant's tokens from f and says in our words what
// an IdP's refusal of a derived grant means.
func (g *Grant) diagnose(f *failure.Failure, p credentials.Profile) {
	if g == nil {
		return
	}
	failure.Redact(f, g.Hide...)
	exchange := g.Type == credentials.GrantTokenExchange
	name := "token exchange"
	if !exchange {
		name = "the JWT bearer grant"
	}
	code := f.IdPError
	if code == "invalid_request" && strings.Contains(f.IdPDescription, "grant type is not allowed") {
		code = "unauthorized_client" // oidc-provider's word for it
	}
	switch code {
	case "unsupported_grant_type", "unauthorized_client":
		f.Category = failure.CatConfig
		f.Message = fmt.Sprintf("the IdP does not allow %s for this client: allow the grant type %s for client %q at the IdP", name, g.Type, p.ClientID)
	case "invalid_target":
		what := strings.TrimSpace(strings.Join([]string{p.Audience, p.Resource}, " "))
		f.Category = failure.CatScope
		f.Message = fmt.Sprintf("the IdP will not issue a token for the audience or resource %q (invalid_target): check --audience/--resource against what the IdP lets this client exchange for", what)
	case "invalid_grant":
		f.Category = failure.CatCredentials
		if exchange {
			f.Message = fmt.Sprintf("the IdP refused the token of '%s' as subject token (invalid_grant): test or log in to '%s' again; its token may be expired, revoked or from another IdP", g.Subject, g.Subject)
		} else {
			f.Message = fmt.Sprintf("the IdP refused the assertion for subject %q (invalid_grant): register the certificate's key for client %q at the IdP and check that it may act for this subject", g.Subject, p.ClientID)
		}
	case "invalid_request":
		if exchange && g.Requested != "" {
			f.Message = fmt.Sprintf("the IdP refused the token exchange request; it may not issue the requested token type %s", credentials.ShortTokenType(g.Requested))
		}
	}
}

// checkResponse is CheckTokenResponse, and for a token exchange the
// issued_token_type it must carry (RFC 8693 §2.2.1): what was requested,
// and N_A only as token_type of a token that is not an access token.
func (g *Grant) checkResponse(tok *oauth2.Token) *failure.Failure {
	if g == nil || g.Type != credentials.GrantTokenExchange {
		return CheckTokenResponse(tok)
	}
	issued := issuedTokenType(tok)
	want := g.Requested
	if want == "" {
		want = credentials.TokenTypeAccessToken
	}
	switch {
	case issued == "":
		return &failure.Failure{Category: failure.CatEndpoint, Message: "the IdP's token exchange answer has no issued_token_type (RFC 8693 §2.2.1): it is not a token exchange response"}
	case issued != want && (g.Requested != "" || issued != credentials.TokenTypeJWT):
		// Without a request, a JWT access token is still an access token.
		return &failure.Failure{Category: failure.CatEndpoint, Message: fmt.Sprintf(
			"the IdP issued a %s, not the %s requested", failure.Sanitize(credentials.ShortTokenType(issued), 80), credentials.ShortTokenType(want))}
	case strings.EqualFold(tok.TokenType, "N_A") && issued != credentials.TokenTypeAccessToken:
		tok.TokenType = "" // not an access token: nothing to check as Bearer
	}
	return CheckTokenResponse(tok)
}

// issuedTokenType is the issued_token_type of a token exchange answer ("" otherwise).
func issuedTokenType(tok *oauth2.Token) string {
	s, _ := tok.Extra("issued_token_type").(string)
	return s
}
