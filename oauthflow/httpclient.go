package oauthflow

import (
	"context"
	"net/http"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
)

// DefaultHTTPTimeout bounds every call to an IdP or API when
// Service.HTTPTimeout is not set.
const DefaultHTTPTimeout = 30 * time.Second

// MaxIdPResponse is the largest answer accepted from an IdP (token,
// discovery, revocation).
const MaxIdPResponse = failure.MaxResponse

// WarnInsecureTLS is the warning attached to every result of a profile that
// skips TLS verification.
const WarnInsecureTLS = httpclient.WarnInsecureTLS

// timeoutOr is the overall deadline of one call: d, or DefaultHTTPTimeout.
func timeoutOr(d time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return DefaultHTTPTimeout
}

// newClientCache makes the service's per-profile HTTP clients.
func newClientCache(s *Service) *httpclient.Cache {
	return httpclient.NewCache(httpclient.Options{
		Timeout: func() time.Duration { return timeoutOr(s.HTTPTimeout) },
		ProxyPassword: func(id string) (string, error) {
			return s.repo.Secrets.Get(id, credentials.ProxyPassword)
		},
		MaxIdleConnsPerHost: 2 * DefaultTestAllConcurrency,
		ClientCertificate:   clientCertificate(s.repo.Secrets), // mtls_profile.go
	})
}

// discovered returns the profile's discovered endpoints, cached with its client.
func discovered(ctx context.Context, clients *httpclient.Cache, p credentials.Profile, client *http.Client) (Endpoints, error) {
	e, err := httpclient.Remember(clients, p, func() (Endpoints, error) { return discover(ctx, client, p.IssuerURL) })
	return withMTLSEndpoints(p, e, err) // mtls_profile.go
}
