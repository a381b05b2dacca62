// Package httpclient makes the one HTTP client of a profile: its proxy
// (with the proxy password from the keyring), CA bundle, TLS 1.2 or later,
// timeouts, IdP answers capped at failure.MaxResponse, and redirects
// followed on the same scheme and host only. Cache keeps the clients per
// profile revision and shares one transport among profiles with equal
// connection settings, so profiles of one IdP reuse connections. The token
// manager, discovery, logins and API calls all get their clients here.
package httpclient
