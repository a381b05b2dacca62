package testmgmt

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// Okta management API, as documented:
// GET /api/v1/apps (?limit, ?after; Link: <…>; rel="next"), GET /api/v1/apps/{appId}
// app: id, name ("oidc_client"), label, status, created, credentials.oauthClient.client_id
//   https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/
// GET/POST /api/v1/apps/{appId}/credentials/secrets, POST …/secrets/{secretId}/lifecycle/deactivate|activate,
// DELETE …/secrets/{secretId} ("You can only delete an inactive Secret"); "You can create up to two
// Secret objects. An error is returned if you attempt to create more than two";
// secret: id ("ocs…"), status ACTIVE|INACTIVE, client_secret (in full only when created), secret_hash, created, lastUpdated
//   https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationSSOCredentialOAuth2ClientAuth/
// errors: {"errorCode","errorSummary","errorLink","errorId","errorCauses":[{"errorSummary"}]};
// E0000006 403 "You do not have permission to perform the requested action", E0000007 404 not found,
// E0000011 401 "Invalid token provided", E0000001 400 "Api validation failed"
//   https://developer.okta.com/docs/reference/error-codes/
// scopes of OAuth for Okta: okta.apps.read, okta.apps.manage; API tokens: "Authorization: SSWS {token}"
//   https://developer.okta.com/docs/guides/implement-oauth-for-okta/main/
// secret_hash: Okta documents only "client secret string hash" (22 characters in its
// examples); the harness uses base64url(SHA-256(secret)[:16]), idpadmin reads it the same way.

// OktaSecretHash is the harness's secret_hash of a secret.
func OktaSecretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func oktaError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	list := []any{}
	for _, c := range causes {
		list = append(list, map[string]any{"errorSummary": c})
	}
	writeJSON(w, status, map[string]any{
		"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae" + randomString(19), "errorCauses": list,
	})
}

func oktaDenied(w http.ResponseWriter) {
	oktaError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
}

func oktaNotFound(w http.ResponseWriter, id, what string) {
	oktaError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" ("+what+")")
}

func (s *Server) okta(w http.ResponseWriter, r *http.Request, path string) Op {
	rest, ok := strings.CutPrefix(path, "/api/v1/apps")
	if !ok {
		oktaNotFound(w, path, "Resource")
		return ""
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	var op Op
	switch {
	case rest == "" && r.Method == http.MethodGet:
		op = OpList
	case len(parts) == 1 && r.Method == http.MethodGet:
		op = OpFind
	case len(parts) == 3 && parts[1] == "credentials" && parts[2] == "secrets":
		op = OpCredentials
		if r.Method == http.MethodPost {
			op = OpMint
		}
	case len(parts) == 4 && r.Method == http.MethodDelete,
		len(parts) == 6 && r.Method == http.MethodPost && parts[4] == "lifecycle":
		op = OpRevoke
	default:
		oktaNotFound(w, path, "Resource")
		return ""
	}
	if !s.oktaAllowed(w, r) {
		return op
	}
	if f := s.fault(r, idpadmin.Okta, op); f != nil {
		if f.Deny {
			oktaDenied(w)
		} else {
			oktaError(w, f.Status, "E0000009", "Internal Server Error")
		}
		return op
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if op == OpList {
		s.oktaList(w, r)
		return op
	}
	a := s.appBy(idpadmin.Okta, func(a *app) bool { return a.id == parts[0] })
	if a == nil {
		oktaNotFound(w, parts[0], "AppInstance")
		return op
	}
	switch {
	case op == OpFind:
		writeJSON(w, http.StatusOK, oktaAppJSON(a))
	case op == OpCredentials:
		list := []any{}
		for _, sec := range a.secrets {
			list = append(list, oktaSecretJSON(sec, false))
		}
		writeJSON(w, http.StatusOK, list)
	case op == OpMint:
		s.oktaMint(w, a)
	default:
		s.oktaSecretChange(w, r, a, parts)
	}
	return op
}

// oktaAllowed checks an SSWS API token (all rights) or an OAuth token's
// scopes: okta.apps.read to read, okta.apps.manage to change.
func (s *Server) oktaAllowed(w http.ResponseWriter, r *http.Request) bool {
	if scheme, token := bearer(r); strings.EqualFold(scheme, "SSWS") {
		if token != s.OktaAPIToken || token == "" {
			oktaError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
			return false
		}
		return true
	}
	claims, refusal := s.verify(r)
	if refusal != nil {
		oktaError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return false
	}
	scopes := strList(claims["scope"])
	if hasAny(scopes, "okta.apps.manage") || (r.Method == http.MethodGet && hasAny(scopes, "okta.apps.read")) {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="IdpMyAccountAPI", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`)
	oktaDenied(w)
	return false
}

func oktaAppJSON(a *app) map[string]any {
	return map[string]any{
		"id": a.id, "name": "oidc_client", "label": a.name, "status": "ACTIVE", "signOnMode": "OPENID_CONNECT",
		"created": isoTime(a.created), "lastUpdated": isoTime(a.created),
		"credentials": map[string]any{"oauthClient": map[string]any{
			"client_id": a.clientID, "autoKeyRotation": true, "token_endpoint_auth_method": "client_secret_basic",
		}},
	}
}

func oktaSecretJSON(sec *secret, full bool) map[string]any {
	status, link := "ACTIVE", "deactivate"
	if !sec.active {
		status, link = "INACTIVE", "activate"
	}
	shown := sec.value[:6] + "......" + sec.value[len(sec.value)-6:]
	if full {
		shown = sec.value
	}
	links := map[string]any{link: map[string]any{"hints": map[string]any{"allow": []string{"POST"}}}}
	if !sec.active {
		links["delete"] = map[string]any{"hints": map[string]any{"allow": []string{"DELETE"}}}
	}
	return map[string]any{
		"id": sec.id, "status": status, "client_secret": shown, "secret_hash": OktaSecretHash(sec.value),
		"created": isoTime(sec.created), "lastUpdated": isoTime(sec.created), "_links": links,
	}
}

func (s *Server) oktaList(w http.ResponseWriter, r *http.Request) {
	apps := s.appsOf(idpadmin.Okta)
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		for i, a := range apps {
			if a.id == after {
				start = i + 1
			}
		}
	}
	limit := s.pageSize
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
		limit = min(n, s.pageSize)
	}
	end := min(start+limit, len(apps))
	page := []any{}
	for _, a := range apps[start:end] {
		page = append(page, oktaAppJSON(a))
	}
	self := s.URL + "/okta/api/v1/apps"
	link := "<" + self + ">; rel=\"self\""
	if end < len(apps) {
		link += ", <" + self + "?after=" + apps[end-1].id + "&limit=" + strconv.Itoa(limit) + ">; rel=\"next\""
	}
	w.Header().Set("Link", link)
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) oktaMint(w http.ResponseWriter, a *app) {
	if len(a.secrets) >= 2 {
		// Okta documents that an error is returned; the texts are ours.
		oktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: client_secret",
			"client_secret: You can create up to two client secrets. Deactivate and delete one first.")
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	sec := &secret{id: "ocs" + randomString(17), value: newSecretValue("", 64), created: now, active: true}
	if err := s.accept(a, sec.value); err != nil {
		oktaError(w, http.StatusInternalServerError, "E0000009", "Internal Server Error")
		return
	}
	a.secrets = append(a.secrets, sec)
	writeJSON(w, http.StatusCreated, oktaSecretJSON(sec, true))
}

// oktaSecretChange: lifecycle/activate|deactivate and DELETE.
func (s *Server) oktaSecretChange(w http.ResponseWriter, r *http.Request, a *app, parts []string) {
	for i, sec := range a.secrets {
		if sec.id != parts[3] {
			continue
		}
		switch {
		case r.Method == http.MethodDelete && sec.active:
			oktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: secret",
				"You can only delete an inactive Secret.")
		case r.Method == http.MethodDelete:
			a.secrets = append(a.secrets[:i], a.secrets[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
		case parts[5] == "deactivate" && sec.active && a.activeSecrets() == 1:
			// Not documented word for word: an app keeps one active secret.
			oktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: secret",
				"You can't deactivate the only active client secret.")
		case parts[5] == "deactivate":
			if sec.active && s.refuse(a, sec.value) == nil {
				sec.active = false
			}
			writeJSON(w, http.StatusOK, oktaSecretJSON(sec, false))
		case parts[5] == "activate":
			if !sec.active && s.accept(a, sec.value) == nil {
				sec.active = true
			}
			writeJSON(w, http.StatusOK, oktaSecretJSON(sec, false))
		default:
			oktaNotFound(w, parts[5], "Resource")
		}
		return
	}
	oktaNotFound(w, parts[3], "ClientSecret")
}

func (a *app) activeSecrets() int {
	n := 0
	for _, sec := range a.secrets {
		if sec.active {
			n++
		}
	}
	return n
}
