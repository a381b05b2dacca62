package idpadmin

import "context"

type rfc7592 struct{ *httpAPI }

func (c *rfc7592) Kind() Kind { return RFC7592 }

func (c *rfc7592) Limits() Limits { return Limits{MaxSecrets: 1, MintReplacesOld: true} }

func (c *rfc7592) FindApp(ctx context.Context, clientID string) (App, error) {
	return App{}, &Error{Op: "find", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *rfc7592) Apps(ctx context.Context) ([]App, error) {
	return nil, &Error{Op: "list", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *rfc7592) Credentials(ctx context.Context, a App) ([]Credential, error) {
	return nil, &Error{Op: "credentials", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *rfc7592) Identify(ctx context.Context, a App, secret string) (string, error) {
	return "", &Error{Op: "identify", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *rfc7592) Mint(ctx context.Context, a App, o MintOptions) (Minted, error) {
	return Minted{}, &Error{Op: "mint", Code: CodeUnsupported, Message: "not yet implemented"}
}

func (c *rfc7592) Revoke(ctx context.Context, a App, keyID string) error {
	return &Error{Op: "revoke", Code: CodeUnsupported, Message: "not yet implemented"}
}
