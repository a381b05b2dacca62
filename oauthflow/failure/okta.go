package failure

// Okta's token errors carry no numbers; its descriptions choose the
// diagnosis. Okta also answers some OAuth requests in its management-API
// shape ({"errorCode":…,"errorSummary":…}), which diagnoseBody reads too.
const (
	srcOktaOIDC     = "developer.okta.com/docs/reference/api/oidc/ (okta-developer-docs reference/api/oidc)"
	srcOktaOrgAS    = "support.okta.com: Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method"
	srcOktaAS       = "developer.okta.com/docs/concepts/auth-servers/"
	srcOktaFixtures = "github.com/trufflesecurity/trufflehog pkg/detectors/okta/okta_test.go (community)"
	srcOktaGrant    = "github.com/okta/okta-mobile-kotlin/issues/224"
	srcOktaScopes   = "Okta blog: Modern Token Authentication in Node with Express"
	srcOktaCustom   = "devforum.okta.com/t/13539 (community)"
	srcOktaPolicy   = "github.com/okta/okta-spring-boot/issues/602"
	srcOktaStepUp   = "developer.okta.com/docs/guides/step-up-authentication/"
)

var oktaTable = []idpRow{
	{Error: "invalid_client", Contains: []string{"no client credentials found"}, Category: CatCredentials,
		Cause: "the request carried no client credentials", Fix: "store the client secret and choose client_secret_basic or client_secret_post as the app expects", Source: srcOktaOIDC},
	{Error: "invalid_client", Contains: []string{"client secret supplied for a confidential client is invalid"}, Category: CatCredentials, SecretProblem: true,
		Cause: "the client secret is wrong or was deactivated", Fix: "copy an ACTIVE secret from the app's Client Credentials section, or rotate it", Source: srcOktaFixtures},
	{Error: "invalid_client", Contains: []string{"invalid value for 'client_id' parameter"}, Category: CatCredentials,
		Cause: "the client ID is unknown to this authorization server", Fix: "correct the client ID (the app's Client ID on its General tab)", Source: srcOktaFixtures},
	{Error: "invalid_client", Contains: []string{"must use the private_key_jwt token_endpoint_auth_method"}, Category: CatEndpoint,
		Cause: "the org authorization server does client credentials only with private_key_jwt",
		Fix:   "use a custom authorization server (https://<org>/oauth2/default/v1/token), or switch the app to Public key / Private key and the profile to private_key_jwt", Source: srcOktaOrgAS + "; " + srcOktaAS},
	{Error: "unauthorized_client", Contains: []string{"not authorized to use the provided grant type"}, Category: CatCredentials,
		Cause: "the grant type is not enabled for this client", Fix: "tick the grant (Client Credentials, Authorization Code, Refresh Token) in the app's General settings", Source: srcOktaGrant + "; " + srcOktaOIDC},
	{Error: "invalid_scope", Contains: []string{"does not have any configured default scopes"}, Category: CatScope,
		Cause: "no scope was sent and the authorization server has no default scope", Fix: "enter a scope in the profile, or mark a scope as default on the authorization server", Source: srcOktaScopes},
	{Error: "invalid_scope", Contains: []string{"custom scopes are not allowed for this request"}, Category: CatEndpoint,
		Cause: "the org authorization server cannot issue custom scopes", Fix: "use a custom authorization server (https://<org>/oauth2/default/v1/token)", Source: srcOktaCustom + "; " + srcOktaAS},
	{Error: "access_denied", Contains: []string{"policy evaluation failed"}, Category: CatConsent,
		Cause: "no access policy rule of the authorization server allows this client, grant and scope",
		Fix:   "add an access policy rule for this client with this grant type and scope under Security > API > Authorization Servers", Source: srcOktaPolicy},
	{Error: "unmet_authentication_requirements", Category: CatMFA,
		Cause: "the requested authentication level (acr_values) could not be met", Fix: "enrol the required factor, or relax the profile's acr_values", Source: srcOktaStepUp},
}
