package idpadmin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Microsoft Graph v1.0, as documented:
// GET /applications(appId='{appId}') → application {id, appId, displayName, passwordCredentials, keyCredentials}
//   https://learn.microsoft.com/graph/api/application-get
// GET /applications → {value:[application], @odata.nextLink}
//   https://learn.microsoft.com/graph/api/application-list , https://learn.microsoft.com/graph/paging
// POST /applications/{id}/addPassword {passwordCredential:{displayName, endDateTime}} → passwordCredential + secretText
//   https://learn.microsoft.com/graph/api/application-addpassword
// POST /applications/{id}/removePassword {keyId} → 204
//   https://learn.microsoft.com/graph/api/application-removepassword
// passwordCredential {keyId, displayName, hint (first 3 characters), startDateTime, endDateTime, secretText}
//   https://learn.microsoft.com/graph/api/resources/passwordcredential
// keyCredential {keyId, displayName, type, usage, startDateTime, endDateTime}
//   https://learn.microsoft.com/graph/api/resources/keycredential
// errors {"error":{"code","message"}}: Authorization_RequestDenied (403), Request_ResourceNotFound (404)
//   https://learn.microsoft.com/graph/errors
// permissions: Application.ReadWrite.OwnedBy (the app's owner) or Application.ReadWrite.All, admin-consented
//   https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby

type entra struct{ *httpAPI }

func (c *entra) Kind() Kind { return Entra }

// Limits: Graph has no small limit on password credentials.
func (c *entra) Limits() Limits { return Limits{} }

type graphApp struct {
	ID                  string          `json:"id"`
	AppID               string          `json:"appId"`
	DisplayName         string          `json:"displayName"`
	PasswordCredentials []graphPassword `json:"passwordCredentials"`
	KeyCredentials      []graphKey      `json:"keyCredentials"`
}

type graphPassword struct {
	KeyID         string     `json:"keyId"`
	DisplayName   string     `json:"displayName"`
	Hint          string     `json:"hint"`
	StartDateTime *time.Time `json:"startDateTime"`
	EndDateTime   *time.Time `json:"endDateTime"`
	SecretText    string     `json:"secretText"`
}

type graphKey struct {
	KeyID         string     `json:"keyId"`
	DisplayName   string     `json:"displayName"`
	Type          string     `json:"type"`
	StartDateTime *time.Time `json:"startDateTime"`
	EndDateTime   *time.Time `json:"endDateTime"`
}

func graphErr(_ int, body []byte) *Error {
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	e := &Error{Code: b.Error.Code, Message: sanitized(b.Error.Message)}
	switch b.Error.Code {
	case "Authorization_RequestDenied", "Forbidden", "accessDenied":
		e.Advice = "grant the management app the Microsoft Graph application permission Application.ReadWrite.OwnedBy (and make it an owner of this app) or Application.ReadWrite.All, then grant admin consent"
	case "InvalidAuthenticationToken":
		e.Advice = "the management profile's token must be for Microsoft Graph: scope https://graph.microsoft.com/.default"
	case "Request_ResourceNotFound":
		e.Code, e.Message = CodeNotFound, "no such application in this tenant (or not visible to the management app): "+e.Message
		e.Advice = "check the client ID and that the management app can see this app (with .OwnedBy it must be an owner)"
	}
	return e
}

func (a graphApp) app() App { return App{ID: a.ID, ClientID: a.AppID, Name: sanitized(a.DisplayName)} }

func (c *entra) FindApp(ctx context.Context, clientID string) (App, error) {
	var out graphApp
	u := "/applications(appId='" + url.PathEscape(strings.ReplaceAll(clientID, "'", "''")) + "')"
	if _, err := c.call(ctx, "find", http.MethodGet, u, nil, &out, graphErr); err != nil {
		return App{}, err
	}
	if out.ID == "" {
		return App{}, &Error{Op: "find", Code: CodeBadAnswer, Message: "the application has no id"}
	}
	return out.app(), nil
}

// list follows @odata.nextLink (on the same origin only).
func (c *entra) list(ctx context.Context) ([]graphApp, error) {
	var all []graphApp
	next := "/applications?$select=id,appId,displayName,passwordCredentials,keyCredentials"
	for pages := 0; next != ""; pages++ {
		if pages >= maxPages {
			return nil, &Error{Op: "list", Code: CodeBadAnswer, Message: "more than the pages we follow: the listing does not end"}
		}
		var page struct {
			Value    []graphApp `json:"value"`
			NextLink string     `json:"@odata.nextLink"`
		}
		if _, err := c.call(ctx, "list", http.MethodGet, next, nil, &page, graphErr); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		next = page.NextLink
		if next != "" && !sameOrigin(c.conn.BaseURL, next) {
			return nil, &Error{Op: "list", Code: CodeBadAnswer, Message: "the next page is on another host; not followed"}
		}
	}
	return all, nil
}

func (c *entra) Apps(ctx context.Context) ([]App, error) {
	list, err := c.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]App, 0, len(list))
	for _, a := range list {
		out = append(out, a.app())
	}
	return out, nil
}

func (c *entra) get(ctx context.Context, a App) (graphApp, error) {
	var out graphApp
	_, err := c.call(ctx, "credentials", http.MethodGet, "/applications/"+pathEscape(a.ID), nil, &out, graphErr)
	return out, err
}

func (c *entra) Credentials(ctx context.Context, a App) ([]Credential, error) {
	g, err := c.get(ctx, a)
	if err != nil {
		return nil, err
	}
	return graphCredentials(a, g, time.Now()), nil
}

func graphCredentials(a App, g graphApp, now time.Time) []Credential {
	var out []Credential
	for _, p := range g.PasswordCredentials {
		out = append(out, Credential{
			App: a, Kind: KindSecret, KeyID: p.KeyID, Hint: sanitized(p.Hint), DisplayName: sanitized(p.DisplayName),
			Status: activeUntil(p.EndDateTime, now), Created: timeOf(p.StartDateTime), Expires: timeOf(p.EndDateTime),
		})
	}
	for _, k := range g.KeyCredentials {
		out = append(out, Credential{
			App: a, Kind: KindCertificate, KeyID: k.KeyID, DisplayName: sanitized(k.DisplayName),
			Status: activeUntil(k.EndDateTime, now), Created: timeOf(k.StartDateTime), Expires: timeOf(k.EndDateTime),
		})
	}
	return out
}

// Identify: Graph shows the first three characters of each secret (hint);
// the secret is the one active credential with its hint.
func (c *entra) Identify(ctx context.Context, a App, secret string) (string, error) {
	g, err := c.get(ctx, a)
	if err != nil {
		return "", withOp(err, "identify")
	}
	if len(secret) < 3 {
		return "", &Error{Op: "identify", Code: CodeUnidentified, Message: "the secret is too short to be an Entra secret"}
	}
	var match []string
	for _, cr := range graphCredentials(a, g, time.Now()) {
		if cr.Kind == KindSecret && cr.Status == StatusActive && cr.Hint == secret[:3] {
			match = append(match, cr.KeyID)
		}
	}
	return oneMatch(match, "Entra shows only the first 3 characters of each secret")
}

func (c *entra) Mint(ctx context.Context, a App, o MintOptions) (Minted, error) {
	pc := map[string]any{}
	if o.DisplayName != "" {
		pc["displayName"] = o.DisplayName
	}
	if !o.Expires.IsZero() {
		pc["endDateTime"] = o.Expires.UTC().Format(time.RFC3339)
	}
	var out graphPassword
	if _, err := c.call(ctx, "mint", http.MethodPost, "/applications/"+pathEscape(a.ID)+"/addPassword",
		map[string]any{"passwordCredential": pc}, &out, graphErr); err != nil {
		return Minted{}, err
	}
	if out.SecretText == "" || out.KeyID == "" {
		return Minted{}, &Error{Op: "mint", Code: CodeBadAnswer,
			Message: "the answer has no secretText or keyId; a secret may have been created: check the app's Certificates & secrets"}
	}
	return Minted{Value: out.SecretText, Credential: Credential{
		App: a, Kind: KindSecret, KeyID: out.KeyID, Hint: sanitized(out.Hint), DisplayName: sanitized(out.DisplayName),
		Status: StatusActive, Created: timeOf(out.StartDateTime), Expires: timeOf(out.EndDateTime),
	}}, nil
}

func (c *entra) Revoke(ctx context.Context, a App, keyID string) error {
	_, err := c.call(ctx, "revoke", http.MethodPost, "/applications/"+pathEscape(a.ID)+"/removePassword",
		map[string]any{"keyId": keyID}, nil, graphErr)
	return goneIsDone(ctx, err, c, a, keyID)
}
