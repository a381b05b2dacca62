package oauthflow

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/mtls"
)

// Request sends a test request with the profile's token (renewed if
// needed): Authorization: Bearer, the tenant header when the profile has a
// tenant, through the profile's proxy and TLS settings. The answer's status,
// headers and the first MaxResponseExcerpt bytes of its body come back; a
// 401 or 403 carries the WWW-Authenticate reason. An error means no answer
// (no token, bad URL, network); it is a *Failure where one applies.
func (s *Service) Request(ctx context.Context, nameOrID string, spec RequestSpec) (*Response, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(spec.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not the URL itself: it may carry a key in its query or user part.
		return nil, &Failure{Category: CatConfig, Message: "the request URL is not an http:// or https:// URL with a host"}
	}
	if apicall.InsecureTarget(u) && !spec.AllowInsecureHTTP {
		return nil, &Failure{Category: CatConfig, Err: &ErrInsecureHTTP{Host: u.Host}, Message: (&ErrInsecureHTTP{Host: u.Host}).Error()}
	}
	if err := CheckHeaders(spec.Header); err != nil {
		return nil, &Failure{Category: CatConfig, Message: "request header: " + err.Error()}
	}
	method := strings.ToUpper(strings.TrimSpace(spec.Method))
	if method == "" {
		method = http.MethodGet
	}
	client, _, err := s.mgr.http.API(p) // a stored-settings refusal is already a *Failure
	if err != nil {
		return nil, failure.Classify(err)
	}
	tok, err := s.mgr.Token(ctx, p)
	if err != nil {
		return nil, err
	}
	client.Transport = s.bearer(p, client.Transport, tok, spec.AllowInsecureHTTP)
	spec.Method = method
	out, err := apicall.Send(ctx, client, spec, tok.AccessToken)
	if err != nil {
		mtls.ExplainError(p, err)
		return nil, err
	}
	out.Advice = AuthAdvice(out.Status, out.AuthProblem)
	if c := mtls.APIRefusalCheck(p, mtls.BoundToken(tok.AccessToken), out.Status); c != "" {
		out.Advice = c + " " + out.Advice
	}
	return out, nil
}

// HTTPClient returns an *http.Client for Go programs that calls APIs with
// the profile's token: every request gets Authorization: Bearer (renewed as
// needed) and the tenant header, and goes through the profile's proxy and
// TLS settings. Redirects to another host are not followed, so the token
// never leaves the host it was meant for.
func (s *Service) HTTPClient(ctx context.Context, nameOrID string) (*http.Client, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.apiClient(p)
}

func (s *Service) apiClient(p credentials.Profile) (*http.Client, error) {
	client, _, err := s.mgr.http.API(p) // a stored-settings refusal is already a *Failure
	if err != nil {
		return nil, failure.Classify(err)
	}
	client.Transport = s.bearer(p, client.Transport, nil, false)
	return client, nil
}

// bearer adds the profile's token (tok, or the manager's current one at
// each request) and tenant header to what base sends.
func (s *Service) bearer(p credentials.Profile, base http.RoundTripper, tok *oauth2.Token, allowInsecure bool) http.RoundTripper {
	return &apicall.Bearer{Source: &profileSource{s: s, ref: p.ID, tok: tok}, Base: base, AllowInsecureHTTP: allowInsecure}
}

// TokenSource returns the profile's access tokens as an oauth2.TokenSource:
// the token kept in memory or in the store shared by all processes, fetched
// or renewed when there is none or it is about to expire. Its Token waits
// without a deadline of its own; the service's HTTP timeout bounds a fetch.
func (s *Service) TokenSource(nameOrID string) oauth2.TokenSource {
	return &profileSource{s: s, ref: nameOrID}
}

// profileSource is a profile's apicall.Source: the manager's current token,
// or tok when set (Request has fetched it already).
type profileSource struct {
	s   *Service
	ref string // name or ID
	tok *oauth2.Token
}

func (ps *profileSource) Token() (*oauth2.Token, error) {
	c, err := ps.Credential(context.Background())
	return c.Token, err
}

// Credential reads the profile now, so an edit applies to the next request.
func (ps *profileSource) Credential(ctx context.Context) (apicall.Credential, error) {
	p, err := ps.s.repo.Get(ps.ref)
	if err != nil {
		return apicall.Credential{}, err
	}
	tok := ps.tok
	if tok == nil {
		if tok, err = ps.s.mgr.Token(ctx, p); err != nil {
			return apicall.Credential{}, err
		}
	}
	c := apicall.Credential{Token: tok, Tenant: p.Tenant, TenantHeader: p.TenantHeader}
	if c.DPoP, err = dpopProver(ps.s.repo.Secrets, p, tok); err != nil { // dpop.go
		return apicall.Credential{}, err
	}
	if c.TenantHeader == "" {
		c.TenantHeader = credentials.DefaultTenantHeader
	}
	if tok != nil {
		access := tok.AccessToken
		// No process should hand out a token an API refused.
		c.Refused = func(ctx context.Context) { ps.s.mgr.Evict(ctx, p, access) }
	}
	return c, nil
}
