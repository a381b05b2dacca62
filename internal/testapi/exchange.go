package testapi

import (
	"encoding/json"
	"net/http"
	"testing"
)

// StartActAPI runs a JSON API that accepts only delegated tokens (#28,
// RFC 8693 §4.1): besides what every service checks (signature, issuer,
// expiry, audience, scope), the token's act claim must name actor. It
// answers 200 {"ok":true,"subject":…,"actor":…}; a refusal is 401/403 with
// WWW-Authenticate.
func StartActAPI(t testing.TB, cfg Config, actor string) *Server {
	return start(t, cfg, func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen := Seen{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), HadBearer: bearer(r) != ""}
			claims, ref := s.verify(r.Context(), bearer(r), "")
			act, _ := claims["act"].(map[string]any)
			if ref == nil && (act == nil || act["sub"] != actor) {
				ref = &Refusal{Status: http.StatusForbidden, Code: "invalid_token",
					Description: "the token does not act for " + actor + " (no act claim naming it)"}
			}
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
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "subject": claims.str("sub"), "actor": act["sub"]})
		})
	})
}
