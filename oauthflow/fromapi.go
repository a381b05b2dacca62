package oauthflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
	"github.com/credworkbench/credworkbench/oauthflow/resourcemeta"
)

// From an API URL to a profile (RFC 9728): the API's protected-resource
// metadata names its authorization servers; discovery at the first one
// gives the endpoints. The user still gives the client ID and secret.

// APIProfile is a profile prefilled from an API's metadata.
type APIProfile struct {
	// Profile is the draft given to ProfileFromAPI with what was found
	// filled in where the draft had nothing: issuer, endpoints, scope,
	// resource, DPoP and certificate-bound tokens.
	Profile credentials.Profile
	// Metadata is the API's document as read (and checked).
	Metadata resourcemeta.Metadata
	// Server is the authorization server chosen (the first listed); Others
	// are the rest, for the user to pick by hand.
	Server string
	Others []string
	// Notes say what was taken and what the user must still do.
	Notes []string
}

// ProfileFromAPI reads the protected-resource metadata of the API at
// apiURL through draft's network settings (proxy, CA), discovers its first
// authorization server and fills draft. The error is a *Failure saying what
// was wrong (no metadata, a document for another resource, an http
// authorization server, a huge answer, discovery failing).
func (s *Service) ProfileFromAPI(ctx context.Context, apiURL string, draft credentials.Profile) (APIProfile, error) {
	// An unsaved profile with only the draft's network settings: the
	// client for the API's metadata and its IdP's discovery (the token URL
	// only satisfies the stored-profile rules; nothing is sent there).
	probe := credentials.Profile{Name: "from api", Type: credentials.TypeApplication, Proxy: draft.Proxy, TLS: draft.TLS}
	probe.ClientID, probe.TokenURL = "-", "https://127.0.0.1/" // placeholders of an unsaved probe, no credential
	probe.Normalize()
	client, _, err := s.mgr.http.IdP(probe)
	if err != nil {
		return APIProfile{}, failure.Classify(err)
	}
	m, f := resourcemeta.Fetch(ctx, client, strings.TrimSpace(apiURL))
	if f != nil {
		return APIProfile{}, f
	}
	out := APIProfile{Metadata: m, Server: m.AuthorizationServers[0], Others: m.AuthorizationServers[1:]}
	ep, f := idp.Discover(ctx, client, out.Server)
	if f != nil {
		f.Message = fmt.Sprintf("the API names the authorization server %s, whose discovery failed: %s", failure.Sanitize(out.Server, 200), f.Message)
		return APIProfile{}, f
	}
	p := draft
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&p.IssuerURL, ep.Issuer)
	fill(&p.TokenURL, ep.TokenURL)
	fill(&p.RevocationURL, ep.RevocationURL)
	if p.Type != credentials.TypeApplication {
		fill(&p.AuthURL, ep.AuthURL)
	}
	fill(&p.Scope, strings.Join(m.Scopes(), " "))
	fill(&p.Resource, m.Resource)
	name := m.ResourceName
	if name == "" {
		name = m.Resource
	}
	out.Notes = append(out.Notes, fmt.Sprintf("API %s: tokens from %s (discovered).", failure.Sanitize(name, 100), failure.Sanitize(ep.Issuer, 200)))
	if len(out.Others) > 0 {
		out.Notes = append(out.Notes, "The API also accepts tokens from "+failure.Sanitize(strings.Join(out.Others, ", "), 400)+
			"; the first one was chosen (give --issuer to use another).")
	}
	if m.DPoPBound {
		p.DPoP = true
		out.Notes = append(out.Notes, "The API requires DPoP-bound tokens (RFC 9449): the profile must use DPoP.")
	}
	if m.TLSBound {
		p.BindTokensToCertificate = true
		out.Notes = append(out.Notes, "The API requires certificate-bound tokens (RFC 8705): the profile must bind its tokens to a client certificate.")
	}
	out.Notes = append(out.Notes, ep.Notices...)
	out.Profile = p
	return out, nil
}
