package testmgmt

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// Microsoft Graph v1.0 applications, as documented:
// GET /applications(appId='{appId}') — alternate key
//   https://learn.microsoft.com/graph/api/application-get
// GET /applications — {value, @odata.nextLink}
//   https://learn.microsoft.com/graph/api/application-list
// POST /applications/{id}/addPassword {passwordCredential:{displayName, endDateTime}} → passwordCredential with secretText
//   https://learn.microsoft.com/graph/api/application-addpassword
// POST /applications/{id}/removePassword {keyId} → 204
//   https://learn.microsoft.com/graph/api/application-removepassword
// passwordCredential: keyId, displayName, hint (first 3 characters), startDateTime, endDateTime, secretText (only from addPassword)
//   https://learn.microsoft.com/graph/api/resources/passwordcredential
// keyCredential: keyId, displayName, type, usage, startDateTime, endDateTime, customKeyIdentifier (thumbprint)
//   https://learn.microsoft.com/graph/api/resources/keycredential
// errors: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}};
// 403 Authorization_RequestDenied "Insufficient privileges to complete the operation."
//   https://learn.microsoft.com/graph/errors
// application permissions (roles claim): Application.Read.All, Application.ReadWrite.OwnedBy, Application.ReadWrite.All
//   https://learn.microsoft.com/graph/permissions-reference

var graphByAppID = regexp.MustCompile(`^/applications\(appId='([^']*)'\)$`)

func graphError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"innerError": map[string]any{"date": time.Now().UTC().Format(time.RFC3339), "request-id": guid(), "client-request-id": guid()},
	}})
}

func graphDenied(w http.ResponseWriter) {
	graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}

func (s *Server) entra(w http.ResponseWriter, r *http.Request, path string) Op {
	op, write := OpCredentials, false
	var appPath, action string
	switch {
	case r.Method == http.MethodGet && path == "/applications":
		op = OpList
	case r.Method == http.MethodGet && graphByAppID.MatchString(path):
		op = OpFind
	case strings.HasPrefix(path, "/applications/"):
		appPath, action, _ = strings.Cut(strings.TrimPrefix(path, "/applications/"), "/")
		switch {
		case r.Method == http.MethodGet && action == "":
		case r.Method == http.MethodPost && action == "addPassword":
			op, write = OpMint, true
		case r.Method == http.MethodPost && action == "removePassword":
			op, write = OpRevoke, true
		default:
			graphError(w, http.StatusBadRequest, "Request_BadRequest", "Unsupported request.")
			return op
		}
	default:
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment.")
		return op
	}
	claims, refusal := s.verify(r)
	if refusal != nil {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. "+refusal.Description)
		return op
	}
	perms := append(strList(claims["roles"]), strList(claims["scp"])...)
	allowed := hasAny(perms, "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy")
	if !write {
		allowed = allowed || hasAny(perms, "Application.Read.All")
	}
	if f := s.fault(r, idpadmin.Entra, op); f != nil || !allowed {
		if f == nil || f.Deny {
			graphDenied(w)
		} else {
			graphError(w, f.Status, "serviceNotAvailable", "The service is temporarily unavailable.")
		}
		return op
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case OpList:
		s.graphList(w, r)
	case OpFind:
		id := graphByAppID.FindStringSubmatch(path)[1]
		s.graphApp(w, s.appBy(idpadmin.Entra, func(a *app) bool { return a.clientID == id }), "appId '"+id+"'")
	case OpCredentials:
		s.graphApp(w, s.appBy(idpadmin.Entra, func(a *app) bool { return a.id == appPath }), appPath)
	case OpMint:
		s.graphAddPassword(w, r, appPath)
	case OpRevoke:
		s.graphRemovePassword(w, r, appPath)
	}
	return op
}

func (s *Server) graphApp(w http.ResponseWriter, a *app, what string) {
	if a == nil {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound",
			"Resource '"+what+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	writeJSON(w, http.StatusOK, graphAppJSON(a))
}

func graphAppJSON(a *app) map[string]any {
	pw := []any{}
	for _, sec := range a.secrets {
		pw = append(pw, graphPassword(sec, false))
	}
	keys := []any{}
	for _, c := range a.certs {
		keys = append(keys, map[string]any{
			"customKeyIdentifier": nil, "displayName": c.DisplayName, "endDateTime": isoTime(c.Expires), "key": nil,
			"keyId": c.KeyID, "startDateTime": isoTime(c.Expires.AddDate(-1, 0, 0)), "type": "AsymmetricX509Cert", "usage": "Verify",
		})
	}
	return map[string]any{
		"id": a.id, "appId": a.clientID, "displayName": a.name, "createdDateTime": isoTime(a.created),
		"passwordCredentials": pw, "keyCredentials": keys,
	}
}

func graphPassword(sec *secret, withText bool) map[string]any {
	m := map[string]any{
		"customKeyIdentifier": nil, "displayName": sec.displayName, "endDateTime": isoTime(sec.expires),
		"hint": sec.value[:3], "keyId": sec.id, "secretText": nil, "startDateTime": isoTime(sec.created),
	}
	if withText {
		m["secretText"] = sec.value
	}
	return m
}

func (s *Server) graphList(w http.ResponseWriter, r *http.Request) {
	apps := s.appsOf(idpadmin.Entra)
	start, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	start = min(max(start, 0), len(apps))
	end := min(start+s.pageSize, len(apps))
	page := []any{}
	for _, a := range apps[start:end] {
		page = append(page, graphAppJSON(a))
	}
	out := map[string]any{"@odata.context": s.URL + "/graph/v1.0/$metadata#applications", "value": page}
	if end < len(apps) {
		out["@odata.nextLink"] = s.URL + "/graph/v1.0/applications?$skiptoken=" + strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) graphAddPassword(w http.ResponseWriter, r *http.Request, id string) {
	a := s.appBy(idpadmin.Entra, func(a *app) bool { return a.id == id })
	if a == nil {
		s.graphApp(w, nil, id)
		return
	}
	var body struct {
		PasswordCredential struct {
			DisplayName string    `json:"displayName"`
			EndDateTime time.Time `json:"endDateTime"`
		} `json:"passwordCredential"`
	}
	if err := readJSON(r, &body); err != nil {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid request body.")
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	sec := &secret{
		id: guid(), value: newSecretValue(randomString(3)+"8Q~", 37), displayName: body.PasswordCredential.DisplayName,
		created: now, expires: body.PasswordCredential.EndDateTime, active: true,
	}
	if sec.expires.IsZero() {
		sec.expires = now.AddDate(2, 0, 0) // Graph's default: two years
	}
	if err := s.accept(a, sec.value); err != nil {
		graphError(w, http.StatusInternalServerError, "generalException", "the test IdP did not take the secret")
		return
	}
	a.secrets = append(a.secrets, sec)
	writeJSON(w, http.StatusOK, graphPassword(sec, true))
}

func (s *Server) graphRemovePassword(w http.ResponseWriter, r *http.Request, id string) {
	a := s.appBy(idpadmin.Entra, func(a *app) bool { return a.id == id })
	if a == nil {
		s.graphApp(w, nil, id)
		return
	}
	var body struct {
		KeyID string `json:"keyId"`
	}
	if err := readJSON(r, &body); err != nil || body.KeyID == "" {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'keyId'.")
		return
	}
	for i, sec := range a.secrets {
		if sec.id == body.KeyID {
			if err := s.refuse(a, sec.value); err != nil {
				graphError(w, http.StatusInternalServerError, "generalException", "the test IdP did not drop the secret")
				return
			}
			a.secrets = append(a.secrets[:i], a.secrets[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	// Graph's answer for an unknown keyId is not documented; ours is a 400.
	graphError(w, http.StatusBadRequest, "Request_BadRequest", "No password credential found with keyId "+body.KeyID+".")
}
