// Package resourcemeta reads an API's OAuth 2.0 Protected Resource Metadata
// (RFC 9728): which authorization servers issue its tokens, which scopes it
// knows and whether it wants sender-constrained tokens. Everything in it is
// held to the rules a typed-in value must meet before it can become a
// profile: the document names the resource asked for, its authorization
// servers are https, and it is small.
package resourcemeta

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// WellKnownPath is the RFC 9728 §3 well-known URI suffix.
const WellKnownPath = "/.well-known/oauth-protected-resource"

// MaxDocument bounds a metadata document (real ones are a few hundred bytes).
const MaxDocument = 64 << 10

// maxServers and maxScopes bound what is shown and kept.
const (
	maxServers = 20
	maxScopes  = 100
)

// Metadata is the part of a protected resource's metadata a profile uses.
type Metadata struct {
	Resource             string   `json:"resource"`
	AuthorizationServers []string `json:"authorization_servers"`
	ScopesSupported      []string `json:"scopes_supported"`
	ResourceName         string   `json:"resource_name"`
	// Sender-constrained tokens the API requires (RFC 9449 §5.2, RFC 8705 §3.4).
	DPoPBound bool `json:"dpop_bound_access_tokens_required"`
	TLSBound  bool `json:"tls_client_certificate_bound_access_tokens"`
	// Source is the URL the document was read from (not part of the JSON).
	Source string `json:"-"`
}

// WellKnownURL inserts the well-known path between the host and the path of
// a resource identifier (RFC 9728 §3.1); query and fragment are dropped.
func WellKnownURL(resource string) (string, error) {
	u, err := url.Parse(resource)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http:// or https:// URL with a host", failure.Sanitize(resource, 200))
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + WellKnownPath + path, nil
}

// Fetch reads the metadata of the API at apiURL: at its well-known URL,
// or, when there is none, at the resource_metadata its 401 challenge names
// (RFC 9728 §5). The failure says what was wrong in our words.
func Fetch(ctx context.Context, client *http.Client, apiURL string) (Metadata, *failure.Failure) {
	api, err := url.Parse(apiURL)
	if err != nil || (api.Scheme != "https" && api.Scheme != "http") || api.Host == "" || api.User != nil {
		return Metadata{}, &failure.Failure{Category: failure.CatConfig, Message: "the API URL must be an http:// or https:// URL with a host (and no user name)"}
	}
	if msg := credentials.CheckEndpointURL("The API URL", apiURL); msg != "" {
		return Metadata{}, &failure.Failure{Category: failure.CatConfig, Message: strings.TrimSuffix(msg, ".")}
	}
	wk, _ := WellKnownURL(apiURL)
	m, status, f := get(ctx, client, wk)
	if f == nil {
		return m, check(m, apiURL, wk)
	}
	if status != http.StatusNotFound && status != http.StatusUnauthorized && status != http.StatusForbidden {
		return Metadata{}, f
	}
	// No document at the well-known URL: ask the API itself.
	link, lf := challengeLink(ctx, client, apiURL)
	if lf != nil {
		return Metadata{}, lf
	}
	if link == "" {
		return Metadata{}, &failure.Failure{Category: failure.CatEndpoint, Message: fmt.Sprintf(
			"the API publishes no protected-resource metadata (RFC 9728): %s answered HTTP %d and the API's 401 names no resource_metadata; "+
				"create the profile by hand with the IdP's issuer URL", failure.Sanitize(wk, 200), status)}
	}
	if msg := credentials.CheckEndpointURL("The API's resource_metadata URL", link); msg != "" {
		return Metadata{}, &failure.Failure{Category: failure.CatEndpoint, Message: strings.TrimSuffix(msg, ".") + " (it names " + failure.Sanitize(link, 200) + ")"}
	}
	m, _, f = get(ctx, client, link)
	if f != nil {
		return Metadata{}, f
	}
	return m, check(m, apiURL, link)
}

// challengeLink calls the API without a token and reads resource_metadata
// from its WWW-Authenticate answer ("" when there is none).
func challengeLink(ctx context.Context, client *http.Client, apiURL string) (string, *failure.Failure) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL, nil)
	if err != nil {
		return "", &failure.Failure{Category: failure.CatConfig, Err: err, Message: "the API URL cannot be requested"}
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", failure.Classify(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxDocument))
	_ = resp.Body.Close()
	for _, c := range resp.Header.Values("WWW-Authenticate") {
		if v := apicall.ChallengeParams(c)["resource_metadata"]; v != "" {
			return v, nil
		}
	}
	return "", nil
}

// get reads one metadata document; status is the HTTP status (0 without one).
func get(ctx context.Context, client *http.Client, u string) (Metadata, int, *failure.Failure) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Metadata{}, 0, &failure.Failure{Category: failure.CatConfig, Err: err, Message: "the metadata URL cannot be requested"}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return Metadata{}, 0, failure.Classify(err)
	}
	defer resp.Body.Close()
	where := failure.Sanitize(u, 200)
	if resp.StatusCode != http.StatusOK {
		return Metadata{}, resp.StatusCode, &failure.Failure{Category: failure.CatEndpoint, HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the API's protected-resource metadata at %s answered HTTP %d", where, resp.StatusCode)}
	}
	if resp.ContentLength > MaxDocument {
		return Metadata{}, resp.StatusCode, tooBig(where)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxDocument+1))
	if err != nil {
		return Metadata{}, resp.StatusCode, failure.Classify(err)
	}
	if len(body) > MaxDocument {
		return Metadata{}, resp.StatusCode, tooBig(where)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var m Metadata
	if err := json.Unmarshal(body, &m); err != nil || (ct != "application/json" && !strings.HasSuffix(ct, "+json")) {
		return Metadata{}, resp.StatusCode, &failure.Failure{Category: failure.CatEndpoint,
			Message: fmt.Sprintf("%s is not a protected-resource metadata document (RFC 9728 wants a JSON object)", where)}
	}
	m.Source = u
	return m, resp.StatusCode, nil
}

func tooBig(where string) *failure.Failure {
	return &failure.Failure{Category: failure.CatEndpoint, Message: fmt.Sprintf(
		"the protected-resource metadata at %s is larger than %d KiB, which no real document is; it was not read", where, MaxDocument>>10)}
}

// check holds a document to RFC 9728 §3.3 and to our endpoint rules.
func check(m Metadata, apiURL, source string) *failure.Failure {
	where := failure.Sanitize(source, 200)
	if m.Resource == "" {
		return &failure.Failure{Category: failure.CatEndpoint, Message: "the protected-resource metadata at " + where + " names no resource; it cannot be trusted for this API"}
	}
	if !resourceMatches(m.Resource, apiURL) {
		return &failure.Failure{Category: failure.CatEndpoint, Message: fmt.Sprintf(
			"the protected-resource metadata at %s is for the resource %s, not for %s (RFC 9728 §3.3): it is refused; check the API URL",
			where, failure.Sanitize(m.Resource, 200), failure.Sanitize(apiURL, 200))}
	}
	if len(m.AuthorizationServers) == 0 {
		return &failure.Failure{Category: failure.CatEndpoint, Message: "the protected-resource metadata at " + where +
			" names no authorization_servers: ask the API's owner which IdP issues its tokens and create the profile by hand"}
	}
	if len(m.AuthorizationServers) > maxServers {
		m.AuthorizationServers = m.AuthorizationServers[:maxServers]
	}
	for _, as := range m.AuthorizationServers {
		if msg := credentials.CheckEndpointURL("The authorization server "+failure.Sanitize(as, 200), as); msg != "" {
			return &failure.Failure{Category: failure.CatEndpoint, Message: "the protected-resource metadata at " + where +
				" is refused: " + strings.TrimSuffix(msg, ".") + "; no secret would be safe there"}
		}
	}
	return nil
}

// resourceMatches: the document's resource is the API URL, or the API URL
// is below it (an API at https://api.example.com/v1/orders whose resource
// is https://api.example.com/v1), on the same origin.
func resourceMatches(resource, apiURL string) bool {
	r, err1 := url.Parse(resource)
	a, err2 := url.Parse(apiURL)
	if err1 != nil || err2 != nil || r.Fragment != "" {
		return false
	}
	if !strings.EqualFold(r.Scheme, a.Scheme) || !strings.EqualFold(r.Host, a.Host) {
		return false
	}
	rp, ap := strings.TrimSuffix(r.EscapedPath(), "/"), strings.TrimSuffix(a.EscapedPath(), "/")
	return ap == rp || strings.HasPrefix(ap, rp+"/")
}

// Scopes are the scopes the API names, at most maxScopes, each a valid scope token.
func (m Metadata) Scopes() []string {
	var out []string
	for _, s := range m.ScopesSupported {
		if len(out) == maxScopes {
			break
		}
		if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r == 0x22 || r == 0x5c || r > 0x7e }) {
			out = append(out, s)
		}
	}
	return out
}
