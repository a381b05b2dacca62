// Package mtls is the protocol side of mutual TLS (RFC 8705) that needs no
// service state: the discovery document's mtls_endpoint_aliases, the check
// of a certificate-bound access token's cnf.x5t#S256 against the profile's
// certificate, and our own words for what goes wrong (a TLS handshake
// without the certificate the server asked for, a certificate the IdP does
// not know, a bound token an API received without its certificate).
package mtls
