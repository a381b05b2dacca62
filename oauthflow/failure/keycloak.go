package failure

// Keycloak's token errors: wording differs by release, and an expired secret
// gives exactly the answer of a wrong one (isClientSecretExpired →
// reportFailedAuth), so the diagnosis says "wrong or expired".
const (
	srcKeycloakSecret = "github.com/keycloak/keycloak services/…/authenticators/client/ClientIdAndSecretAuthenticator.java" // #nosec G101 -- a source reference, not a credential
	srcKeycloakAuth   = "github.com/keycloak/keycloak AuthenticationProcessor.handleClientAuthException"
	srcKeycloakCC     = "github.com/keycloak/keycloak services/…/oidc/grants/ClientCredentialsGrantType.java"
	srcKeycloakJWT    = "github.com/keycloak/keycloak JWTClientValidator.java"
	srcKeycloakCode   = "github.com/keycloak/keycloak TokenEndpoint / OAuthProofKeyForCodeExchangeTest"
)

var keycloakTable = []idpRow{
	{Contains: []string{"invalid client or invalid client credentials", "invalid client credentials", "invalid client secret"}, Category: CatCredentials, SecretProblem: true,
		Cause: "the client ID or secret is wrong or expired (Keycloak does not tell them apart)",
		Fix:   "check the client ID, and copy the current secret from the client's Credentials tab (Regenerate if it expired)", Source: srcKeycloakSecret + "; " + srcKeycloakAuth},
	{Contains: []string{"could not find client", "client is not enabled"}, Category: CatCredentials,
		Cause: "the client does not exist in this realm or is disabled", Fix: "check the client ID and the realm in the URL, and that the client is enabled", Source: srcKeycloakAuth},
	{Contains: []string{"client not enabled to retrieve service account"}, Category: CatCredentials,
		Cause: "service accounts are off for this client", Fix: "turn on Client authentication and Service account roles in the client's settings", Source: srcKeycloakCC},
	{Contains: []string{"public client not allowed to retrieve service account"}, Category: CatCredentials,
		Cause: "a public client cannot use client credentials", Fix: "turn on Client authentication for the client and store its secret", Source: srcKeycloakCC},
	{Contains: []string{"bearer-only client not allowed to retrieve service account"}, Category: CatCredentials,
		Cause: "a bearer-only client cannot obtain tokens", Fix: "use a confidential client with Service account roles on", Source: srcKeycloakCC},
	{Contains: []string{"token reuse detected"}, Category: CatCredentials,
		Cause: "the client assertion was already used", Fix: "retry; every request signs a fresh assertion, so a repeat means a clock or replay problem", Source: srcKeycloakJWT},
	{Error: "invalid_grant", Contains: []string{"incorrect redirect_uri"}, Category: CatRedirect,
		Cause: "the redirect URI differs from the login's", Fix: "add http://127.0.0.1/* to the client's Valid redirect URIs", Source: srcKeycloakCode},
	{Error: "invalid_grant", Contains: []string{"pkce verification failed"}, Category: CatRedirect,
		Cause: "the PKCE code verifier did not match", Fix: "start the login again", Source: srcKeycloakCode},
	{Error: "invalid_grant", Contains: []string{"code not valid"}, Category: CatLogin,
		Cause: "the authorization code is invalid or already used", Fix: "start the login again", Source: srcKeycloakCode},
}
