package oauthflow

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// private_key_jwt for confidential User profiles: x/oauth2 builds the code
// exchange, refresh and device requests itself, so a fresh assertion is
// added to each of them on the way out (a transport of the profile's HTTP
// client), for the token, device authorization and revocation endpoints
// only. Every request gets its own jti: IdPs treat it as single-use.

// withAssertions makes u's HTTP client authenticate with private_key_jwt.
func withAssertions(u *userClient, secrets *credentials.Secrets, now func() time.Time, deviceAuthURL string) *Failure {
	k, f := loadAssertionKey(secrets, u.p)
	if f != nil {
		return f
	}
	if now := now(); now.After(k.cert.NotAfter) {
		return &Failure{Category: CatCredentials, Message: fmt.Sprintf(
			"the client certificate expired on %s: generate or import a new one and upload it to the IdP", k.cert.NotAfter.UTC().Format("2006-01-02"))}
	}
	p := u.p // endpoints filled from discovery: the assertion's audience is the real token endpoint
	targets := map[string]bool{}
	for _, e := range []string{p.TokenURL, p.RevocationURL, deviceAuthURL, u.ep.PAR.Endpoint} {
		if e != "" {
			targets[endpointKey(e)] = true
		}
	}
	c := *u.http
	c.Transport = &assertionTransport{base: transportOf(u.http), targets: targets,
		sign: func() (string, error) { return signAssertion(p, k, time.Now()) }} // the IdP checks real time
	u.http = &c
	return nil
}

// endpointKey is an endpoint URL without query or fragment.
func endpointKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
}

type assertionTransport struct {
	base    http.RoundTripper
	targets map[string]bool
	sign    func() (string, error)
}

func (t *assertionTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || ct != "application/x-www-form-urlencoded" || !t.targets[endpointKey(r.URL.String())] || r.Body == nil {
		return t.base.RoundTrip(r)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("the token request cannot be read to add the client assertion: %v", err)
	}
	jwt, err := t.sign()
	if err != nil {
		return nil, fmt.Errorf("cannot sign the client assertion: %v", err)
	}
	form.Del("client_secret")
	form.Set("client_assertion_type", ClientAssertionType)
	form.Set("client_assertion", jwt)
	enc := form.Encode()
	r2 := r.Clone(r.Context())
	r2.Header.Del("Authorization") // no Basic credentials next to the assertion
	r2.Body = io.NopCloser(strings.NewReader(enc))
	r2.ContentLength = int64(len(enc))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader([]byte(enc))), nil }
	return t.base.RoundTrip(r2)
}

// usesAssertion: a User profile authenticating with private_key_jwt.
func usesAssertion(p credentials.Profile) bool {
	return p.Type == credentials.TypeUser && p.AuthMethod == credentials.AuthPrivateKeyJWT
}
