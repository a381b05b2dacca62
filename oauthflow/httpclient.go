package oauthflow

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// DefaultHTTPTimeout bounds every call to an IdP or API when
// Service.HTTPTimeout is not set.
const DefaultHTTPTimeout = 30 * time.Second

// MaxIdPResponse is the largest answer accepted from an IdP (token,
// discovery, revocation). A token response is a few KiB; anything near this
// size is not a token endpoint.
const MaxIdPResponse = 1 << 20

const (
	dialTimeout         = 10 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
)

// WarnInsecureTLS is the warning attached to every result of a profile that
// skips TLS verification.
const WarnInsecureTLS = "TLS certificate verification is OFF for this profile: anyone on the network path can read its secrets and tokens."

// errBodyTooLarge is returned while reading an IdP answer that exceeds
// MaxIdPResponse. oauth2 flattens body-read errors into text, so errors.go
// also recognises its message.
var errBodyTooLarge = fmt.Errorf("the answer is larger than %d KiB", MaxIdPResponse>>10)

// errCrossHostRedirect refuses to follow a redirect to another host: the
// request may carry the client secret or a bearer token.
type errCrossHostRedirect struct{ from, to string }

func (e *errCrossHostRedirect) Error() string {
	return fmt.Sprintf("the server at %s redirected to another host (%s); not followed, so no credentials go there", e.from, e.to)
}

// errRedirectLoop is an endpoint that keeps redirecting.
type errRedirectLoop struct {
	host string
	n    int
}

func (e *errRedirectLoop) Error() string {
	return fmt.Sprintf("the server at %s redirected %d times without answering; this URL is not a working endpoint", e.host, e.n)
}

// errProxyStatus is a proxy's refusal of a CONNECT request (net/http only
// gives the status text, so it is typed here through OnProxyConnectResponse).
type errProxyStatus struct {
	Status int
	Text   string
}

func (e *errProxyStatus) Error() string {
	return fmt.Sprintf("the proxy refused the connection: %d %s", e.Status, e.Text)
}

// httpTimeout is the overall deadline of one call.
func (s *Service) httpTimeout() time.Duration {
	if s.HTTPTimeout > 0 {
		return s.HTTPTimeout
	}
	return DefaultHTTPTimeout
}

// httpClient returns the one HTTP client of a profile, used for every call
// the profile makes to its IdP: proxy, CA bundle, TLS >= 1.2, timeouts,
// answers capped at MaxIdPResponse, no redirects to other hosts. Clients are
// cached per profile revision so connections are reused and the proxy
// password is read from the keyring once. The strings are warnings to show
// with every result (TLS verification off).
func (s *Service) httpClient(p credentials.Profile) (*http.Client, []string, error) {
	if err := checkStored(p); err != nil {
		return nil, nil, err
	}
	return s.mgr.client(p, false)
}

// checkStored refuses a profile whose stored settings break the rules a
// form enforces (the file may have been edited by hand): nothing, secrets
// least of all, is sent with it.
func checkStored(p credentials.Profile) *Failure {
	if err := credentials.CheckStored(p); err != nil {
		return &Failure{Category: CatConfig, Err: err, Message: fmt.Sprintf("the stored profile %q is not used as it is: %v. "+
			"Edit the profile to fix it (the profile file may have been changed by hand)", p.Name, err)}
	}
	return nil
}

// buildTransport makes the transport for a profile's settings.
func (s *Service) buildTransport(p credentials.Profile) (*http.Transport, []string, error) {
	var warnings []string
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.TLS.CAFile != "" {
		pool, err := loadCABundle(p.TLS.CAFile)
		if err != nil {
			return nil, nil, err
		}
		tlsCfg.RootCAs = pool
	}
	if p.TLS.InsecureSkipVerify {
		tlsCfg.InsecureSkipVerify = true // #nosec G402 -- only when the administrator chose it; reported as a warning
		warnings = append(warnings, WarnInsecureTLS)
	}
	proxy, err := s.proxyFunc(p)
	if err != nil {
		return nil, nil, err
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: s.httpTimeout(),
		ExpectContinueTimeout: time.Second,
		// Below the 5 s keep-alive timeout of Node and Apache by default:
		// a token POST sent on a connection the server is closing just
		// then fails with a reset and is not retried (not idempotent) —
		// seen with device-flow polls 6 s apart. Bursts still reuse.
		IdleConnTimeout:     4 * time.Second,
		MaxIdleConnsPerHost: 2 * DefaultTestAllConcurrency, // shared by the profiles of one IdP (httpclient_cache.go)
		ForceAttemptHTTP2:   true,
		OnProxyConnectResponse: func(_ context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
			if resp.StatusCode != http.StatusOK {
				return &errProxyStatus{Status: resp.StatusCode, Text: http.StatusText(resp.StatusCode)}
			}
			return nil
		},
	}
	return tr, warnings, nil
}

// proxyFunc returns the transport's Proxy setting for a profile.
func (s *Service) proxyFunc(p credentials.Profile) (func(*http.Request) (*url.URL, error), error) {
	switch p.Proxy.Mode {
	case credentials.ProxyNone, "":
		return nil, nil
	case credentials.ProxySystem:
		return http.ProxyFromEnvironment, nil
	case credentials.ProxyURL:
	default:
		return nil, &Failure{Category: CatConfig, Message: fmt.Sprintf("unknown proxy mode %q: choose none, system or a URL", p.Proxy.Mode)}
	}
	u, err := url.Parse(p.Proxy.URL)
	if err != nil || u.Host == "" {
		return nil, &Failure{Category: CatProxy, Message: "the proxy URL is not a valid URL (expected http://host:port, https://host:port or socks5://host:port)"}
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, &Failure{Category: CatProxy, Message: fmt.Sprintf("proxy scheme %q is not supported: use http://, https:// or socks5://", u.Scheme)}
	}
	user := p.Proxy.Username
	if user == "" && u.User != nil {
		user = u.User.Username()
	}
	u.User = nil
	if user != "" {
		pass, err := s.repo.Secrets.Get(p.ID, credentials.ProxyPassword)
		switch {
		case errors.Is(err, credentials.ErrSecretNotFound):
			u.User = url.User(user)
		case err != nil:
			return nil, &Failure{Category: CatKeyring, Message: "cannot read the proxy password: " + err.Error(), Err: err}
		default:
			u.User = url.UserPassword(user, pass)
		}
	}
	return http.ProxyURL(u), nil
}

// loadCABundle reads a PEM file and adds its certificates to the system roots.
func loadCABundle(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- the CA bundle file the administrator chose
	if err != nil {
		return nil, &Failure{Category: CatTLS, Err: err,
			Message: fmt.Sprintf("cannot read the CA bundle file %s: %v; choose a readable PEM file", path, errors.Unwrap(err))}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, &Failure{Category: CatTLS,
			Message: fmt.Sprintf("the CA bundle file %s holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)", path)}
	}
	return pool, nil
}

// sameHostRedirects follows redirects on the same scheme and host only.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return &errRedirectLoop{host: via[0].URL.Host, n: len(via)}
	}
	first := via[0].URL
	if first.Scheme == "https" && req.URL.Scheme != "https" && strings.EqualFold(req.URL.Host, first.Host) {
		return &errDowngrade{from: first.Host, to: "http://" + req.URL.Host}
	}
	if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return &errCrossHostRedirect{from: first.Host, to: req.URL.Scheme + "://" + req.URL.Host}
	}
	return nil
}

// errHTMLAnswer is an IdP endpoint answering with a web page.
type errHTMLAnswer struct{ status int }

func (e *errHTMLAnswer) Error() string {
	return fmt.Sprintf("the endpoint answered with an HTML page (HTTP %d), not a token response: this URL is not the token endpoint", e.status)
}

// limitTransport refuses answers larger than MaxIdPResponse.
type limitTransport struct{ base http.RoundTripper }

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusProxyAuthRequired {
		// A plain-http request through a proxy that wants credentials;
		// tinyproxy and others reset the connection right after the status.
		resp.Body.Close() // #nosec G104 -- the answer is refused; closing its body cannot fail in a way that matters
		return nil, &errProxyStatus{Status: resp.StatusCode, Text: http.StatusText(resp.StatusCode)}
	}
	if resp.ContentLength >= MaxIdPResponse {
		resp.Body.Close() // #nosec G104 -- the answer is refused; closing its body cannot fail in a way that matters
		return nil, errBodyTooLarge
	}
	// A successful HTML answer is a web page (a login page, a portal), never
	// a token, discovery or revocation answer. Error pages go on to oauth2,
	// which keeps their status.
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct == "text/html" && resp.StatusCode < 300 {
		resp.Body.Close() // #nosec G104 -- the answer is refused; closing its body cannot fail in a way that matters
		return nil, &errHTMLAnswer{status: resp.StatusCode}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxIdPResponse - 1}
	return resp, nil
}

// limitedBody fails once more than its allowance has been read. The
// allowance is one byte under MaxIdPResponse because oauth2 itself stops
// reading at exactly 1 MiB and would otherwise just see cut-off JSON.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
