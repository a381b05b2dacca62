package testapi

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Kube is a running Kubernetes API stub.
type Kube struct {
	*Server
	CAFile string // PEM of the certificate its https URL presents
}

// StartKube runs a stub of the Kubernetes API server over https (kubectl
// runs exec credential plugins only for TLS servers): it verifies the
// bearer token like the other services and answers, as the API server
// does, GET /version and GET /api/v1/namespaces (two namespaces); a
// refusal is 401 with a Status object.
func StartKube(t testing.TB, cfg Config) *Kube {
	t.Helper()
	if cfg.TenantClaim == "" {
		cfg.TenantClaim = "TenantID"
	}
	s := &Server{cfg: cfg}
	ts := httptest.NewUnstartedServer(kubeHandler(s))
	ts.StartTLS()
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	if s.cfg.Audience == "" {
		s.cfg.Audience = s.URL
	}
	ctx := context.Background()
	if cfg.Client != nil {
		ctx = oidc.ClientContext(ctx, cfg.Client)
	}
	s.keys = oidc.NewRemoteKeySet(ctx, cfg.JWKSURL)
	ca := filepath.Join(t.TempDir(), "kube-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Kube{Server: s, CAFile: ca}
}

func kubeHandler(s *Server) http.Handler {
	{
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen := Seen{Method: r.Method, Path: r.URL.Path, HadBearer: bearer(r) != ""}
			_, ref := s.verify(r.Context(), bearer(r), "")
			w.Header().Set("Content-Type", "application/json")
			if ref != nil {
				seen.Outcome = orNoToken(ref.Code)
				s.record(seen)
				w.WriteHeader(http.StatusUnauthorized)
				_ = json.NewEncoder(w).Encode(kubeStatus(http.StatusUnauthorized, "Unauthorized", "Unauthorized"))
				return
			}
			seen.Outcome = "ok"
			s.record(seen)
			switch r.URL.Path {
			case "/version":
				_ = json.NewEncoder(w).Encode(map[string]string{"major": "1", "minor": "20", "gitVersion": "v1.20.0-testapi",
					"gitCommit": "0000000", "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
					"goVersion": "go1.27", "compiler": "gc", "platform": "linux/amd64"})
			case "/api/v1/namespaces":
				items := []map[string]any{}
				for _, n := range []string{"default", "team-a"} {
					items = append(items, map[string]any{"metadata": map[string]any{"name": n}, "status": map[string]any{"phase": "Active"}})
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"kind": "NamespaceList", "apiVersion": "v1", "metadata": map[string]any{}, "items": items})
			default:
				w.WriteHeader(http.StatusNotFound)
				_ = json.NewEncoder(w).Encode(kubeStatus(http.StatusNotFound, "NotFound", "the server could not find the requested resource"))
			}
		})
	}
}

func kubeStatus(code int, reason, msg string) map[string]any {
	return map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": msg, "reason": reason, "code": code}
}
