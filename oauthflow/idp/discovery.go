package idp

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
)

// Endpoints are what discovery found.
type Endpoints struct {
	Issuer string
	// IssuerNote says that the IdP's issuer differs from the profile's only
	// by a trailing slash and that its spelling was adopted.
	IssuerNote    string
	TokenURL      string
	AuthURL       string
	RevocationURL string
	JWKSURL       string
	UserinfoURL   string
	EndSessionURL string
	DeviceAuthURL string // RFC 8628 device_authorization_endpoint
	// IssParameterSupported: the IdP puts iss into its authorization
	// responses (RFC 9207), so a response without one is refused.
	IssParameterSupported bool
	// PromptValues are the IdP's prompt_values_supported (often absent).
	PromptValues []string
	// DPoPAlgs are its dpop_signing_alg_values_supported (RFC 9449).
	DPoPAlgs []string
	// Notices are worth showing with results (endpoints on other hosts).
	Notices []string
	// Pushed authorization requests and request objects (RFC 9126, RFC 9101).
	PAR PARMetadata
	// MTLSAliases are the endpoints to use with mutual TLS, by discovery
	// name (RFC 8705 §5; see oauthflow/mtls).
	MTLSAliases map[string]string
}

// Discover reads the issuer's /.well-known/openid-configuration through
// client and returns its endpoints, each held to the rule a typed-in one
// must meet.
func Discover(ctx context.Context, client *http.Client, issuer string) (Endpoints, *failure.Failure) {
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
		return Endpoints{}, &failure.Failure{Category: failure.CatEndpoint, Err: err, Message: "the discovery document cannot be read: " + failure.Sanitize(err.Error(), failure.MaxDescription)}
	}
	ep := provider.Endpoint()
	e := Endpoints{
		Issuer: issuer, IssuerNote: note, TokenURL: ep.TokenURL, AuthURL: ep.AuthURL,
		RevocationURL: doc.RevocationURL, JWKSURL: doc.JWKSURL, UserinfoURL: doc.UserinfoURL,
		EndSessionURL: doc.EndSessionURL, DeviceAuthURL: doc.DeviceAuthURL, IssParameterSupported: doc.IssParameterSupported,
		PromptValues: doc.PromptValues, PAR: doc.PARMetadata, MTLSAliases: doc.MTLSAliases,
	}
	e.DPoPAlgs = doc.DPoPAlgs
	if e.TokenURL == "" {
		return e, &failure.Failure{Category: failure.CatEndpoint, Message: "the discovery document of " + e.Issuer + " names no token endpoint; enter it by hand"}
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
func checkDiscovered(e *Endpoints) *failure.Failure {
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
		{"pushed_authorization_request_endpoint", e.PAR.Endpoint},
	} {
		if f.value == "" {
			continue
		}
		if msg := credentials.CheckEndpointURL("The discovered "+f.field, f.value); msg != "" {
			return &failure.Failure{Category: failure.CatEndpoint, Message: fmt.Sprintf("the discovery document of %s is refused: %s "+
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
	// RFC 9449 §5.1: the DPoP proof signatures the IdP accepts.
	DPoPAlgs []string `json:"dpop_signing_alg_values_supported"`

	PARMetadata // par.go: its fields are top-level members
	// RFC 8705 §5.
	MTLSAliases map[string]string `json:"mtls_endpoint_aliases"`
}

var statusPrefixRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{3}) `) })

// classifyDiscovery explains a go-oidc NewProvider error. go-oidc puts the
// response body into some of its messages; only the status is kept.
func classifyDiscovery(err error, issuer string) *failure.Failure {
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	var mismatch *oidc.IssuerMismatchError
	msg := err.Error()
	switch {
	case errors.As(err, &mismatch):
		return &failure.Failure{Category: failure.CatConfig, Err: err, Message: fmt.Sprintf(
			"the discovery document names the issuer %q, not %q: set the issuer URL exactly as the IdP spells it", mismatch.Discovered, mismatch.Provided)}
	case strings.HasPrefix(msg, "oidc: failed to decode provider discovery object"):
		return &failure.Failure{Category: failure.CatEndpoint, Err: errors.New("invalid discovery document"), Message: fmt.Sprintf(
			"%s is not an OpenID Connect discovery document; check the issuer URL", wellKnown)}
	case statusPrefixRE().MatchString(msg):
		code := statusPrefixRE().FindStringSubmatch(msg)[1]
		return &failure.Failure{Category: failure.CatEndpoint, Err: errors.New("discovery failed with HTTP " + code), Message: fmt.Sprintf(
			"discovery at %s answered HTTP %s; check the issuer URL (or enter the endpoints by hand)", wellKnown, code)}
	}
	f := failure.Classify(err)
	if f.Category == failure.CatOther {
		f.Message = "discovery failed: " + f.Message
	}
	return f
}

// EntraHost is the host of Entra ID's (Microsoft identity platform) v2.0 endpoints.
const EntraHost = "login.microsoftonline.com"

// EntraTenantRE matches what may stand for a tenant in an Entra URL.
var EntraTenantRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*$`) })

// EntraEndpoints returns the v2.0 endpoints of an Entra ID tenant (a tenant
// GUID, a verified domain like contoso.onmicrosoft.com, or "organizations").
func EntraEndpoints(tenantID string) (Endpoints, error) {
	t := strings.TrimSpace(tenantID)
	if !EntraTenantRE().MatchString(t) {
		return Endpoints{}, fmt.Errorf("%q is not an Entra tenant ID: use the directory (tenant) ID GUID or a domain like contoso.onmicrosoft.com", tenantID)
	}
	base := "https://" + EntraHost + "/" + url.PathEscape(t)
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
	if err != nil || !strings.EqualFold(u.Hostname(), EntraHost) {
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
