package oauthflow

import (
	"context"
	"errors"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
	"github.com/credworkbench/credworkbench/oauthflow/mtls"
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
func (pr protocol) fetchClientCredentials(ctx context.Context, p credentials.Profile, secret *string) (*oauth2.Token, Result, error) {
	s := pr.s
	start := s.Clock.Now()
	fail := func(f *Failure, warnings []string) (*oauth2.Token, Result, error) {
		return nil, failedResult(p, f, warnings, start), f
	}
	if p.Type != credentials.TypeApplication {
		return fail(&Failure{Category: CatConfig, Message: "only Application profiles use the client credentials grant"}, nil)
	}
	client, warnings, err := s.mgr.http.IdP(p)
	if err != nil {
		return fail(failure.Classify(err), nil)
	}
	p, notices, err := withEndpoints(ctx, s.mgr.http, p, client)
	if err != nil {
		return fail(failure.Classify(err), warnings)
	}
	warnings = append(warnings, notices...)
	if p.TokenURL == "" {
		return fail(&Failure{Category: CatConfig, Message: "the profile has neither a token endpoint URL nor an issuer URL"}, warnings)
	}
	client, notes, f := pr.dpopIdPClient(ctx, p, client) // dpop.go
	if f != nil {
		return fail(f, warnings)
	}
	warnings = append(warnings, notes...)
	if hint := EntraScopeHint(p.TokenURL, p.Scope); hint != "" {
		warnings = append(warnings, hint)
	}
	// auth.Hide is what must never show in a failure: the secret or the assertion.
	var auth idp.ClientAuth
	if p.AuthMethod == credentials.AuthPrivateKeyJWT && secret == nil {
		params, jwt, f := assertionParams(s.repo.Secrets, p, s.Clock.Now())
		if f != nil {
			return fail(f, warnings)
		}
		auth.Params, auth.Hide = params, jwt
	} else if p.AuthMethod.IsMTLS() && secret == nil {
		// Mutual TLS: the handshake authenticates the client (client_id in the body).
	} else if p.IsDerived() && !p.HasSecret && secret == nil {
		p.AuthMethod = credentials.AuthPost // a public client sends its client_id alone (derived.go)
	} else {
		sec := ""
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
		auth.Secret, auth.Hide = sec, sec
	}
	if secret == nil { // a rotation's new secret has no recorded expiry yet
		auth.Now = s.Clock.Now
	}
	tok, f := idp.ClientCredentials(ctx, client, p, auth)
	if f == nil {
		f = idp.CheckTokenBinding(tok, p.DPoP) // Bearer or DPoP as the profile asks
	}
	if f != nil {
		return fail(pr.dpopMissing(ctx, p, client, f), warnings) // dpop.go
	}
	res := activeResult(p, tok, idp.Lifetime(tok), warnings, start)
	if f := checkBinding(p, tok.AccessToken, &res); f != nil { // mtls_profile.go
		return fail(f, warnings)
	}
	return tok, res, nil
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
	mtls.Explain(p, f)
	return Result{ProfileID: p.ID, Name: p.Name, Status: credentials.StatusFailed, Failure: f, Warnings: warnings, CheckedAt: at}
}
