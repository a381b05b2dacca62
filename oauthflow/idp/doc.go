// Package idp is the OAuth 2.0 / OpenID Connect protocol as seen from this
// computer: the RFC 8252 loopback server that receives a login's
// authorization response and the browser's return from an IdP logout (one
// server for both, refusing every socket that is not this user's), and the
// pages it shows in the browser. Its functions take explicit inputs (the
// profile's settings, an *http.Client) and return a token or a
// *failure.Failure; the service in oauthflow decides what is stored.
package idp
