package apicall

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// RequestSpec is a test request made with a profile's token.
type RequestSpec struct {
	Method  string
	URL     string
	Header  http.Header
	Body    []byte
	Timeout time.Duration
	// AllowInsecureHTTP is the user's explicit choice to send the token to
	// a plain-http URL of another machine; without it that is refused.
	AllowInsecureHTTP bool
}

// Response is what a test request got back.
type Response struct {
	Status      int
	StatusText  string
	Header      http.Header
	Body        []byte // at most an excerpt
	Truncated   bool
	Duration    time.Duration
	AuthProblem string // for 401/403: the WWW-Authenticate reason
	Advice      string // for 401/403: what to check (AuthAdvice)

	StepUp *StepUp // an RFC 9470 challenge: the sign-in the API asks for (stepup.go)
}

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

// AuthProblem explains a 401/403 from its WWW-Authenticate challenge.
func AuthProblem(status int, challenges []string) string {
	base := "the API refused the token (401 Unauthorized)"
	if status == http.StatusForbidden {
		base = "the API accepted the token but refused access (403 Forbidden)"
	}
	base = dpopChallenged(base, challenges) // dpop.go
	for _, c := range challenges {
		params := ChallengeParams(c)
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

// ChallengeParams parses the auth-params of a Bearer challenge (RFC 6750
// §3), e.g. `Bearer realm="api", error="invalid_token", error_description="…"`.
func ChallengeParams(c string) map[string]string {
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

// Send does one request and keeps the first MaxResponseExcerpt bytes of the answer.
func Send(ctx context.Context, client *http.Client, spec RequestSpec, token string) (*Response, error) {
	u, err := url.Parse(spec.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &failure.Failure{Category: failure.CatConfig, Message: "the request URL is not an http:// or https:// URL with a host"}
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
		return nil, &failure.Failure{Category: failure.CatConfig, Message: "cannot build the request: " + err.Error()}
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
		out.AuthProblem = AuthProblem(r.StatusCode, r.Header.Values("WWW-Authenticate"))
		out.StepUp = ParseStepUp(r.StatusCode, r.Header.Values("WWW-Authenticate"))
	}
	hideToken(out, token)
	return out, nil
}
