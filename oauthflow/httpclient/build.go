package httpclient

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
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

const (
	dialTimeout         = 10 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
)

// WarnInsecureTLS is the warning attached to every result of a profile that
// skips TLS verification.
const WarnInsecureTLS = "TLS certificate verification is OFF for this profile: anyone on the network path can read its secrets and tokens."

// CheckStored refuses a profile whose stored settings break the rules a
// form enforces (the file may have been edited by hand): nothing, secrets
// least of all, is sent with it.
func CheckStored(p credentials.Profile) *failure.Failure {
	if err := credentials.CheckStored(p); err != nil {
		return &failure.Failure{Category: failure.CatConfig, Err: err, Message: fmt.Sprintf("the stored profile %q is not used as it is: %v. "+
			"Edit the profile to fix it (the profile file may have been changed by hand)", p.Name, err)}
	}
	return nil
}

// buildTransport makes the transport for a profile's settings.
func (c *Cache) buildTransport(p credentials.Profile) (*http.Transport, []string, error) {
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
	if err := c.withClientCertificate(tlsCfg, p); err != nil { // mtls.go
		return nil, nil, err
	}
	proxy, err := c.proxyFunc(p)
	if err != nil {
		return nil, nil, err
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: c.opt.Timeout(),
		ExpectContinueTimeout: time.Second,
		// Below the 5 s keep-alive timeout of Node and Apache by default:
		// a token POST sent on a connection the server is closing just
		// then fails with a reset and is not retried (not idempotent) —
		// seen with device-flow polls 6 s apart. Bursts still reuse.
		IdleConnTimeout:     4 * time.Second,
		MaxIdleConnsPerHost: c.opt.MaxIdleConnsPerHost, // shared by the profiles of one IdP (cache.go)
		ForceAttemptHTTP2:   true,
		OnProxyConnectResponse: func(_ context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
			if resp.StatusCode != http.StatusOK {
				return &failure.ProxyStatusError{Status: resp.StatusCode, Text: http.StatusText(resp.StatusCode)}
			}
			return nil
		},
	}
	return tr, warnings, nil
}

// proxyFunc returns the transport's Proxy setting for a profile.
func (c *Cache) proxyFunc(p credentials.Profile) (func(*http.Request) (*url.URL, error), error) {
	switch p.Proxy.Mode {
	case credentials.ProxyNone, "":
		return nil, nil
	case credentials.ProxySystem:
		return http.ProxyFromEnvironment, nil
	case credentials.ProxyURL:
	default:
		return nil, &failure.Failure{Category: failure.CatConfig, Message: fmt.Sprintf("unknown proxy mode %q: choose none, system or a URL", p.Proxy.Mode)}
	}
	u, err := url.Parse(p.Proxy.URL)
	if err != nil || u.Host == "" {
		return nil, &failure.Failure{Category: failure.CatProxy, Message: "the proxy URL is not a valid URL (expected http://host:port, https://host:port or socks5://host:port)"}
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, &failure.Failure{Category: failure.CatProxy, Message: fmt.Sprintf("proxy scheme %q is not supported: use http://, https:// or socks5://", u.Scheme)}
	}
	user := p.Proxy.Username
	if user == "" && u.User != nil {
		user = u.User.Username()
	}
	u.User = nil
	if user != "" {
		pass, err := c.opt.ProxyPassword(p.ID)
		switch {
		case errors.Is(err, credentials.ErrSecretNotFound):
			u.User = url.User(user)
		case err != nil:
			return nil, &failure.Failure{Category: failure.CatKeyring, Message: "cannot read the proxy password: " + err.Error(), Err: err}
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
		return nil, &failure.Failure{Category: failure.CatTLS, Err: err,
			Message: fmt.Sprintf("cannot read the CA bundle file %s: %v; choose a readable PEM file", path, errors.Unwrap(err))}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, &failure.Failure{Category: failure.CatTLS,
			Message: fmt.Sprintf("the CA bundle file %s holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)", path)}
	}
	return pool, nil
}

// DowngradeError is a redirect from https to plain http.
type DowngradeError struct{ From, To string }

func (e *DowngradeError) Error() string {
	return fmt.Sprintf("the server at %s redirected from https to plain http (%s); not followed, so the token is not sent unencrypted", e.From, e.To)
}

// SameHostRedirects is an http.Client's CheckRedirect that follows
// redirects on the same scheme and host only.
func SameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return &failure.RedirectLoopError{Host: via[0].URL.Host, N: len(via)}
	}
	first := via[0].URL
	if first.Scheme == "https" && req.URL.Scheme != "https" && strings.EqualFold(req.URL.Host, first.Host) {
		return &DowngradeError{From: first.Host, To: "http://" + req.URL.Host}
	}
	if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return &failure.CrossHostRedirectError{From: first.Host, To: req.URL.Scheme + "://" + req.URL.Host}
	}
	return nil
}

// limitTransport refuses answers larger than failure.MaxResponse.
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
		return nil, &failure.ProxyStatusError{Status: resp.StatusCode, Text: http.StatusText(resp.StatusCode)}
	}
	if resp.ContentLength >= failure.MaxResponse {
		resp.Body.Close() // #nosec G104 -- the answer is refused; closing its body cannot fail in a way that matters
		return nil, failure.ErrBodyTooLarge
	}
	// A successful HTML answer is a web page (a login page, a portal), never
	// a token, discovery or revocation answer. Error pages go on to oauth2,
	// which keeps their status.
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct == "text/html" && resp.StatusCode < 300 {
		resp.Body.Close() // #nosec G104 -- the answer is refused; closing its body cannot fail in a way that matters
		return nil, &failure.HTMLAnswerError{Status: resp.StatusCode}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: failure.MaxResponse - 1}
	return resp, nil
}

// limitedBody fails once more than its allowance has been read. The
// allowance is one byte under failure.MaxResponse because oauth2 itself
// stops reading at exactly 1 MiB and would otherwise just see cut-off JSON.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, failure.ErrBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, failure.ErrBodyTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
