package oauthflow

import (
	"context"
	"net/http"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// Discover reads the issuer's /.well-known/openid-configuration through the
// profile's HTTP client (proxy, CA) and returns its endpoints.
func (s *Service) Discover(ctx context.Context, p credentials.Profile) (Endpoints, error) {
	if p.IssuerURL == "" {
		return Endpoints{}, &Failure{Category: CatConfig, Message: "the profile has no issuer URL to discover endpoints from"}
	}
	p.Normalize()                                                 // a draft from a form: defaults filled in before the network rules apply
	client, _, err := s.mgr.http.IdP(withoutClientCertificate(p)) // mtls_profile.go
	if err != nil {
		return Endpoints{}, failure.Classify(err)
	}
	e, err := discover(ctx, client, p.IssuerURL)
	return withMTLSEndpoints(p, e, err) // a mutual TLS profile gets the IdP's mtls_endpoint_aliases
}

// withEndpoints fills the profile's missing endpoints from discovery when
// it has an issuer URL.
// The strings are notices to show with the result.
func withEndpoints(ctx context.Context, clients *httpclient.Cache, p credentials.Profile, client *http.Client) (credentials.Profile, []string, error) {
	if p.IssuerURL == "" || (p.TokenURL != "" && (p.Type != credentials.TypeUser || p.AuthURL != "")) {
		return p, nil, nil
	}
	e, err := discovered(ctx, clients, p, client)
	if err != nil {
		return p, nil, err
	}
	if p.TokenURL == "" {
		p.TokenURL = e.TokenURL
	}
	if p.AuthURL == "" {
		p.AuthURL = e.AuthURL
	}
	if p.RevocationURL == "" {
		p.RevocationURL = e.RevocationURL
	}
	return p, e.Notices, nil
}

// Endpoints are what discovery found; see idp.Endpoints.
type Endpoints = idp.Endpoints

func discover(ctx context.Context, client *http.Client, issuer string) (Endpoints, error) {
	e, f := idp.Discover(ctx, client, issuer)
	if f != nil {
		return e, f
	}
	return e, nil
}

// EntraEndpoints returns the v2.0 endpoints of an Entra ID tenant; see
// idp.EntraEndpoints.
func EntraEndpoints(tenantID string) (Endpoints, error) { return idp.EntraEndpoints(tenantID) }

// EntraScopeHint is the advice for an Entra client-credentials scope
// without "/.default"; see idp.EntraScopeHint.
func EntraScopeHint(tokenURL, scope string) string { return idp.EntraScopeHint(tokenURL, scope) }
