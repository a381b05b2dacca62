// Package idp is the OAuth 2.0 / OpenID Connect protocol as functions over
// explicit inputs (the profile's settings, an *http.Client, the client
// authentication) that return a token or a *failure.Failure: discovery and
// the Entra ID endpoints, the client-credentials grant, refresh-token
// redemption and revocation (RFC 7009), and the RFC 8252 loopback server
// that receives a login's authorization response and the browser's return
// from an IdP logout (one server for both, refusing every socket that is
// not this user's). It reads no keyring and records nothing: oauthflow's
// service gathers the inputs and keeps the outcome.
package idp
