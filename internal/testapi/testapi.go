// Package testapi runs real resource servers for tests on 127.0.0.1: an
// HTTP JSON API and SOAP 1.1 / 1.2 services. Each one verifies the bearer
// token the way a resource server does — the JWT signature against the
// IdP's JWKS, issuer, expiry, audience, the scope it needs and, for
// multi-tenant services, the tenant header against the token's tenant
// claim — and refuses with a proper WWW-Authenticate challenge (RFC 6750)
// or a SOAP Fault.
package testapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Config is what a service checks.
type Config struct {
	Issuer  string // expected iss
	JWKSURL string // the IdP's signing keys
	// Audience the token must carry (RFC 7519 aud). "" means the server's
	// own URL, as a resource server that names itself by its URL does.
	Audience string
	// Scope every request needs; "" needs none.
	Scope string
	// TenantHeader, when set, makes the service multi-tenant: the header
	// must be present, and when the token carries the tenant claim the
	// header must match it.
	TenantHeader string
	// TenantClaim names the claim (default "TenantID").
	TenantClaim string
	// Client fetches the JWKS (default http.DefaultClient).
	Client *http.Client
}

// Server is a running service.
type Server struct {
	URL string
	cfg Config

	keys *oidc.RemoteKeySet
	srv  *http.Server

	mu       sync.Mutex
	requests []Seen
}

// Seen is what the service recorded about one request (never the token).
type Seen struct {
	Method      string
	Path        string
	ContentType string
	SOAPAction  string
	Tenant      string
	HadBearer   bool
	HadWSSE     bool
	Outcome     string // "ok" or the refusal's error code
}

// Requests returns what the service saw so far.
func (s *Server) Requests() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.requests...)
}

func (s *Server) record(r Seen) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.mu.Unlock()
}

func start(t testing.TB, cfg Config, h func(*Server) http.Handler) *Server {
	t.Helper()
	if cfg.TenantClaim == "" {
		cfg.TenantClaim = "TenantID"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "http://" + l.Addr().String(), cfg: cfg}
	if s.cfg.Audience == "" {
		s.cfg.Audience = s.URL
	}
	ctx := context.Background()
	if cfg.Client != nil {
		ctx = oidc.ClientContext(ctx, cfg.Client)
	}
	s.keys = oidc.NewRemoteKeySet(ctx, cfg.JWKSURL)
	s.srv = &http.Server{Handler: h(s), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
	})
	return s
}

// Refusal is why a token was not accepted, in RFC 6750 terms.
type Refusal struct {
	Status      int    // 400, 401 or 403
	Code        string // invalid_request, invalid_token, insufficient_scope; "" when no token came
	Description string
	Scope       string // for insufficient_scope: what is needed
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Description }

// Challenge is the WWW-Authenticate value for the refusal.
func (r *Refusal) Challenge() string {
	c := `Bearer realm="testapi"`
	if r.Code != "" {
		c += fmt.Sprintf(`, error=%q, error_description=%q`, r.Code, r.Description)
	}
	if r.Scope != "" {
		c += fmt.Sprintf(`, scope=%q`, r.Scope)
	}
	return c
}

// Claims are the verified token's claims.
type Claims map[string]any

func (c Claims) str(k string) string { s, _ := c[k].(string); return s }

// verify checks a bearer token and the tenant header. raw == "" means no token was sent.
func (s *Server) verify(ctx context.Context, raw, tenantHeader string) (Claims, *Refusal) {
	if raw == "" {
		return nil, &Refusal{Status: http.StatusUnauthorized, Description: "no token"}
	}
	payload, err := s.keys.VerifySignature(ctx, raw)
	if err != nil {
		return nil, &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token's signature cannot be verified"}
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token is not a JWT with claims"}
	}
	if iss := c.str("iss"); s.cfg.Issuer != "" && iss != s.cfg.Issuer {
		return nil, &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token was issued by another issuer"}
	}
	if exp, ok := c["exp"].(float64); !ok || time.Now().After(time.Unix(int64(exp), 0)) {
		return nil, &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token has expired"}
	}
	if !slices.Contains(audiences(c["aud"]), s.cfg.Audience) {
		return nil, &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token",
			Description: "the token's audience is not this API (" + s.cfg.Audience + ")"}
	}
	if s.cfg.Scope != "" {
		have := strings.Fields(c.str("scope"))
		for _, need := range strings.Fields(s.cfg.Scope) {
			if !slices.Contains(have, need) {
				return nil, &Refusal{Status: http.StatusForbidden, Code: "insufficient_scope",
					Description: "the token lacks a scope this API needs", Scope: s.cfg.Scope}
			}
		}
	}
	if s.cfg.TenantHeader != "" {
		if tenantHeader == "" {
			return nil, &Refusal{Status: http.StatusBadRequest, Code: "invalid_request",
				Description: "the " + s.cfg.TenantHeader + " header is required"}
		}
		if claim := c.str(s.cfg.TenantClaim); claim != "" && claim != tenantHeader {
			return nil, &Refusal{Status: http.StatusForbidden, Code: "invalid_token",
				Description: "the " + s.cfg.TenantHeader + " header does not match the token's tenant"}
		}
	}
	return c, nil
}

func audiences(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// StartJSON runs an HTTP JSON API. Any path answers, for a valid token,
// 200 {"ok":true,"subject":…,"tenant":…,"method":…,"path":…}; a refusal is
// 400/401/403 with WWW-Authenticate and {"error":…,"error_description":…}.
// The path /fail answers 500 after a valid token; /slow?ms=N answers after
// N milliseconds (a slow backend; the token was valid when it arrived).
func StartJSON(t testing.TB, cfg Config) *Server {
	return start(t, cfg, func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen := Seen{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), HadBearer: bearer(r) != ""}
			if s.cfg.TenantHeader != "" {
				seen.Tenant = r.Header.Get(s.cfg.TenantHeader)
			}
			claims, ref := s.verify(r.Context(), bearer(r), seen.Tenant)
			w.Header().Set("Content-Type", "application/json")
			if ref != nil {
				seen.Outcome = orNoToken(ref.Code)
				s.record(seen)
				w.Header().Set("WWW-Authenticate", ref.Challenge())
				w.WriteHeader(ref.Status)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": orNoToken(ref.Code), "error_description": ref.Description})
				return
			}
			seen.Outcome = "ok"
			s.record(seen)
			if r.URL.Path == "/slow" {
				slow(r)
			}
			if r.URL.Path == "/fail" {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":"backend_down","message":"the order service is not available"}`))
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "subject": claims.str("sub"),
				"tenant": claims.str(s.cfg.TenantClaim), "method": r.Method, "path": r.URL.Path})
		})
	})
}

// slow holds the answer to /slow?ms=N back for N ms (at most a minute), or
// until the client gives up.
func slow(r *http.Request) {
	ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
	d := min(time.Duration(max(ms, 0))*time.Millisecond, time.Minute)
	select {
	case <-time.After(d):
	case <-r.Context().Done():
	}
}

func orNoToken(code string) string {
	if code == "" {
		return "no_token"
	}
	return code
}

// errNoEnvelope is a body that is not a SOAP envelope.
var errNoEnvelope = errors.New("the body is not a SOAP envelope")
