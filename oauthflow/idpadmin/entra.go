package idpadmin

import "context"

type entra struct{ *httpAPI }

func (c *entra) Kind() Kind { return Entra }

func (c *entra) Limits() Limits { return Limits{} }

func (c *entra) FindApp(ctx context.Context, clientID string) (App, error) {
	return App{}, &Error{Op: "find", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *entra) Apps(ctx context.Context) ([]App, error) {
	return nil, &Error{Op: "list", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *entra) Credentials(ctx context.Context, a App) ([]Credential, error) {
	return nil, &Error{Op: "credentials", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *entra) Identify(ctx context.Context, a App, secret string) (string, error) {
	return "", &Error{Op: "identify", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *entra) Mint(ctx context.Context, a App, o MintOptions) (Minted, error) {
	return Minted{}, &Error{Op: "mint", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *entra) Revoke(ctx context.Context, a App, keyID string) error {
	return &Error{Op: "revoke", Code: CodeUnsupported, Message: "not yet implemented"}
}
