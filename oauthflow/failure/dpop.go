package failure

// DPoP (RFC 9449) answers of a token endpoint, whichever IdP sends them:
// matched before the IdP-specific tables (their wording is the spec's or
// the products' own, and specific to DPoP).
const srcDPoP = "RFC 9449 §5.1 (invalid_dpop_proof), §8 (use_dpop_nonce); oidc-provider and Keycloak wording " +
	"\"DPoP proof JWT not provided\", \"DPoP proof is missing\""

var dpopTable = []idpRow{
	{Error: "use_dpop_nonce", Category: CatConfig,
		Cause: "the IdP demanded a DPoP nonce again after the request was retried with the nonce it had just sent (a nonce loop)",
		Fix: "the IdP does not accept its own nonces: its servers may not share one nonce secret (a cluster behind a load balancer) " +
			"or its nonces expire at once; ask the IdP's administrator",
		Source: srcDPoP},
	{Contains: []string{"dpop proof jwt not provided", "dpop proof is missing", "missing dpop proof", "dpop proof required", "dpop proof jwt header is missing"},
		Category: CatConfig,
		Cause:    "the client is set up at the IdP for DPoP-bound tokens, but this profile sends no DPoP proof",
		Fix:      "turn on DPoP for the profile (credctl edit NAME --dpop, or the form's DPoP box)",
		Source:   srcDPoP},
	{Error: "invalid_dpop_proof", Category: CatConfig,
		Cause: "the IdP refused the DPoP proof this request carried",
		Fix: "check this machine's clock (a proof's iat must be recent), that the IdP accepts the DPoP key's algorithm " +
			"(dpop_signing_alg_values_supported in its discovery; credctl show lists the key's thumbprint), and that no proxy " +
			"rewrites the token endpoint's URL (the proof names it in htu)",
		Source: srcDPoP},
}
