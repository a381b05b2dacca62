package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
)

// Discover reads the issuer's /.well-known/openid-configuration through the
// profile's HTTP client (proxy, CA) and returns its endpoints.
func (s *Service) Discover(ctx context.Context, p credentials.Profile) (Endpoints, error) {
	if p.IssuerURL == "" {
		return Endpoints{}, &Failure{Category: CatConfig, Message: "the profile has no issuer URL to discover endpoints from"}
	}
	p.Normalize() // a draft from a form: defaults filled in before the network rules apply
	client, _, err := s.mgr.http.IdP(p)
	if err != nil {
		return Endpoints{}, failure.Classify(err)
	}
	return discover(ctx, client, p.IssuerURL)
}

func discover(ctx context.Context, client *http.Client, issuer string) (Endpoints, error) {
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	note := ""
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) && strings.TrimSuffix(mismatch.Discovered, "/") == strings.TrimSuffix(issuer, "/") {
		// Only the trailing slash differs (Auth0 and others publish it,
		// Keycloak does not; people type either): adopt the IdP's spelling,
		// which ID tokens carry in iss, and say so.
		note = fmt.Sprintf("the IdP spells its issuer %q (the profile has %q): that spelling is used", mismatch.Discovered, issuer)
		issuer = mismatch.Discovered
		provider, err = oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	}
	if err != nil {
		return Endpoints{}, classifyDiscovery(err, issuer)
	}
	var doc discoveryDoc
	if err := provider.Claims(&doc); err != nil {
		return Endpoints{}, &Failure{Category: CatEndpoint, Err: err, Message: "the discovery document cannot be read: " + failure.Sanitize(err.Error(), failure.MaxDescription)}
	}
	ep := provider.Endpoint()
	e := Endpoints{
		Issuer: issuer, IssuerNote: note, TokenURL: ep.TokenURL, AuthURL: ep.AuthURL,
		RevocationURL: doc.RevocationURL, JWKSURL: doc.JWKSURL, UserinfoURL: doc.UserinfoURL,
		EndSessionURL: doc.EndSessionURL, DeviceAuthURL: doc.DeviceAuthURL, IssParameterSupported: doc.IssParameterSupported,
		PromptValues: doc.PromptValues,
	}
	if e.TokenURL == "" {
		return e, &Failure{Category: CatEndpoint, Message: "the discovery document of " + e.Issuer + " names no token endpoint; enter it by hand"}
	}
	if err := checkDiscovered(&e); err != nil {
		return Endpoints{}, err
	}
	return e, nil
}

// checkDiscovered holds every URL a discovery document names to the rule a
// typed-in endpoint must meet (https, plain http only on loopback): the
// client secret, the user's login and the ID token keys go there. Endpoints
// on another host than the issuer are allowed but noted.
func checkDiscovered(e *Endpoints) error {
	iu, _ := url.Parse(e.Issuer)
	var others []string
	for _, f := range []struct{ field, value string }{
		{"authorization_endpoint", e.AuthURL},
		{"token_endpoint", e.TokenURL},
		{"revocation_endpoint", e.RevocationURL},
		{"jwks_uri", e.JWKSURL},
		{"userinfo_endpoint", e.UserinfoURL},
		{"end_session_endpoint", e.EndSessionURL},
		{"device_authorization_endpoint", e.DeviceAuthURL},
	} {
		if f.value == "" {
			continue
		}
		if msg := credentials.CheckEndpointURL("The discovered "+f.field, f.value); msg != "" {
			return &Failure{Category: CatEndpoint, Message: fmt.Sprintf("the discovery document of %s is refused: %s "+
				"(it names %s); no secret was sent. Ask the IdP's administrator to publish https endpoints, or enter "+
				"the endpoints by hand", e.Issuer, strings.TrimSuffix(msg, "."), failure.Sanitize(f.value, 200))}
		}
		if u, err := url.Parse(f.value); err == nil && iu != nil && !strings.EqualFold(u.Hostname(), iu.Hostname()) {
			others = append(others, f.field+" on "+failure.Sanitize(u.Hostname(), 100))
		}
	}
	if len(others) > 0 {
		e.Notices = append(e.Notices, fmt.Sprintf("The IdP's discovery document names endpoints on other hosts than the "+
			"issuer %s (%s): check that these belong to your IdP.", iu.Hostname(), strings.Join(others, ", ")))
	}
	return nil
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

// discoveryDoc holds the discovery fields go-oidc does not expose.
type discoveryDoc struct {
	RevocationURL string `json:"revocation_endpoint"`
	JWKSURL       string `json:"jwks_uri"`
	UserinfoURL   string `json:"userinfo_endpoint"`
	EndSessionURL string `json:"end_session_endpoint"`
	DeviceAuthURL string `json:"device_authorization_endpoint"` // RFC 8628
	// RFC 9207 §3.
	IssParameterSupported bool `json:"authorization_response_iss_parameter_supported"`
	// OpenID Connect Prompt Create 1.0 §4 (e.g. Entra, Google): the prompt
	// values the IdP understands.
	PromptValues []string `json:"prompt_values_supported"`
}

var statusPrefixRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{3}) `) })

// classifyDiscovery explains a go-oidc NewProvider error. go-oidc puts the
// response body into some of its messages; only the status is kept.
func classifyDiscovery(err error, issuer string) *Failure {
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	var mismatch *oidc.IssuerMismatchError
	msg := err.Error()
	switch {
	case errors.As(err, &mismatch):
		return &Failure{Category: CatConfig, Err: err, Message: fmt.Sprintf(
			"the discovery document names the issuer %q, not %q: set the issuer URL exactly as the IdP spells it", mismatch.Discovered, mismatch.Provided)}
	case strings.HasPrefix(msg, "oidc: failed to decode provider discovery object"):
		return &Failure{Category: CatEndpoint, Err: errors.New("invalid discovery document"), Message: fmt.Sprintf(
			"%s is not an OpenID Connect discovery document; check the issuer URL", wellKnown)}
	case statusPrefixRE().MatchString(msg):
		code := statusPrefixRE().FindStringSubmatch(msg)[1]
		return &Failure{Category: CatEndpoint, Err: errors.New("discovery failed with HTTP " + code), Message: fmt.Sprintf(
			"discovery at %s answered HTTP %s; check the issuer URL (or enter the endpoints by hand)", wellKnown, code)}
	}
	f := failure.Classify(err)
	if f.Category == CatOther {
		f.Message = "discovery failed: " + f.Message
	}
	return f
}

// Entra ID (Microsoft identity platform) v2.0 endpoints.
const entraHost = "login.microsoftonline.com"

var entraTenantRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*$`) })

// EntraEndpoints returns the v2.0 endpoints of an Entra ID tenant (a tenant
// GUID, a verified domain like contoso.onmicrosoft.com, or "organizations").
func EntraEndpoints(tenantID string) (Endpoints, error) {
	t := strings.TrimSpace(tenantID)
	if !entraTenantRE().MatchString(t) {
		return Endpoints{}, fmt.Errorf("%q is not an Entra tenant ID: use the directory (tenant) ID GUID or a domain like contoso.onmicrosoft.com", tenantID)
	}
	base := "https://" + entraHost + "/" + url.PathEscape(t)
	return Endpoints{
		Issuer:      base + "/v2.0",
		TokenURL:    base + "/oauth2/v2.0/token",
		AuthURL:     base + "/oauth2/v2.0/authorize",
		JWKSURL:     base + "/discovery/v2.0/keys",
		UserinfoURL: "https://graph.microsoft.com/oidc/userinfo",
	}, nil
}

// EntraScopeHint returns advice when a client-credentials scope for an
// Entra token URL lacks "/.default", which Entra requires for that grant;
// "" when the hint does not apply.
func EntraScopeHint(tokenURL, scope string) string {
	u, err := url.Parse(tokenURL)
	if err != nil || !strings.EqualFold(u.Hostname(), entraHost) {
		return ""
	}
	fields := strings.Fields(scope)
	for _, s := range fields {
		if strings.HasSuffix(s, "/.default") {
			return ""
		}
	}
	example := "api://<app-id>/.default"
	if len(fields) == 1 {
		if i := strings.LastIndex(fields[0], "/"); i > 0 {
			example = fields[0][:i] + "/.default"
		}
	}
	return fmt.Sprintf("Entra ID issues client-credentials tokens only for a scope ending in /.default (for example %s).", example)
}
