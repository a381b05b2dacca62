package testapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// ProtectedResource configures StartProtected: what the API says about
// itself (RFC 9728) and how.
type ProtectedResource struct {
	// AuthorizationServers are the issuers the API names.
	AuthorizationServers []string
	Scopes               []string
	DPoPRequired         bool
	TLSBound             bool
	Name                 string
	// Resource overrides the resource value ("" = the server's URL; a
	// hostile API names another).
	Resource string
	// OnlyInChallenge serves the document at /metadata and names it only in
	// the 401's resource_metadata, not at the well-known URL.
	OnlyInChallenge bool
	// Huge pads the document past any sane size.
	Huge bool
}

// StartProtected runs an API that publishes its protected-resource
// metadata (at /.well-known/oauth-protected-resource, or only through its
// WWW-Authenticate resource_metadata) and answers requests like StartJSON
// (without the tenant and scope rules).
func StartProtected(t testing.TB, cfg Config, pr ProtectedResource) *Server {
	return start(t, cfg, func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			metaPath := "/metadata"
			if !pr.OnlyInChallenge {
				metaPath = "/.well-known/oauth-protected-resource"
			}
			if r.URL.Path == metaPath {
				writeMetadata(w, s, pr)
				return
			}
			claims, ref := s.verify(r.Context(), bearer(r), "")
			w.Header().Set("Content-Type", "application/json")
			if ref != nil {
				s.record(Seen{Method: r.Method, Path: r.URL.Path, Outcome: orNoToken(ref.Code)})
				w.Header().Set("WWW-Authenticate", ref.Challenge()+fmt.Sprintf(`, resource_metadata=%q`, s.URL+metaPath))
				w.WriteHeader(ref.Status)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": orNoToken(ref.Code)})
				return
			}
			s.record(Seen{Method: r.Method, Path: r.URL.Path, HadBearer: true, Outcome: "ok"})
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "subject": claims.str("sub")})
		})
	})
}

func writeMetadata(w http.ResponseWriter, s *Server, pr ProtectedResource) {
	resource := pr.Resource
	if resource == "" {
		resource = s.URL
	}
	doc := map[string]any{
		"resource":                 resource,
		"authorization_servers":    pr.AuthorizationServers,
		"scopes_supported":         pr.Scopes,
		"bearer_methods_supported": []string{"header"},
	}
	if pr.Name != "" {
		doc["resource_name"] = pr.Name
	}
	if pr.DPoPRequired {
		doc["dpop_bound_access_tokens_required"] = true
	}
	if pr.TLSBound {
		doc["tls_client_certificate_bound_access_tokens"] = true
	}
	if pr.Huge {
		doc["padding"] = strings.Repeat("x", 1<<20)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}
