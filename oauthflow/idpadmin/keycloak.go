package idpadmin

import "context"

type keycloak struct{ *httpAPI }

func (c *keycloak) Kind() Kind { return Keycloak }

func (c *keycloak) Limits() Limits { return Limits{} }

func (c *keycloak) FindApp(ctx context.Context, clientID string) (App, error) {
	return App{}, &Error{Op: "find", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *keycloak) Apps(ctx context.Context) ([]App, error) {
	return nil, &Error{Op: "list", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *keycloak) Credentials(ctx context.Context, a App) ([]Credential, error) {
	return nil, &Error{Op: "credentials", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *keycloak) Identify(ctx context.Context, a App, secret string) (string, error) {
	return "", &Error{Op: "identify", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *keycloak) Mint(ctx context.Context, a App, o MintOptions) (Minted, error) {
	return Minted{}, &Error{Op: "mint", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *keycloak) Revoke(ctx context.Context, a App, keyID string) error {
	return &Error{Op: "revoke", Code: CodeUnsupported, Message: "not yet implemented"}
}
