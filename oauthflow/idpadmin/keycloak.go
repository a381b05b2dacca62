package idpadmin

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Keycloak admin REST API (BaseURL = {origin}/admin/realms/{realm}), as documented:
// GET /clients?clientId={clientId} → [ClientRepresentation {id, clientId, name, secret, attributes}]
// GET /clients?first=&max= (no Link header: a short page is the last)
// GET|POST /clients/{id}/client-secret → CredentialRepresentation {type:"secret", value}
// GET|DELETE /clients/{id}/client-secret/rotated (404 when there is none)
//   https://www.keycloak.org/docs-api/latest/rest-api/index.html#_clients
// client-secret-rotation policy: the old secret stays valid as "rotated" until its expiry;
// attributes client.secret.creation.time, client.secret.expiration.time,
// client.secret.rotated.creation.time, client.secret.rotated.expiration.time (epoch seconds)
//   https://www.keycloak.org/docs/latest/server_admin/#_proc-secret-rotation
// rights: realm-management client roles view-clients (read) and manage-clients (change)
//   https://www.keycloak.org/docs/latest/server_admin/#_fine_grain_permissions
// errors: {"error":"HTTP 403 Forbidden"}, {"error":"Could not find client"}, OAuth {"error","error_description"}

// Key IDs of Keycloak's two secrets.
const (
	KeycloakCurrent = "current"
	KeycloakRotated = "rotated"
)

type keycloak struct {
	*httpAPI
	mu       sync.Mutex
	rotation bool // the client-secret-rotation policy was seen on an app
}

func (c *keycloak) Kind() Kind { return Keycloak }

// Limits: without the client-secret-rotation policy a new secret replaces
// the old at once. The policy is recognised (client.secret.expiration.time)
// once FindApp or Credentials has read an app.
func (c *keycloak) Limits() Limits {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Limits{MintReplacesOld: !c.rotation}
}

type keycloakClient struct {
	ID         string            `json:"id"`
	ClientID   string            `json:"clientId"`
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
}

func (k keycloakClient) app() App {
	name := k.Name
	if name == "" {
		name = k.ClientID
	}
	return App{ID: k.ID, ClientID: k.ClientID, Name: sanitized(name)}
}

func keycloakErr(status int, body []byte) *Error {
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"errorMessage"`
	}
	_ = json.Unmarshal(body, &b)
	msg := b.Description
	if msg == "" {
		msg = b.Message
	}
	e := &Error{Code: b.Error, Message: sanitized(msg)}
	if e.Code == "" && e.Message == "" {
		return nil
	}
	switch status {
	case http.StatusForbidden:
		e.Advice = "give the management service account the realm-management client roles manage-clients (and view-clients)"
	case http.StatusUnauthorized:
		e.Advice = "the management token must come from this realm (or master) and be current"
	case http.StatusNotFound:
		e.Message, e.Code = sanitized(b.Error+" "+msg), CodeNotFound
	}
	return e
}

func (c *keycloak) FindApp(ctx context.Context, clientID string) (App, error) {
	var list []keycloakClient
	if _, err := c.call(ctx, "find", http.MethodGet, "/clients?"+url.Values{"clientId": {clientID}}.Encode(), nil, &list, keycloakErr); err != nil {
		return App{}, err
	}
	for _, k := range list {
		if k.ClientID == clientID {
			c.notePolicy(k)
			return k.app(), nil
		}
	}
	return App{}, &Error{Op: "find", Code: CodeNotFound, Message: "the realm has no client " + sanitized(clientID),
		Advice: "check the client ID and the realm in the management URL"}
}

func (c *keycloak) notePolicy(k keycloakClient) {
	if k.Attributes["client.secret.expiration.time"] != "" || k.Attributes["client.secret.rotated.creation.time"] != "" {
		c.mu.Lock()
		c.rotation = true
		c.mu.Unlock()
	}
}

const keycloakPage = 100

func (c *keycloak) Apps(ctx context.Context) ([]App, error) {
	var out []App
	for first := 0; ; first += keycloakPage {
		if first/keycloakPage >= maxPages {
			return nil, &Error{Op: "list", Code: CodeBadAnswer, Message: "more than the pages we follow: the listing does not end"}
		}
		var page []keycloakClient
		q := url.Values{"first": {strconv.Itoa(first)}, "max": {strconv.Itoa(keycloakPage)}}
		if _, err := c.call(ctx, "list", http.MethodGet, "/clients?"+q.Encode(), nil, &page, keycloakErr); err != nil {
			return nil, err
		}
		for _, k := range page {
			out = append(out, k.app())
		}
		if len(page) < keycloakPage {
			return out, nil
		}
	}
}

func (c *keycloak) clientPath(a App) string { return "/clients/" + pathEscape(a.ID) }

// secretValue reads the current or rotated secret ("" and no error when
// there is no rotated secret).
func (c *keycloak) secretValue(ctx context.Context, op string, a App, rotated bool) (string, error) {
	p := c.clientPath(a) + "/client-secret"
	if rotated {
		p += "/rotated"
	}
	var cred struct {
		Value string `json:"value"`
	}
	_, err := c.call(ctx, op, http.MethodGet, p, nil, &cred, keycloakErr)
	if rotated && IsNotFound(err) {
		return "", nil
	}
	return cred.Value, err
}

func epochAttr(attrs map[string]string, key string) time.Time {
	n, err := strconv.ParseInt(attrs[key], 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func (c *keycloak) Credentials(ctx context.Context, a App) ([]Credential, error) {
	var k keycloakClient
	if _, err := c.call(ctx, "credentials", http.MethodGet, c.clientPath(a), nil, &k, keycloakErr); err != nil {
		return nil, err
	}
	c.notePolicy(k)
	now := time.Now()
	cur := Credential{App: a, Kind: KindSecret, KeyID: KeycloakCurrent, Status: StatusActive,
		Created: epochAttr(k.Attributes, "client.secret.creation.time"), Expires: epochAttr(k.Attributes, "client.secret.expiration.time")}
	if !cur.Expires.IsZero() && now.After(cur.Expires) {
		cur.Status = StatusInactive
	}
	out := []Credential{cur}
	rotated, err := c.secretValue(ctx, "credentials", a, true)
	if err != nil {
		return nil, err
	}
	if rotated != "" {
		out = append(out, Credential{App: a, Kind: KindSecret, KeyID: KeycloakRotated, Status: StatusRotated,
			Created: epochAttr(k.Attributes, "client.secret.rotated.creation.time"), Expires: epochAttr(k.Attributes, "client.secret.rotated.expiration.time")})
	}
	return out, nil
}

// Identify compares the secret with the current and the rotated one in
// constant time.
func (c *keycloak) Identify(ctx context.Context, a App, secret string) (string, error) {
	var match []string
	for _, rotated := range []bool{false, true} {
		v, err := c.secretValue(ctx, "identify", a, rotated)
		if err != nil {
			return "", err
		}
		if v != "" && subtle.ConstantTimeCompare([]byte(v), []byte(secret)) == 1 {
			match = append(match, map[bool]string{false: KeycloakCurrent, true: KeycloakRotated}[rotated])
		}
	}
	return oneMatch(match, "the current and the rotated secret are equal")
}

// Mint regenerates the secret: with the rotation policy the old one stays
// valid as "rotated", without it the old one stops working at once.
func (c *keycloak) Mint(ctx context.Context, a App, _ MintOptions) (Minted, error) {
	var cred struct {
		Value string `json:"value"`
	}
	if _, err := c.call(ctx, "mint", http.MethodPost, c.clientPath(a)+"/client-secret", nil, &cred, keycloakErr); err != nil {
		return Minted{}, err
	}
	if cred.Value == "" {
		return Minted{}, &Error{Op: "mint", Code: CodeBadAnswer,
			Message: "the answer has no secret value; the client's secret may have been regenerated: check it in the admin console"}
	}
	m := Minted{Value: cred.Value, Credential: Credential{App: a, Kind: KindSecret, KeyID: KeycloakCurrent, Status: StatusActive, Created: time.Now().UTC()}}
	if !c.Limits().MintReplacesOld {
		m.PreviousKeyID = KeycloakRotated
	}
	// The expiry (rotation policy) is only in the client's attributes.
	if creds, err := c.Credentials(ctx, a); err == nil && len(creds) > 0 {
		m.Created, m.Expires = creds[0].Created, creds[0].Expires
		m.PreviousKeyID = ""
		if len(creds) > 1 {
			m.PreviousKeyID = KeycloakRotated
		}
	}
	return m, nil
}

// Revoke invalidates the rotated secret; the current one cannot be
// removed, only replaced (Mint).
func (c *keycloak) Revoke(ctx context.Context, a App, keyID string) error {
	if keyID != KeycloakRotated {
		return &Error{Op: "revoke", Code: CodeUnsupported,
			Message: "Keycloak cannot remove a client's current secret, only replace it",
			Advice:  "regenerate the secret; with the client-secret-rotation policy the old one is then revoked as \"rotated\""}
	}
	_, err := c.call(ctx, "revoke", http.MethodDelete, c.clientPath(a)+"/client-secret/rotated", nil, nil, keycloakErr)
	if IsNotFound(err) {
		return nil
	}
	return err
}
