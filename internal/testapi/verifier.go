package testapi

import (
	"context"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Verifier checks bearer tokens as the services here do (signature
// against the IdP's JWKS, issuer, expiry, audience, scope), for test
// servers of other packages (internal/testgit).
type Verifier struct{ s *Server }

// NewVerifier checks tokens against cfg; cfg.Audience must be set.
func NewVerifier(cfg Config) *Verifier {
	ctx := context.Background()
	if cfg.Client != nil {
		ctx = oidc.ClientContext(ctx, cfg.Client)
	}
	if cfg.TenantClaim == "" {
		cfg.TenantClaim = "TenantID"
	}
	return &Verifier{s: &Server{cfg: cfg, keys: oidc.NewRemoteKeySet(ctx, cfg.JWKSURL)}}
}

// Verify checks raw ("" = none sent) and returns its claims, or why it is
// refused. No tenant header is checked unless cfg.TenantHeader is set.
func (v *Verifier) Verify(ctx context.Context, raw, tenant string) (Claims, *Refusal) {
	return v.s.verify(ctx, raw, tenant)
}

// Str is a string claim ("" when absent).
func (c Claims) Str(k string) string { return c.str(k) }
