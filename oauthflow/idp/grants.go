package idp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// ClientAuth is how a client authenticates at the token endpoint.
type ClientAuth struct {
	Secret string     // client_secret_basic or client_secret_post, by the profile's AuthMethod
	Params url.Values // client_assertion and its type (private_key_jwt)
	Hide   string     // what must never show in a failure: the secret or the assertion
	// Now, when set, is the clock by which a refusal after the profile's
	// recorded secret expiry says so first (failure.ExpiredFirst).
	Now func() time.Time
}

// ClientCredentials runs the client-credentials grant (RFC 6749 §4.4) once
// for p, whose token endpoint is known, through client. The failure is
// categorized, carries the IdP's diagnosis and never the secret.
func ClientCredentials(ctx context.Context, client *http.Client, p credentials.Profile, auth ClientAuth) (*oauth2.Token, *failure.Failure) {
	cfg := clientcredentials.Config{
		ClientID:       p.ClientID,
		ClientSecret:   auth.Secret,
		TokenURL:       p.TokenURL,
		Scopes:         strings.Fields(p.Scope),
		EndpointParams: auth.Params,
		AuthStyle:      AuthStyle(p.AuthMethod),
	}
	if cfg.EndpointParams == nil {
		cfg.EndpointParams = url.Values{}
	}
	if p.Audience != "" {
		cfg.EndpointParams.Set("audience", p.Audience)
	}
	if p.Resource != "" {
		cfg.EndpointParams.Set("resource", p.Resource)
	}
	g := grantFrom(ctx) // a derived grant instead (exchange.go)
	g.apply(cfg.EndpointParams)
	tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, client))
	if err != nil {
		f := failure.Classify(err).ForProfile(p)
		failure.Redact(f, auth.Hide)
		g.diagnose(f, p)
		failure.AddScopeProposal(f, p.Scope)
		if auth.Now != nil {
			failure.ExpiredFirst(f, p, auth.Now())
		}
		return nil, f
	}
	if f := g.checkResponse(tok); f != nil {
		return nil, f
	}
	return tok, nil
}

// maxTokenLifetime caps absurd expires_in values (which would overflow a
// time.Duration) to something that still reads as "a long time".
const maxTokenLifetime = 10 * 365 * 24 * time.Hour

// CheckTokenResponse refuses token responses a client must not use
// (RFC 6749 §5.1, RFC 6750, RFC 9449): a token type other than Bearer or
// DPoP (CheckTokenBinding matches it to the profile), or a token that is
// expired on arrival.
func CheckTokenResponse(tok *oauth2.Token) *failure.Failure {
	if t := tok.TokenType; t != "" && !strings.EqualFold(t, "bearer") && !strings.EqualFold(t, "dpop") {
		return &failure.Failure{Category: failure.CatEndpoint, Message: fmt.Sprintf(
			"the IdP issued a token of type %q; only Bearer and DPoP tokens are supported (RFC 6750, RFC 9449)", failure.Sanitize(t, 40))}
	}
	if Lifetime(tok) < 0 {
		return &failure.Failure{Category: failure.CatEndpoint, Message: "the IdP issued a token that is already expired (negative expires_in)"}
	}
	return nil
}

// AuthStyle maps the profile's choice; never auto-detect, which would send
// the secret a second way after a failure.
func AuthStyle(m credentials.AuthMethod) oauth2.AuthStyle {
	if m == credentials.AuthPost || m.UsesKey() { // the assertion or the TLS handshake authenticates
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// Lifetime is expires_in as sent by the IdP (clientcredentials only
// keeps an absolute Expiry on the real clock, which a test clock cannot use).
func Lifetime(tok *oauth2.Token) time.Duration {
	seconds := func(n float64) time.Duration {
		if n < 0 {
			return -time.Second // expired on arrival; the size does not matter
		}
		if n*float64(time.Second) >= float64(maxTokenLifetime) {
			return maxTokenLifetime
		}
		return time.Duration(n * float64(time.Second))
	}
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		return seconds(v)
	case string:
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return seconds(n)
		}
	}
	if !tok.Expiry.IsZero() {
		return time.Until(tok.Expiry)
	}
	return 0
}

// Refresh redeems a refresh token (RFC 6749 §6) with cfg's client
// authentication through client. The failure never carries the secret or
// the refresh token.
func Refresh(ctx context.Context, client *http.Client, cfg *oauth2.Config, rt string) (*oauth2.Token, *failure.Failure) {
	tok, err := cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, client), &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		f := failure.Classify(err)
		failure.Redact(f, cfg.ClientSecret, rt)
		return nil, f
	}
	return tok, nil
}
