package idpadmin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Okta management API, as documented:
// GET /api/v1/apps/{appId}; GET /api/v1/apps (?limit; Link: <…>; rel="next")
// app {id, label, credentials.oauthClient.client_id}; for OIDC apps the app id is usually the client_id
//   https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/
// GET|POST /api/v1/apps/{appId}/credentials/secrets, POST …/secrets/{secretId}/lifecycle/deactivate,
// DELETE …/secrets/{secretId} (only an inactive secret); at most two secrets per app;
// secret {id, status ACTIVE|INACTIVE, client_secret (in full only when created), secret_hash, created}
//   https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationSSOCredentialOAuth2ClientAuth/
// errors {"errorCode","errorSummary","errorCauses":[{"errorSummary"}]}: E0000006 403 no permission,
// E0000007 404 not found, E0000011 401 invalid token, E0000001 400 validation failed
//   https://developer.okta.com/docs/reference/error-codes/
// scopes: okta.apps.read, okta.apps.manage (OAuth for Okta); API token: "SSWS {token}"
//   https://developer.okta.com/docs/guides/implement-oauth-for-okta/main/
// secret_hash is documented only as the "client secret string hash"; we read
// it as base64url(SHA-256(secret)[:16]) (22 characters, as in Okta's examples)
// and also compare an unmasked client_secret.

type okta struct{ *httpAPI }

func (c *okta) Kind() Kind { return Okta }

// Limits: Okta allows two secrets per app.
func (c *okta) Limits() Limits { return Limits{MaxSecrets: 2} }

type oktaApp struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Credentials struct {
		OAuthClient struct {
			ClientID string `json:"client_id"`
		} `json:"oauthClient"`
	} `json:"credentials"`
}

func (a oktaApp) app() App {
	return App{ID: a.ID, ClientID: a.Credentials.OAuthClient.ClientID, Name: sanitized(a.Label)}
}

type oktaSecret struct {
	ID           string     `json:"id"`
	Status       string     `json:"status"`
	ClientSecret string     `json:"client_secret"`
	SecretHash   string     `json:"secret_hash"`
	Created      *time.Time `json:"created"`
}

func oktaErr(_ int, body []byte) *Error {
	var b struct {
		Code    string `json:"errorCode"`
		Summary string `json:"errorSummary"`
		Causes  []struct {
			Summary string `json:"errorSummary"`
		} `json:"errorCauses"`
	}
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	msg := b.Summary
	for _, c := range b.Causes {
		msg += "; " + c.Summary
	}
	e := &Error{Code: b.Code, Message: sanitized(msg)}
	switch b.Code {
	case "E0000006":
		e.Advice = "the management token needs the scopes okta.apps.read and okta.apps.manage (grant them to the service app under Okta API Scopes) and an admin role that covers this app; an SSWS API token needs an admin with app rights"
	case "E0000011":
		e.Advice = "the management token is not valid for the Okta API: use the org authorization server (https://{yourOktaDomain}/oauth2/v1/token) or a current SSWS API token"
	case "E0000007":
		e.Code = CodeNotFound
	}
	return e
}

func (c *okta) FindApp(ctx context.Context, clientID string) (App, error) {
	// OIDC apps' id is usually their client_id: try that, then search the list.
	var a oktaApp
	_, err := c.call(ctx, "find", http.MethodGet, "/api/v1/apps/"+pathEscape(clientID), nil, &a, oktaErr)
	if err == nil && a.Credentials.OAuthClient.ClientID == clientID {
		return a.app(), nil
	}
	if err != nil && !IsNotFound(err) {
		return App{}, err
	}
	apps, err := c.Apps(ctx)
	if err != nil {
		return App{}, withOp(err, "find")
	}
	for _, a := range apps {
		if a.ClientID == clientID {
			return a, nil
		}
	}
	return App{}, &Error{Op: "find", Code: CodeNotFound, Message: "no Okta app has the client ID " + sanitized(clientID),
		Advice: "check the client ID and that the management token's admin role covers this app"}
}

func (c *okta) Apps(ctx context.Context) ([]App, error) {
	var out []App
	next := "/api/v1/apps?limit=200"
	for pages := 0; next != ""; pages++ {
		if pages >= maxPages {
			return nil, &Error{Op: "list", Code: CodeBadAnswer, Message: "more than the pages we follow: the listing does not end"}
		}
		var page []oktaApp
		h, err := c.call(ctx, "list", http.MethodGet, next, nil, &page, oktaErr)
		if err != nil {
			return nil, err
		}
		for _, a := range page {
			if a.Credentials.OAuthClient.ClientID != "" { // OAuth apps only
				out = append(out, a.app())
			}
		}
		next = nextLink(h)
		if next != "" && !sameOrigin(c.conn.BaseURL, next) {
			return nil, &Error{Op: "list", Code: CodeBadAnswer, Message: "the next page is on another host; not followed"}
		}
	}
	return out, nil
}

// nextLink is the rel="next" URL of a Link header (RFC 8288), "" if none.
func nextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && strings.Trim(val, `"`) == "next" {
					return strings.Trim(target, "<>")
				}
			}
		}
	}
	return ""
}

func (c *okta) secretsPath(a App) string {
	return "/api/v1/apps/" + pathEscape(a.ID) + "/credentials/secrets"
}

func (c *okta) secrets(ctx context.Context, a App) ([]oktaSecret, error) {
	var list []oktaSecret
	_, err := c.call(ctx, "credentials", http.MethodGet, c.secretsPath(a), nil, &list, oktaErr)
	return list, err
}

func (s oktaSecret) credential(a App) Credential {
	status := StatusActive
	if !strings.EqualFold(s.Status, "ACTIVE") {
		status = StatusInactive
	}
	hint := ""
	if len(s.SecretHash) >= 6 {
		hint = sanitized(s.SecretHash[:6])
	}
	return Credential{App: a, Kind: KindSecret, KeyID: s.ID, Hint: hint, Status: status, Created: timeOf(s.Created)}
}

func (c *okta) Credentials(ctx context.Context, a App) ([]Credential, error) {
	list, err := c.secrets(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]Credential, 0, len(list))
	for _, s := range list {
		out = append(out, s.credential(a))
	}
	return out, nil
}

// OktaSecretHash is how we read Okta's secret_hash (see the file comment).
func OktaSecretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func (c *okta) Identify(ctx context.Context, a App, secret string) (string, error) {
	list, err := c.secrets(ctx, a)
	if err != nil {
		return "", withOp(err, "identify")
	}
	hash := OktaSecretHash(secret)
	var match []string
	for _, s := range list {
		byHash := s.SecretHash != "" && subtle.ConstantTimeCompare([]byte(s.SecretHash), []byte(hash)) == 1
		byValue := s.ClientSecret != "" && subtle.ConstantTimeCompare([]byte(s.ClientSecret), []byte(secret)) == 1
		if byHash || byValue {
			match = append(match, s.ID)
		}
	}
	return oneMatch(match, "the same secret twice")
}

func (c *okta) Mint(ctx context.Context, a App, _ MintOptions) (Minted, error) {
	var s oktaSecret
	if _, err := c.call(ctx, "mint", http.MethodPost, c.secretsPath(a), map[string]any{}, &s, oktaErr); err != nil {
		var e *Error
		if asError(err, &e) && e.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Message), "secret") {
			e.Code, e.Advice = CodeLimit, "Okta allows two secrets per app: deactivate and delete the unused one first"
		}
		return Minted{}, err
	}
	if s.ID == "" || s.ClientSecret == "" {
		return Minted{}, &Error{Op: "mint", Code: CodeBadAnswer,
			Message: "the answer has no secret id or client_secret; a secret may have been created: check the app's Client Credentials"}
	}
	return Minted{Value: s.ClientSecret, Credential: s.credential(a)}, nil
}

// Revoke deactivates, then deletes (Okta deletes only inactive secrets).
// A secret already inactive (an earlier revocation stopped after the
// deactivation) is only deleted; one not listed is already gone.
func (c *okta) Revoke(ctx context.Context, a App, keyID string) error {
	list, err := c.secrets(ctx, a)
	if err != nil {
		if IsNotFound(err) {
			return nil
		}
		return withOp(err, "revoke")
	}
	var found *oktaSecret
	for i := range list {
		if list[i].ID == keyID {
			found = &list[i]
		}
	}
	if found == nil {
		return nil
	}
	p := c.secretsPath(a) + "/" + pathEscape(keyID)
	if strings.EqualFold(found.Status, "ACTIVE") {
		if _, err := c.call(ctx, "revoke", http.MethodPost, p+"/lifecycle/deactivate", nil, nil, oktaErr); err != nil {
			return goneIsDone(ctx, err, c, a, keyID)
		}
	}
	_, err = c.call(ctx, "revoke", http.MethodDelete, p, nil, nil, oktaErr)
	if err != nil && !IsNotFound(err) {
		var e *Error
		if asError(err, &e) {
			e.Message = "the secret is deactivated (it no longer works) but was not deleted: " + e.Message
		}
		return err
	}
	return nil
}
