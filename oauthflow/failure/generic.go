package failure

// Answers that several IdPs give in the same words, whichever product it is:
// matched after the Entra, Okta and Keycloak tables.
const srcAssertionKey = "RFC 7523 §3 (the IdP verifies the assertion with a key registered for the client); " +
	"wording seen in answers such as 400 invalid_request \"signing key with kid '…' could not be found\""

var genericTable = []idpRow{
	{Contains: []string{"signing key with kid", "no matching key", "unknown kid", "kid not found", "no key found for kid", "unable to find a signing key", "key with kid"},
		Category: CatCredentials,
		Cause:    "the IdP does not know this certificate: the client assertion's signing key (kid / thumbprint) is not registered for the client",
		Fix:      "register the certificate's public key or JWK for this client at the IdP (credctl certificate new prints the JWK; the details pane shows thumbprint and kid), or re-import the certificate that is registered",
		Source:   srcAssertionKey},
}
