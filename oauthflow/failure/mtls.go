package failure

// AdviceMTLS is the check for a failure of mutual TLS (RFC 8705): a
// certificate the IdP or API does not take, or one that did not reach it.
const AdviceMTLS = "Check mutual TLS: the profile's certificate must be registered for this client at the IdP (self_signed_tls_client_auth: " +
	"the certificate itself; tls_client_auth: a CA the IdP trusts issued it, and its subject DN or SAN is registered), and nothing between " +
	"here and the IdP or API may end TLS (a TLS-terminating proxy drops the client certificate)."
