package apicall

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/dpop"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
)

// Credential is what a request carries for a profile, read at each request
// (so an edit of the profile applies to the next one).
type Credential struct {
	Token *oauth2.Token
	// TenantHeader and Tenant: the tenant header to send ("" Tenant: none).
	TenantHeader, Tenant string
	// Refused, when set, is told that the API answered 401 to the token, so
	// that no process hands it out again.
	Refused func(ctx context.Context)
	// DPoP, for a DPoP-bound token, signs the proofs it is presented with.
	DPoP *dpop.Prover
}

// Source is a profile's oauth2.TokenSource as a request sees it: the token
// for the request's context, with the tenant header to send.
type Source interface {
	oauth2.TokenSource
	Credential(ctx context.Context) (Credential, error)
}

// Bearer is an http.RoundTripper in the style of oauth2.Transport: it adds
// Authorization: Bearer from Source and the profile's tenant header to
// each request. It refuses plain http to another machine unless
// AllowInsecureHTTP, never follows an https → http redirect with the token,
// and sends redirects to another host without it. Base nil means
// http.DefaultTransport.
type Bearer struct {
	Source Source
	Base   http.RoundTripper
	// AllowInsecureHTTP sends the token to plain-http URLs of other hosts
	// than this machine too (anyone on the path can read it there).
	AllowInsecureHTTP bool
}

// ErrInsecureHTTP refuses to send a bearer token over plain http to another
// machine.
type ErrInsecureHTTP struct{ Host string }

func (e *ErrInsecureHTTP) Error() string {
	return fmt.Sprintf("not sent: %s is a plain-http address of another machine, where anyone on the network path "+
		"could read the access token; use https, or choose to allow insecure http for this request", e.Host)
}

// InsecureTarget reports a plain-http URL that is not this machine.
func InsecureTarget(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, "http") && !credentials.IsLoopbackHost(u.Hostname())
}

// RoundTrip implements http.RoundTripper.
func (t *Bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	fail := func(err error) (*http.Response, error) {
		if req.Body != nil {
			req.Body.Close() // #nosec G104 -- RoundTrip must close the body, also on error; that Close's error changes nothing
		}
		return nil, err
	}
	if prev := req.Response; prev != nil && prev.Request != nil {
		if !strings.EqualFold(prev.Request.URL.Host, req.URL.Host) {
			// A redirect to another host (with a caller's own redirect policy):
			// the token is for the API, not for wherever it points.
			return base(t.Base).RoundTrip(req)
		}
		if strings.EqualFold(prev.Request.URL.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
			return fail(&httpclient.DowngradeError{From: prev.Request.URL.Host, To: "http://" + req.URL.Host})
		}
	}
	if InsecureTarget(req.URL) && !t.AllowInsecureHTTP {
		return fail(&ErrInsecureHTTP{Host: req.URL.Host})
	}
	c, err := t.Source.Credential(req.Context())
	if err != nil {
		return fail(err)
	}
	var access string
	if c.Token != nil {
		access = c.Token.AccessToken
	}
	if access == "" {
		return fail(errors.New("the profile has no access token"))
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+access)
	if c.Tenant != "" {
		r.Header.Set(c.TenantHeader, c.Tenant)
	}
	resp, err := c.send(base(t.Base), r, access) // dpop.go
	if err == nil && resp.StatusCode == http.StatusUnauthorized && c.Refused != nil && tokenRefused(resp) {
		// The API refused this token (revoked, or a key rollover).
		c.Refused(req.Context())
	}
	return resp, err
}

func base(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		return http.DefaultTransport
	}
	return rt
}
