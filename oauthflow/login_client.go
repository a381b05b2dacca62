package oauthflow

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// userClient is what a User profile needs to talk to its IdP.
type userClient struct {
	p        credentials.Profile // endpoints filled from discovery
	ep       Endpoints           // discovery (issuer, JWKS); zero without an issuer URL
	http     *http.Client
	secret   string // "" for a public client
	warnings []string
}

func (pr protocol) userClientNoDPoP(ctx context.Context, p credentials.Profile) (*userClient, *Failure) {
	s := pr.s
	u := &userClient{p: p}
	client, warnings, err := s.mgr.http.IdP(p)
	if err != nil {
		return u, failure.Classify(err)
	}
	u.http, u.warnings = client, warnings
	if p.IssuerURL != "" {
		ep, err := discovered(ctx, s.mgr.http, p, client)
		if err != nil {
			return u, failure.Classify(err)
		}
		u.ep = ep
		u.warnings = append(slices.Clone(u.warnings), ep.Notices...)
		if ep.IssuerNote != "" {
			u.warnings = append(u.warnings, ep.IssuerNote)
		}
		// Endpoints typed into the profile win over discovered ones.
		if u.p.AuthURL == "" {
			u.p.AuthURL = ep.AuthURL
		}
		if u.p.TokenURL == "" {
			u.p.TokenURL = ep.TokenURL
		}
		if u.p.RevocationURL == "" {
			u.p.RevocationURL = ep.RevocationURL
		}
	}
	if u.p.TokenURL == "" || u.p.AuthURL == "" {
		return u, &Failure{Category: CatConfig, Message: "the profile needs an issuer URL, or both an authorization endpoint URL and a token endpoint URL"}
	}
	if usesAssertion(p) {
		// private_key_jwt: every token request carries a fresh assertion (login_assertion.go).
		return u, withAssertions(u, s.repo.Secrets, s.Clock.Now, u.ep.DeviceAuthURL)
	}
	if p.HasSecret {
		sec, err := s.repo.Secrets.Get(p.ID, credentials.ClientSecret)
		switch {
		case errors.Is(err, credentials.ErrSecretNotFound):
			return u, &Failure{Category: CatCredentials, Err: err, Message: "the profile's client secret is missing from the OS keyring: edit the profile and enter it again (or clear it for a public client)"}
		case err != nil:
			return u, failure.Classify(err)
		}
		u.secret = sec
	}
	return u, nil
}

// config is the oauth2 configuration. The client authentication is set
// explicitly (never auto-detected, which would retry the secret another
// way): a public client sends only its client_id in the body.
func (u *userClient) config(redirectURI string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if u.secret != "" {
		style = idp.AuthStyle(u.p.AuthMethod)
	}
	return &oauth2.Config{
		ClientID:     u.p.ClientID,
		ClientSecret: u.secret,
		Endpoint:     oauth2.Endpoint{AuthURL: u.p.AuthURL, TokenURL: u.p.TokenURL, AuthStyle: style},
		RedirectURL:  redirectURI,
		Scopes:       strings.Fields(u.p.Scope),
	}
}

// params are the profile's extra request parameters (RFC 8707 resource,
// the audience many IdPs use).
func (u *userClient) params() []oauth2.AuthCodeOption {
	var opts []oauth2.AuthCodeOption
	if u.p.Resource != "" {
		opts = append(opts, oauth2.SetAuthURLParam("resource", u.p.Resource))
	}
	if u.p.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", u.p.Audience))
	}
	return opts
}

func (u *userClient) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, u.http)
}

// exchange redeems the authorization code with the PKCE verifier.
func (u *userClient) exchange(ctx context.Context, cfg *oauth2.Config, code, verifier string) (*oauth2.Token, *Failure) {
	opts := append(u.params(), oauth2.VerifierOption(verifier))
	tok, err := cfg.Exchange(u.context(ctx), code, opts...)
	if err != nil {
		f := failure.Classify(err)
		failure.Redact(f, u.secret, code, verifier)
		switch f.IdPError {
		case "invalid_grant":
			f.Category = CatRedirect
			f.Message = "the IdP did not accept the authorization code (a PKCE verifier that does not match, " +
				"a code that expired or was used already, or a different redirect URI)"
		case "unauthorized_client", "unsupported_grant_type":
			f.Category = CatRedirect
			f.Message = "the IdP does not allow this client the authorization code flow"
		}
		dpopMissingHint(f, u.p, u.ep.DPoPAlgs) // dpop.go
		return nil, f.ForProfile(u.p)
	}
	return tok, nil
}

// protocol runs the steps of the OAuth protocol that need the service's
// keyring, HTTP clients and login sessions: the client-credentials grant,
// logins (browser and device), refreshes and logouts. The service's
// exported operations call it; the protocol itself is in oauthflow/idp.
type protocol struct{ s *Service }
