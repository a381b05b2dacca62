package testmgmt

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// app is a test IdP client as one API shows it.
type app struct {
	kind     idpadmin.Kind
	id       string // Entra object id, Okta app id, Keycloak client UUID
	clientID string
	name     string
	created  time.Time
	secrets  []*secret
	certs    []Certificate
}

// secret is one client secret; value is what the test IdP accepts while
// the secret is active (Okta INACTIVE secrets do not authenticate).
type secret struct {
	id          string // Entra keyId, Okta secret id ("ocs…"); Keycloak: unused
	value       string
	displayName string
	created     time.Time
	expires     time.Time // zero = none
	active      bool
	rotated     bool // Keycloak's previous secret under the rotation policy
}

func (s *Server) addApp(a App) error {
	values, err := s.idp.ClientSecrets(a.ClientID)
	if err != nil {
		return fmt.Errorf("app %q: %v", a.ClientID, err)
	}
	if len(values) == 0 {
		return fmt.Errorf("app %q has no secrets at the test IdP", a.ClientID)
	}
	ap := &app{kind: a.Kind, clientID: a.ClientID, name: a.Name, created: s.started.AddDate(0, -6, 0), certs: a.Certificates}
	if ap.name == "" {
		ap.name = a.ClientID
	}
	created := s.started.AddDate(0, 0, -30)
	expires := a.SecretExpires
	switch a.Kind {
	case idpadmin.Entra:
		ap.id = guid()
		if expires.IsZero() {
			expires = s.started.AddDate(0, 0, 180)
		}
	case idpadmin.Okta:
		ap.id = "0oa" + randomString(17)
		expires = time.Time{} // Okta secrets carry no expiry
	case idpadmin.Keycloak:
		ap.id = guid()
		if expires.IsZero() && s.kcExpiration > 0 {
			expires = created.Add(s.kcExpiration)
		}
		if len(values) > 1 && s.kcRotatedExpiration == 0 {
			return fmt.Errorf("keycloak app %q: more than one secret needs WithKeycloakRotation", a.ClientID)
		}
		values = values[:min(len(values), 2)]
	default:
		return fmt.Errorf("app %q: kind %q is not served here (RFC 7592 is the test IdP's own)", a.ClientID, a.Kind)
	}
	for i, v := range values {
		sec := &secret{value: v, created: created, expires: expires, active: true, displayName: "initial"}
		switch a.Kind {
		case idpadmin.Entra:
			sec.id = guid()
		case idpadmin.Okta:
			sec.id = "ocs" + randomString(17)
		case idpadmin.Keycloak:
			if i == 1 {
				sec.rotated, sec.expires = true, s.started.Add(s.kcRotatedExpiration)
			}
		}
		ap.secrets = append(ap.secrets, sec)
	}
	s.apps = append(s.apps, ap)
	return nil
}

// appsOf lists the apps of one API (under s.mu).
func (s *Server) appsOf(k idpadmin.Kind) []*app {
	var out []*app
	for _, a := range s.apps {
		if a.kind == k {
			out = append(out, a)
		}
	}
	return out
}

func (s *Server) appBy(k idpadmin.Kind, match func(*app) bool) *app {
	for _, a := range s.appsOf(k) {
		if match(a) {
			return a
		}
	}
	return nil
}

// accept makes the test IdP accept value for the app's client.
func (s *Server) accept(a *app, value string) error {
	return s.idp.SetClientSecrets(a.clientID, []string{value}, nil)
}

// refuse makes the test IdP refuse value.
func (s *Server) refuse(a *app, value string) error {
	return s.idp.SetClientSecrets(a.clientID, nil, []string{value})
}

// newSecretValue is a fresh secret; prefix imitates the IdP's format.
func newSecretValue(prefix string, n int) string { return prefix + randomString(n) }

// ---------------------------------------------------------------- management tokens

func bearer(r *http.Request) (scheme, token string) {
	scheme, token, _ = strings.Cut(r.Header.Get("Authorization"), " ")
	return scheme, strings.TrimSpace(token)
}

// verify checks a Bearer JWT from the test IdP for the management audience.
func (s *Server) verify(r *http.Request) (testapi.Claims, *testapi.Refusal) {
	scheme, token := bearer(r)
	if !strings.EqualFold(scheme, "Bearer") {
		token = ""
	}
	return s.verifier.Verify(r.Context(), token, "")
}

func strList(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case string:
		out = strings.Fields(v)
	}
	return out
}

func hasAny(have []string, want ...string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON reads a small JSON request body (an empty body is {}).
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	if err := dec.Decode(v); err != nil && err.Error() != "EOF" {
		return err
	}
	return nil
}

func isoTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
