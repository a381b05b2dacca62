package testapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// StepUpPolicy is what a step-up API (RFC 9470) demands of the user's
// authentication, read from the access token's acr and auth_time claims
// (the test IdP puts them there with testidp.WithStepUp, as Keycloak and
// Okta do).
type StepUpPolicy struct {
	// ACRValues: the token's acr must be one of them ("" = any).
	ACRValues []string
	// MaxAge: the token's auth_time must be at most this old (0 = no limit).
	MaxAge time.Duration
}

// StartStepUp runs the JSON API of StartJSON that also demands policy: a
// token that does not meet it gets 401 with
// WWW-Authenticate: Bearer error="insufficient_user_authentication" and the
// acr_values / max_age it needs.
func StartStepUp(t testing.TB, cfg Config, policy StepUpPolicy) *Server {
	return start(t, cfg, func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen := Seen{Method: r.Method, Path: r.URL.Path, HadBearer: bearer(r) != ""}
			claims, ref := s.verify(r.Context(), bearer(r), "")
			if ref == nil {
				ref = policy.check(claims)
			}
			w.Header().Set("Content-Type", "application/json")
			if ref != nil {
				seen.Outcome = orNoToken(ref.Code)
				s.record(seen)
				challenge := ref.Challenge()
				if ref.Code == stepUpError {
					challenge = policy.challenge(ref.Description)
				}
				w.Header().Set("WWW-Authenticate", challenge)
				w.WriteHeader(ref.Status)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": orNoToken(ref.Code), "error_description": ref.Description})
				return
			}
			seen.Outcome = "ok"
			s.record(seen)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "subject": claims.str("sub"), "acr": claims.str("acr"),
				"method": r.Method, "path": r.URL.Path})
		})
	})
}

const stepUpError = "insufficient_user_authentication"

func (p StepUpPolicy) check(c Claims) *Refusal {
	if len(p.ACRValues) > 0 && !slices.Contains(p.ACRValues, c.str("acr")) {
		return &Refusal{Status: http.StatusUnauthorized, Code: stepUpError, Description: "a higher authentication level is required"}
	}
	if p.MaxAge > 0 {
		at, ok := c["auth_time"].(float64)
		if !ok || time.Since(time.Unix(int64(at), 0)) > p.MaxAge {
			return &Refusal{Status: http.StatusUnauthorized, Code: stepUpError, Description: "a more recent authentication is required"}
		}
	}
	return nil
}

// challenge is the RFC 9470 §3 WWW-Authenticate value.
func (p StepUpPolicy) challenge(desc string) string {
	c := fmt.Sprintf(`Bearer error=%q, error_description=%q`, stepUpError, desc)
	if len(p.ACRValues) > 0 {
		acr := ""
		for i, v := range p.ACRValues {
			if i > 0 {
				acr += " "
			}
			acr += v
		}
		c += fmt.Sprintf(`, acr_values=%q`, acr)
	}
	if p.MaxAge > 0 {
		c += fmt.Sprintf(`, max_age=%d`, int(p.MaxAge/time.Second))
	}
	return c
}
