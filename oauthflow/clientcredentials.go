package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Test runs the profile's grant now (client credentials for Application
// profiles, a refresh for logged-in User profiles), records the outcome and
// keeps the token fresh from then on. Concurrent tests of one profile share
// one request. The error is non-nil only when no test could be made (no such
// profile, unreadable store); an IdP's refusal is a Result with Status
// Failed and a Failure saying why.
func (s *Service) Test(ctx context.Context, nameOrID string) (Result, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return Result{}, err
	}
	_, res, _ := s.mgr.refresh(ctx, p, EventTested, fetchForce)
	return res, nil
}

// fetchClientCredentials runs the client-credentials grant once, with the
// stored secret or, when secret is non-nil, with that one (rotation). It
// neither records nor caches anything: the manager and RotateSecret do.
func (s *Service) fetchClientCredentials(ctx context.Context, p credentials.Profile, secret *string) (*oauth2.Token, Result, error) {
	start := s.Clock.Now()
	fail := func(f *Failure, warnings []string) (*oauth2.Token, Result, error) {
		return nil, failedResult(p, f, warnings, start), f
	}
	if p.Type != credentials.TypeApplication {
		return fail(&Failure{Category: CatConfig, Message: "only Application profiles use the client credentials grant"}, nil)
	}
	client, warnings, err := s.httpClient(p)
	if err != nil {
		return fail(failure.Classify(err), nil)
	}
	p, notices, err := s.withEndpoints(ctx, p, client)
	if err != nil {
		return fail(failure.Classify(err), warnings)
	}
	warnings = append(warnings, notices...)
	if p.TokenURL == "" {
		return fail(&Failure{Category: CatConfig, Message: "the profile has neither a token endpoint URL nor an issuer URL"}, warnings)
	}
	if hint := EntraScopeHint(p.TokenURL, p.Scope); hint != "" {
		warnings = append(warnings, hint)
	}
	cfg := clientcredentials.Config{
		ClientID:       p.ClientID,
		TokenURL:       p.TokenURL,
		Scopes:         strings.Fields(p.Scope),
		EndpointParams: url.Values{},
		AuthStyle:      authStyle(p.AuthMethod),
	}
	// sec is what must never show in a failure: the secret or the assertion.
	var sec string
	if p.AuthMethod == credentials.AuthPrivateKeyJWT && secret == nil {
		params, jwt, f := s.assertionParams(p)
		if f != nil {
			return fail(f, warnings)
		}
		cfg.EndpointParams, sec = params, jwt
	} else {
		if secret != nil {
			sec = *secret
		} else {
			sec, err = s.repo.Secrets.Get(p.ID, credentials.ClientSecret)
			if errors.Is(err, credentials.ErrSecretNotFound) {
				return fail(&Failure{Category: CatCredentials, Err: err,
					Message: "no client secret is stored for this profile in the OS keyring: edit the profile and enter the client secret"}, warnings)
			}
			if err != nil {
				return fail(failure.Classify(err), warnings)
			}
		}
		if sec == "" {
			return fail(&Failure{Category: CatCredentials, Message: "the client secret is empty"}, warnings)
		}
		cfg.ClientSecret = sec
	}
	if p.Audience != "" {
		cfg.EndpointParams.Set("audience", p.Audience)
	}
	if p.Resource != "" {
		cfg.EndpointParams.Set("resource", p.Resource)
	}
	tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, client))
	if err != nil {
		f := failure.Classify(err).ForProfile(p)
		failure.Redact(f, sec)
		failure.AddScopeProposal(f, p.Scope)
		if secret == nil { // a rotation's new secret has no recorded expiry yet
			failure.ExpiredFirst(f, p, s.Clock.Now())
		}
		return fail(f, warnings)
	}
	if f := checkTokenResponse(tok); f != nil {
		return fail(f, warnings)
	}
	res := activeResult(p, tok, tokenLifetime(tok), warnings, start)
	return tok, res, nil
}

// maxTokenLifetime caps absurd expires_in values (which would overflow a
// time.Duration) to something that still reads as "a long time".
const maxTokenLifetime = 10 * 365 * 24 * time.Hour

// checkTokenResponse refuses token responses a client must not use
// (RFC 6749 §5.1, RFC 6750): a token type other than Bearer, or a token that
// is expired on arrival.
func checkTokenResponse(tok *oauth2.Token) *Failure {
	if t := tok.TokenType; t != "" && !strings.EqualFold(t, "bearer") {
		return &Failure{Category: CatEndpoint, Message: fmt.Sprintf(
			"the IdP issued a token of type %q; only Bearer tokens are supported (RFC 6750)", failure.Sanitize(t, 40))}
	}
	if tokenLifetime(tok) < 0 {
		return &Failure{Category: CatEndpoint, Message: "the IdP issued a token that is already expired (negative expires_in)"}
	}
	return nil
}

// authStyle maps the profile's choice; never auto-detect, which would send
// the secret a second way after a failure.
func authStyle(m credentials.AuthMethod) oauth2.AuthStyle {
	if m == credentials.AuthPost || m == credentials.AuthPrivateKeyJWT {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// tokenLifetime is expires_in as sent by the IdP (clientcredentials only
// keeps an absolute Expiry on the real clock, which a test clock cannot use).
func tokenLifetime(tok *oauth2.Token) time.Duration {
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

func activeResult(p credentials.Profile, tok *oauth2.Token, lifetime time.Duration, warnings []string, at time.Time) Result {
	info := Inspect(tok.AccessToken, p)
	res := Result{
		ProfileID: p.ID, Name: p.Name, Status: credentials.StatusActive,
		Token: info, Warnings: append(warnings, ClaimWarnings(info, p)...), CheckedAt: at,
	}
	if lifetime > 0 {
		res.Expiry = at.Add(lifetime)
	}
	return res
}

func failedResult(p credentials.Profile, f *Failure, warnings []string, at time.Time) Result {
	return Result{ProfileID: p.ID, Name: p.Name, Status: credentials.StatusFailed, Failure: f, Warnings: warnings, CheckedAt: at}
}
