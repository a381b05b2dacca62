package testmgmt

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// Keycloak admin REST API (realm {realm}), as documented:
// GET /admin/realms/{realm}/clients?clientId={clientId} (&first, &max) → [ClientRepresentation]
// GET /admin/realms/{realm}/clients/{id} → ClientRepresentation {id, clientId, name, secret, attributes}
// GET|POST /admin/realms/{realm}/clients/{id}/client-secret → CredentialRepresentation {type:"secret", value}
// GET|DELETE /admin/realms/{realm}/clients/{id}/client-secret/rotated (DELETE invalidates the rotated secret)
//   https://www.keycloak.org/docs-api/latest/rest-api/index.html#_clients
// client-secret-rotation executor: the previous secret stays valid as the "rotated" one; client
// attributes client.secret.creation.time, client.secret.expiration.time,
// client.secret.rotated.creation.time, client.secret.rotated.expiration.time (epoch seconds)
//   https://www.keycloak.org/docs/latest/server_admin/#_proc-secret-rotation
// roles: realm-management view-clients (read), manage-clients (change); refusals
// {"error":"HTTP 401 Unauthorized"}, {"error":"HTTP 403 Forbidden"}, 404 {"error":"Could not find client"}
//   https://www.keycloak.org/docs/latest/server_admin/#_fine_grain_permissions

func keycloakError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg})
}

func (s *Server) keycloak(w http.ResponseWriter, r *http.Request, path string) Op {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 0 || parts[0] != "clients" {
		keycloakError(w, http.StatusNotFound, "HTTP 404 Not Found")
		return ""
	}
	tail := strings.Join(parts[min(2, len(parts)):], "/")
	var op Op
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		op = OpList
		if r.URL.Query().Has("clientId") {
			op = OpFind
		}
	case len(parts) >= 2 && r.Method == http.MethodGet && (tail == "" || tail == "client-secret" || tail == "client-secret/rotated"):
		op = OpCredentials
	case len(parts) >= 2 && r.Method == http.MethodPost && tail == "client-secret":
		op = OpMint
	case len(parts) >= 2 && r.Method == http.MethodDelete && tail == "client-secret/rotated":
		op = OpRevoke
	default:
		keycloakError(w, http.StatusNotFound, "HTTP 404 Not Found")
		return ""
	}
	claims, refusal := s.verify(r)
	if refusal != nil {
		keycloakError(w, http.StatusUnauthorized, "HTTP 401 Unauthorized")
		return op
	}
	var roles []string
	if ra, ok := claims["resource_access"].(map[string]any); ok {
		if rm, ok := ra["realm-management"].(map[string]any); ok {
			roles = strList(rm["roles"])
		}
	}
	allowed := hasAny(roles, "manage-clients") || (r.Method == http.MethodGet && hasAny(roles, "view-clients"))
	if f := s.fault(r, idpadmin.Keycloak, op); f != nil || !allowed {
		if f == nil || f.Deny {
			keycloakError(w, http.StatusForbidden, "HTTP 403 Forbidden")
		} else {
			keycloakError(w, f.Status, "unknown_error")
		}
		return op
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireRotated()
	if op == OpList || op == OpFind {
		s.keycloakList(w, r)
		return op
	}
	a := s.appBy(idpadmin.Keycloak, func(a *app) bool { return a.id == parts[1] })
	if a == nil {
		keycloakError(w, http.StatusNotFound, "Could not find client")
		return op
	}
	cur, rot := a.keycloakSecrets()
	switch {
	case op == OpMint:
		s.keycloakRegenerate(w, a)
	case tail == "":
		writeJSON(w, http.StatusOK, keycloakClientJSON(a))
	case tail == "client-secret":
		writeJSON(w, http.StatusOK, map[string]any{"type": "secret", "value": cur.value})
	case rot == nil && op == OpCredentials:
		keycloakError(w, http.StatusNotFound, "Client does not have a rotated secret")
	case op == OpCredentials:
		writeJSON(w, http.StatusOK, map[string]any{"type": "secret", "value": rot.value})
	default: // DELETE rotated: nothing rotated is fine too
		if rot != nil {
			if s.refuse(a, rot.value) != nil {
				keycloakError(w, http.StatusInternalServerError, "unknown_error")
				return op
			}
			a.secrets = []*secret{cur}
		}
		w.WriteHeader(http.StatusNoContent)
	}
	return op
}

// keycloakSecrets: the current secret and the rotated one (nil if none).
func (a *app) keycloakSecrets() (cur, rot *secret) {
	for _, sec := range a.secrets {
		if sec.rotated {
			rot = sec
		} else {
			cur = sec
		}
	}
	return cur, rot
}

// expireRotated drops rotated secrets past their expiry (under s.mu).
func (s *Server) expireRotated() {
	now := time.Now()
	for _, a := range s.appsOf(idpadmin.Keycloak) {
		if cur, rot := a.keycloakSecrets(); rot != nil && !rot.expires.IsZero() && now.After(rot.expires) && s.refuse(a, rot.value) == nil {
			a.secrets = []*secret{cur}
		}
	}
}

func epoch(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func keycloakClientJSON(a *app) map[string]any {
	cur, rot := a.keycloakSecrets()
	attrs := map[string]any{"client.secret.creation.time": epoch(cur.created)}
	if !cur.expires.IsZero() {
		attrs["client.secret.expiration.time"] = epoch(cur.expires)
	}
	if rot != nil {
		attrs["client.secret.rotated.creation.time"] = epoch(rot.created)
		attrs["client.secret.rotated.expiration.time"] = epoch(rot.expires)
	}
	return map[string]any{
		"id": a.id, "clientId": a.clientID, "name": a.name, "enabled": true, "protocol": "openid-connect",
		"publicClient": false, "serviceAccountsEnabled": true, "clientAuthenticatorType": "client-secret",
		"secret": cur.value, "attributes": attrs,
	}
}

func (s *Server) keycloakList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var apps []*app
	for _, a := range s.appsOf(idpadmin.Keycloak) {
		if !q.Has("clientId") || a.clientID == q.Get("clientId") {
			apps = append(apps, a)
		}
	}
	first, _ := strconv.Atoi(q.Get("first"))
	first = min(max(first, 0), len(apps))
	n := 100 // Keycloak's default max
	if m, err := strconv.Atoi(q.Get("max")); err == nil && m > 0 {
		n = m
	}
	out := []any{}
	for _, a := range apps[first:min(first+n, len(apps))] {
		out = append(out, keycloakClientJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
}

// keycloakRegenerate: a new current secret; with the rotation policy the
// old one becomes the rotated secret (replacing an earlier rotated one),
// without it the old one stops working at once.
func (s *Server) keycloakRegenerate(w http.ResponseWriter, a *app) {
	now := time.Now().UTC().Truncate(time.Second)
	cur, rot := a.keycloakSecrets()
	sec := &secret{value: newSecretValue("", 32), created: now, active: true}
	if s.kcExpiration > 0 {
		sec.expires = now.Add(s.kcExpiration)
	}
	if err := s.accept(a, sec.value); err != nil {
		keycloakError(w, http.StatusInternalServerError, "unknown_error")
		return
	}
	var drop []string
	if rot != nil {
		drop = append(drop, rot.value)
	}
	next := []*secret{sec}
	if s.kcRotatedExpiration > 0 {
		cur.rotated, cur.expires = true, now.Add(s.kcRotatedExpiration)
		next = append(next, cur)
	} else {
		drop = append(drop, cur.value)
	}
	if err := s.idp.SetClientSecrets(a.clientID, nil, drop); err != nil {
		keycloakError(w, http.StatusInternalServerError, "unknown_error")
		return
	}
	a.secrets = next
	writeJSON(w, http.StatusOK, map[string]any{"type": "secret", "value": sec.value})
}
