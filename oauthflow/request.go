package oauthflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
)

// MaxResponseExcerpt is how much of a test request's answer is kept.
const MaxResponseExcerpt = 64 << 10

// SOAPVersion selects the SOAP envelope conventions of a test request.
type SOAPVersion string

const (
	SOAP11 SOAPVersion = "1.1" // text/xml + SOAPAction header
	SOAP12 SOAPVersion = "1.2" // application/soap+xml; action="…"
)

// SOAPRequest builds a POST of a SOAP envelope with the headers its version
// wants (the seed's WS_SOAP transport).
func SOAPRequest(version SOAPVersion, endpoint, action string, envelope []byte) RequestSpec {
	h := http.Header{}
	if version == SOAP12 {
		ct := "application/soap+xml; charset=utf-8"
		if action != "" {
			ct += fmt.Sprintf("; action=%q", action)
		}
		h.Set("Content-Type", ct)
		h.Set("Accept", "application/soap+xml, text/xml")
	} else {
		h.Set("Content-Type", "text/xml; charset=utf-8")
		h.Set("SOAPAction", fmt.Sprintf("%q", action))
		h.Set("Accept", "text/xml")
	}
	return RequestSpec{Method: http.MethodPost, URL: endpoint, Header: h, Body: envelope}
}

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
	if insecureTarget(u) && !spec.AllowInsecureHTTP {
		return nil, &Failure{Category: CatConfig, Err: &ErrInsecureHTTP{Host: u.Host}, Message: (&ErrInsecureHTTP{Host: u.Host}).Error()}
	}
	if err := CheckHeaders(spec.Header); err != nil {
		return nil, &Failure{Category: CatConfig, Message: "request header: " + err.Error()}
	}
	method := strings.ToUpper(strings.TrimSpace(spec.Method))
	if method == "" {
		method = http.MethodGet
	}
	client, err := s.apiClient(p)
	if err != nil {
		return nil, err
	}
	tok, err := s.mgr.Token(ctx, p)
	if err != nil {
		return nil, err
	}
	access := tok.AccessToken
	client.Transport = &Transport{Service: s, Profile: p.ID, Base: client.Transport.(*Transport).Base, token: tok,
		AllowInsecureHTTP: spec.AllowInsecureHTTP}
	spec.Method = method
	out, err := send(ctx, client, spec, access)
	if err != nil {
		return nil, err
	}
	out.Advice = AuthAdvice(out.Status, out.AuthProblem)
	return out, nil
}

// TokenHidden replaces the access token wherever an API echoes it back, so
// a response shown or printed never carries it.
const TokenHidden = "[access token hidden]"

func hideToken(out *Response, token string) {
	if len(token) < 8 {
		return // too short to be a real token; replacing would garble the body
	}
	out.Body = bytes.ReplaceAll(out.Body, []byte(token), []byte(TokenHidden))
	if utf8.Valid(out.Body) {
		// Any other bearer token or JWT an API echoes (the tenant's, a
		// previous one) is hidden too.
		out.Body = []byte(RedactBearer(string(out.Body)))
	}
	h := out.Header.Clone()
	for k, vs := range h {
		for i, v := range vs {
			h[k][i] = RedactBearer(strings.ReplaceAll(v, token, TokenHidden))
		}
	}
	out.Header = h
}

// authProblem explains a 401/403 from its WWW-Authenticate challenge.
func authProblem(status int, challenges []string) string {
	base := "the API refused the token (401 Unauthorized)"
	if status == http.StatusForbidden {
		base = "the API accepted the token but refused access (403 Forbidden)"
	}
	for _, c := range challenges {
		params := challengeParams(c)
		code, desc := params["error"], params["error_description"]
		if code == "" && desc == "" {
			continue
		}
		reason := failure.Sanitize(code, 64)
		if desc != "" {
			if reason != "" {
				reason += ": "
			}
			reason += failure.Sanitize(desc, failure.MaxDescription)
		}
		if scope := params["scope"]; scope != "" {
			reason += " (needs scope " + failure.Sanitize(scope, 200) + ")"
		}
		return base + ": " + reason
	}
	if len(challenges) > 0 {
		return base + "; WWW-Authenticate: " + failure.Sanitize(strings.Join(challenges, ", "), failure.MaxDescription)
	}
	return base
}

// challengeParams parses the auth-params of a Bearer challenge (RFC 6750
// §3), e.g. `Bearer realm="api", error="invalid_token", error_description="…"`.
func challengeParams(c string) map[string]string {
	out := map[string]string{}
	s := strings.TrimSpace(c)
	if i := strings.IndexByte(s, ' '); i > 0 && !strings.Contains(s[:i], "=") {
		s = s[i+1:]
	}
	for s != "" {
		s = strings.TrimLeft(s, " ,")
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			break
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " ")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					b.WriteByte(s[i])
					continue
				}
				if s[i] == '"' {
					break
				}
				b.WriteByte(s[i])
			}
			val = b.String()
			s = s[min(i+1, len(s)):]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = strings.TrimSpace(s[:end]), s[end:]
		}
		out[key] = val
	}
	return out
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
	client.Transport = &Transport{Service: s, Profile: p.ID, Base: client.Transport}
	return client, nil
}

// Transport is an http.RoundTripper that adds a profile's bearer token and
// tenant header to each request. Base nil means http.DefaultTransport; use
// Service.HTTPClient to get one with the profile's proxy and TLS settings.
type Transport struct {
	Service *Service
	Profile string // name or ID
	Base    http.RoundTripper
	// token, when set, is sent instead of asking the Service (Request has
	// fetched it already).
	token *oauth2.Token
	// AllowInsecureHTTP sends the token to plain-http URLs of other hosts
	// than this machine too (anyone on the path can read it there). Without
	// it such requests are refused.
	AllowInsecureHTTP bool
}

// ErrInsecureHTTP refuses to send a bearer token over plain http to another
// machine.
type ErrInsecureHTTP struct{ Host string }

func (e *ErrInsecureHTTP) Error() string {
	return fmt.Sprintf("not sent: %s is a plain-http address of another machine, where anyone on the network path "+
		"could read the access token; use https, or choose to allow insecure http for this request", e.Host)
}

// insecureTarget reports a plain-http URL that is not this machine.
func insecureTarget(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, "http") && !credentials.IsLoopbackHost(u.Hostname())
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
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
	if insecureTarget(req.URL) && !t.AllowInsecureHTTP {
		return fail(&ErrInsecureHTTP{Host: req.URL.Host})
	}
	p, err := t.Service.repo.Get(t.Profile)
	if err != nil {
		return fail(err)
	}
	tok := t.token
	if tok == nil {
		tok, err = t.Service.mgr.Token(req.Context(), p)
		if err != nil {
			return fail(err)
		}
	}
	var access string
	if tok != nil {
		access = tok.AccessToken
	}
	if access == "" {
		return fail(errors.New("the profile has no access token"))
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+access)
	if p.Tenant != "" {
		h := p.TenantHeader
		if h == "" {
			h = credentials.DefaultTenantHeader
		}
		r.Header.Set(h, p.Tenant)
	}
	resp, err := base(t.Base).RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		// The API refused this token (revoked, or a key rollover): no
		// process should hand it out again.
		t.Service.mgr.Evict(req.Context(), p, access)
	}
	return resp, err
}

func base(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		return http.DefaultTransport
	}
	return rt
}

// send does one request and keeps the first MaxResponseExcerpt bytes of the answer.
func send(ctx context.Context, client *http.Client, spec RequestSpec, token string) (*Response, error) {
	u, err := url.Parse(spec.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Failure{Category: CatConfig, Message: "the request URL is not an http:// or https:// URL with a host"}
	}
	if spec.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, spec.Timeout)
		defer cancel()
	}
	var body io.Reader
	if spec.Body != nil {
		body = bytes.NewReader(spec.Body)
	}
	method := spec.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, &Failure{Category: CatConfig, Message: "cannot build the request: " + err.Error()}
	}
	for k, vs := range spec.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	start := time.Now()
	r, err := client.Do(req)
	if err != nil {
		return nil, failure.Classify(err)
	}
	defer r.Body.Close()
	b, readErr := io.ReadAll(io.LimitReader(r.Body, MaxResponseExcerpt+1))
	out := &Response{Status: r.StatusCode, StatusText: http.StatusText(r.StatusCode), Header: r.Header, Duration: time.Since(start)}
	if len(b) > MaxResponseExcerpt {
		b, out.Truncated = b[:MaxResponseExcerpt], true
	}
	out.Body = b
	if readErr != nil {
		out.Truncated = true
	}
	if r.StatusCode == http.StatusUnauthorized || r.StatusCode == http.StatusForbidden {
		out.AuthProblem = authProblem(r.StatusCode, r.Header.Values("WWW-Authenticate"))
	}
	hideToken(out, token)
	return out, nil
}
