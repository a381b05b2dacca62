package idpadmin

import "context"

type okta struct{ *httpAPI }

func (c *okta) Kind() Kind { return Okta }

func (c *okta) Limits() Limits { return Limits{MaxSecrets: 2} }

func (c *okta) FindApp(ctx context.Context, clientID string) (App, error) {
	return App{}, &Error{Op: "find", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *okta) Apps(ctx context.Context) ([]App, error) {
	return nil, &Error{Op: "list", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *okta) Credentials(ctx context.Context, a App) ([]Credential, error) {
	return nil, &Error{Op: "credentials", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *okta) Identify(ctx context.Context, a App, secret string) (string, error) {
	return "", &Error{Op: "identify", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *okta) Mint(ctx context.Context, a App, o MintOptions) (Minted, error) {
	return Minted{}, &Error{Op: "mint", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *okta) Revoke(ctx context.Context, a App, keyID string) error {
	return &Error{Op: "revoke", Code: CodeUnsupported, Message: "not yet implemented"}
}
