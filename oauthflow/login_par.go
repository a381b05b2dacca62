package oauthflow

import (
	"context"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// How the browser login's authorization request travels: as plain query
// parameters (the default), inside a signed request object (RFC 9101), or
// pushed to the IdP first (RFC 9126) so the browser URL carries only
// client_id and request_uri. The loopback redirect stays RFC 8252.

// authorizationURL is the URL the browser is sent to.
func (pr protocol) authorizationURL(ctx context.Context, u *userClient, cfg *oauth2.Config, state string, opts []oauth2.AuthCodeOption) (string, *Failure) {
	plain := cfg.AuthCodeURL(state, opts...)
	usePAR := u.p.PAR || u.ep.PAR.Required
	useRO := u.p.RequestObject || u.ep.PAR.RequestObjectRequired
	if !usePAR && !useRO {
		return plain, nil
	}
	if usePAR && u.ep.PAR.Endpoint == "" {
		return "", noPAREndpoint(u.p)
	}
	pu, err := url.Parse(plain)
	if err != nil {
		return "", &Failure{Category: CatConfig, Err: err, Message: "the authorization endpoint URL cannot be parsed"}
	}
	params := pu.Query()
	if useRO {
		jwt, f := pr.requestObject(u, params)
		if f != nil {
			return "", f
		}
		keep := url.Values{"client_id": {u.p.ClientID}, "request": {jwt}}
		if !usePAR {
			// OIDC Core §6.1: response_type and scope also outside (RFC 9101 allows the duplicates).
			keep.Set("response_type", params.Get("response_type"))
			keep.Set("scope", params.Get("scope"))
		}
		params = keep
	}
	if !usePAR {
		q := url.Values{}
		for k, v := range pu.Query() { // the endpoint's own query parameters stay
			if cfgParam(k) {
				continue
			}
			q[k] = v
		}
		for k, v := range params {
			q[k] = v
		}
		pu.RawQuery = q.Encode()
		return pu.String(), nil
	}
	pushed, f := idp.PushAuthorization(u.context(ctx), u.http, u.ep.PAR.Endpoint, params,
		idp.PARClient{ID: u.p.ClientID, Secret: u.secret, Style: cfg.Endpoint.AuthStyle})
	if f != nil {
		return "", f.ForProfile(u.p)
	}
	authURL, err := idp.PushedAuthURL(u.p.AuthURL, u.p.ClientID, pushed.RequestURI)
	if err != nil {
		return "", &Failure{Category: CatConfig, Err: err, Message: err.Error()}
	}
	return authURL, nil
}

// cfgParam: a parameter x/oauth2 put into the authorization URL (it goes
// into the request object instead).
func cfgParam(k string) bool {
	switch k {
	case "client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method",
		"nonce", "resource", "audience", "acr_values", "prompt", "max_age", "claims", "login_hint":
		return true
	}
	return false
}

func noPAREndpoint(p credentials.Profile) *Failure {
	if p.IssuerURL == "" {
		return &Failure{Category: CatConfig, Message: "the profile asks for pushed authorization requests (PAR), which are found " +
			"by discovery: set the profile's issuer URL, or clear PAR (credctl edit " + quoteName(p.Name) + " --par=false)"}
	}
	return &Failure{Category: CatConfig, Message: "the profile asks for pushed authorization requests (PAR), but the IdP's discovery " +
		"document names no pushed_authorization_request_endpoint: ask the IdP's administrator to enable PAR, or clear it " +
		"(credctl edit " + quoteName(p.Name) + " --par=false)"}
}

// requestObject signs params with the profile's private_key_jwt key.
func (pr protocol) requestObject(u *userClient, params url.Values) (string, *Failure) {
	k, f := loadAssertionKey(pr.s.repo.Secrets, u.p)
	if f != nil {
		f.Message = "signed request objects (RFC 9101) are signed with the profile's key, and " + f.Message +
			"; or clear the request object setting (credctl edit " + quoteName(u.p.Name) + " --request-object=false)"
		return "", f
	}
	if time.Now().After(k.cert.NotAfter) {
		return "", &Failure{Category: CatCredentials, Message: "the certificate that signs the request objects expired on " +
			k.cert.NotAfter.UTC().Format("2006-01-02") + ": generate or import a new one and register it at the IdP"}
	}
	kid, err := KeyID(k.key.Public())
	if err != nil {
		return "", &Failure{Category: CatConfig, Err: err, Message: "the profile's key cannot be used: " + err.Error()}
	}
	key := idp.RequestObjectKey{Signer: k.key, KeyID: kid, Alg: u.p.AssertionAlg}
	alg, accepted := idp.RequestObjectAlg(key, u.ep.PAR.RequestObjectAlgs)
	if alg == "" {
		return "", &Failure{Category: CatConfig, Message: "the IdP accepts request objects signed with " + failure.Sanitize(accepted, 200) +
			" only, which the profile's key cannot make: generate a key of a type it accepts (credctl certificate new)"}
	}
	aud := u.ep.Issuer
	if aud == "" {
		aud = u.p.IssuerURL
	}
	if aud == "" {
		return "", &Failure{Category: CatConfig, Message: "a signed request object is addressed to the IdP's issuer: set the profile's issuer URL"}
	}
	jwt, err := idp.SignRequestObject(params, u.p.ClientID, aud, key, alg, time.Now()) // the IdP checks real time
	if err != nil {
		return "", &Failure{Category: CatConfig, Err: err, Message: err.Error()}
	}
	return jwt, nil
}

// parHint says what to turn on when the IdP's authorization endpoint
// refuses a request that did not use PAR or a request object it requires.
func parHint(f *Failure, p credentials.Profile) *Failure {
	if f == nil {
		return f
	}
	d := strings.ToLower(f.IdPDescription)
	if !strings.Contains(d, "pushed authorization request must be used") && !strings.Contains(d, "request object must be used") {
		return f
	}
	c := *f // the listener's page reads f meanwhile
	f = &c
	switch {
	case strings.Contains(d, "pushed authorization request must be used"):
		f.Category = CatConfig
		f.Message = "the IdP takes this client's logins only as pushed authorization requests: turn on PAR " +
			"(credctl edit " + quoteName(p.Name) + " --par, or Pushed authorization request in the form)"
	case strings.Contains(d, "request object must be used"):
		f.Category = CatConfig
		f.Message = "the IdP takes this client's logins only with a signed request object: turn it on " +
			"(credctl edit " + quoteName(p.Name) + " --request-object) and give the profile a key the IdP knows"
	}
	return f
}

// quoteName quotes a profile name for a command line when it needs it.
func quoteName(name string) string {
	if strings.ContainsAny(name, " &'\"") {
		return "'" + strings.ReplaceAll(name, "'", `'\''`) + "'"
	}
	return name
}
