// Package dpop is RFC 9449 (OAuth 2.0 Demonstrating Proof of Possession)
// without service state: the profile's key (generated, encoded for the
// keyring, its JWK thumbprint), proofs signed with go-jose, the nonces
// servers hand out (remembered per origin), and the round trippers that
// put proofs on token requests and on API calls and retry once when a
// server asks for a nonce.
package dpop
