package idpadmin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// RFC 7592 client configuration management (BaseURL = the client's
// registration_client_uri, token = its registration access token):
// GET → the client's metadata with client_secret, client_secret_expires_at (0 = never),
// registration_access_token (possibly a new one); PUT the full metadata without
// registration_access_token, registration_client_uri, client_secret_expires_at and
// client_id_issued_at → the same, "the authorization server MAY issue a new client secret"
//   https://www.rfc-editor.org/rfc/rfc7592#section-2
// metadata and errors {"error","error_description"} (invalid_client_metadata …)
//   https://www.rfc-editor.org/rfc/rfc7591#section-3.2
// node oidc-provider 9 keeps the secret on a PUT (lib/actions/registration.js copies
// client_secret into the update) and rotates the registration access token on every PUT
// with rotateRegistrationAccessToken.
//   https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#featuresregistrationmanagement
//
// Key IDs: "sha256:" + a short fingerprint of the secret (RFC 7592 names no
// secret ID); the secret itself cannot be recovered from it.

type rfc7592 struct {
	*httpAPI
	mu  sync.Mutex
	rat string // the registration access token after a rotation
}

func (c *rfc7592) Kind() Kind { return RFC7592 }

// Limits: one secret per client; a new one replaces the old at once.
func (c *rfc7592) Limits() Limits { return Limits{MintReplacesOld: true} }

func rfc7591Err(status int, body []byte) *Error {
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) != nil || b.Error == "" {
		return nil
	}
	e := &Error{Code: b.Error, Message: sanitized(b.Description)}
	if status == http.StatusUnauthorized || b.Error == "invalid_token" {
		e.Advice = "the registration access token is not valid (an IdP that rotates it on every use has issued a newer one): register the client again or ask the IdP's admin for a new token"
	}
	return e
}

// SecretKeyID is the RFC 7592 key ID of a secret.
func SecretKeyID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:9])
}

// token is the rotated registration access token, if any, else the Conn's.
func (c *rfc7592) token(ctx context.Context) (string, string, error) {
	c.mu.Lock()
	rat := c.rat
	c.mu.Unlock()
	if rat != "" {
		return "Bearer", rat, nil
	}
	return c.conn.Token(ctx)
}

// exchange is one GET or PUT; a new registration access token in the
// answer is kept (SaveRegistrationToken) before anything else.
func (c *rfc7592) exchange(ctx context.Context, op, method string, in any) (map[string]json.RawMessage, error) {
	api := &httpAPI{conn: c.conn}
	api.conn.Token = c.token
	_, used, _ := c.token(ctx)
	var out map[string]json.RawMessage
	if _, err := api.call(ctx, op, method, "", in, &out, rfc7591Err); err != nil {
		return nil, err
	}
	var rat string
	_ = json.Unmarshal(out["registration_access_token"], &rat)
	if rat != "" && rat != used {
		c.mu.Lock()
		c.rat = rat
		c.mu.Unlock()
		if c.conn.SaveRegistrationToken == nil {
			return out, &Error{Op: op, Code: "token_not_saved",
				Message: "the IdP issued a new registration access token and there is no place to keep it: the old one no longer works"}
		}
		if err := c.conn.SaveRegistrationToken(ctx, rat); err != nil {
			return out, &Error{Op: op, Code: "token_not_saved", Err: err,
				Message: "the IdP issued a new registration access token that could not be kept (the old one no longer works): " + sanitized(redact(err.Error(), rat))}
		}
	}
	return out, nil
}

type rfc7592Client struct {
	ClientID     string `json:"client_id"`
	ClientName   string `json:"client_name"`
	ClientSecret string `json:"client_secret"`
	ExpiresAt    int64  `json:"client_secret_expires_at"`
}

func decodeClient(m map[string]json.RawMessage) rfc7592Client {
	var k rfc7592Client
	data, _ := json.Marshal(m)
	_ = json.Unmarshal(data, &k)
	return k
}

func (c *rfc7592) read(ctx context.Context, op string) (map[string]json.RawMessage, rfc7592Client, error) {
	m, err := c.exchange(ctx, op, http.MethodGet, nil)
	if err != nil {
		return nil, rfc7592Client{}, err
	}
	return m, decodeClient(m), nil
}

func (c *rfc7592) app(k rfc7592Client) App {
	name := k.ClientName
	if name == "" {
		name = k.ClientID
	}
	return App{ID: c.conn.BaseURL, ClientID: k.ClientID, Name: sanitized(name)}
}

func (c *rfc7592) FindApp(ctx context.Context, clientID string) (App, error) {
	_, k, err := c.read(ctx, "find")
	if err != nil {
		return App{}, err
	}
	if k.ClientID != clientID {
		return App{}, &Error{Op: "find", Code: CodeNotFound,
			Message: "the registration URI belongs to client " + sanitized(k.ClientID) + ", not " + sanitized(clientID),
			Advice:  "set the profile's registration client URI to its own client's"}
	}
	return c.app(k), nil
}

func (c *rfc7592) Apps(ctx context.Context) ([]App, error) {
	_, k, err := c.read(ctx, "list")
	if err != nil {
		return nil, err
	}
	return []App{c.app(k)}, nil
}

func (c *rfc7592) credential(a App, k rfc7592Client) Credential {
	cr := Credential{App: a, Kind: KindSecret, KeyID: SecretKeyID(k.ClientSecret), Status: StatusActive}
	if k.ExpiresAt > 0 {
		cr.Expires = time.Unix(k.ExpiresAt, 0).UTC()
		if time.Now().After(cr.Expires) {
			cr.Status = StatusInactive
		}
	}
	return cr
}

func (c *rfc7592) Credentials(ctx context.Context, a App) ([]Credential, error) {
	_, k, err := c.read(ctx, "credentials")
	if err != nil {
		return nil, err
	}
	if k.ClientSecret == "" {
		return nil, nil // a public or private_key_jwt client
	}
	return []Credential{c.credential(a, k)}, nil
}

func (c *rfc7592) Identify(ctx context.Context, a App, secret string) (string, error) {
	_, k, err := c.read(ctx, "identify")
	if err != nil {
		return "", err
	}
	if k.ClientSecret != "" && subtle.ConstantTimeCompare([]byte(k.ClientSecret), []byte(secret)) == 1 {
		return SecretKeyID(k.ClientSecret), nil
	}
	return oneMatch(nil, "")
}

// Mint PUTs the client's metadata without its secret, asking for a new
// one. An IdP that keeps the secret (oidc-provider) gives an *Error with
// Code CodeSecretKept. When the IdP issued a new secret but its new
// registration access token could not be kept, Mint returns the Minted
// secret AND the error: keep the secret, it is the only one that works.
func (c *rfc7592) Mint(ctx context.Context, a App, _ MintOptions) (Minted, error) {
	m, old, err := c.read(ctx, "mint")
	if err != nil {
		return Minted{}, err
	}
	for _, k := range []string{"registration_access_token", "registration_client_uri", "client_secret_expires_at", "client_id_issued_at", "client_secret"} {
		delete(m, k)
	}
	out, err := c.exchange(ctx, "mint", http.MethodPut, m)
	if out == nil {
		return Minted{}, err
	}
	k := decodeClient(out)
	if k.ClientSecret == "" || k.ClientSecret == old.ClientSecret {
		kept := &Error{Op: "mint", Code: CodeSecretKept,
			Message: "the IdP kept the client secret on the RFC 7592 update (it issues none on update; node oidc-provider does this)",
			Advice:  "rotate the secret in the IdP's console, or register a new client"}
		if err != nil {
			return Minted{}, err
		}
		return Minted{}, kept
	}
	return Minted{Value: k.ClientSecret, Credential: c.credential(a, k)}, err
}

// Revoke: the previous secret stopped working when the new one was
// issued, so any key ID but the current one is already gone. The current
// secret cannot be removed (DELETE would delete the whole registration).
func (c *rfc7592) Revoke(ctx context.Context, a App, keyID string) error {
	_, k, err := c.read(ctx, "revoke")
	if err != nil {
		return err
	}
	if k.ClientSecret != "" && keyID == SecretKeyID(k.ClientSecret) {
		return &Error{Op: "revoke", Code: CodeUnsupported,
			Message: "RFC 7592 cannot remove the client's current secret, only replace it (DELETE would remove the whole registration)"}
	}
	return nil
}
