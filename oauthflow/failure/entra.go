package failure

// Entra ID (Azure AD) AADSTS codes: category and one-line fix. Microsoft
// says the numbers and texts may change, so they only choose a diagnosis;
// an unknown number falls back to the `error` value.
const (
	srcEntraCodes   = "learn.microsoft.com/entra/identity-platform/reference-error-codes"
	srcEntraReply   = "learn.microsoft.com/entra/identity-platform/reply-url"
	srcEntraCert    = "learn.microsoft.com/entra/identity-platform/certificate-credentials"
	srcEntraSecrets = "learn.microsoft.com/entra/identity-platform/how-to-add-credentials"
	srcEntraScope   = "github.com/MicrosoftDocs/azure-docs/issues/99862"
	srcEntraPublic  = "github.com/Azure/azure-sdk-for-go/issues/22386"
	srcEntraSPA     = "github.com/AzureAD/microsoft-authentication-library-for-js/issues/2482"
	srcEntraReplyNo = "github.com/KoenZomers/OneDriveAPI/issues/33"
	srcEntraX5t     = "github.com/MicrosoftDocs/entra-docs/pull/1301"
	srcEntraClock   = "github.com/AzureAD/microsoft-authentication-library-for-dotnet/issues/4951"
	srcEntraAssign  = "github.com/Azure-Samples/active-directory-dotnet-daemon/issues/10"
)

var entraTable = []idpRow{
	// credentials
	{Codes: []int{7000215}, Category: CatCredentials, Cause: "invalid client secret", SecretProblem: true,
		Fix: "paste the secret's Value, not its Secret ID, or create a new secret under Certificates & secrets", Source: srcEntraCodes},
	{Codes: []int{7000222}, Category: CatCredentials, Cause: "the client secret has expired", SecretProblem: true,
		Fix: "create a new secret (24 months at most) or switch to a certificate, then update the profile", Source: srcEntraCodes + "; " + srcEntraSecrets},
	{Codes: []int{70002}, Category: CatCredentials, Cause: "the client secret does not match", SecretProblem: true,
		Fix: "correct the client secret", Source: srcEntraCodes},
	{Codes: []int{7000218}, Category: CatCredentials, Cause: "the request has neither client_assertion nor client_secret",
		Fix: "for client credentials store a secret or certificate; for a desktop login register http://localhost under Mobile and desktop applications and turn on Allow public client flows", Source: srcEntraCodes + "; " + srcEntraPublic},
	{Codes: []int{700025}, Category: CatCredentials, Cause: "the client is public, so it must send neither a secret nor an assertion",
		Fix: "remove the client secret from the profile, or make the app registration confidential if a secret is intended", Source: srcEntraCodes},
	{Codes: []int{700027}, Category: CatCredentials, Cause: "the client assertion's signature failed, or its certificate is not registered on the application",
		Fix: "upload the certificate's public key to the app registration; x5t must be the SHA-1 thumbprint (send x5t#S256 for SHA-256)", Source: srcEntraCodes + "; " + srcEntraX5t},
	{Codes: []int{700024}, Category: CatCredentials, Cause: "the client assertion is not within its valid time range",
		Fix: "correct this computer's clock and time zone; the workbench signs a fresh 5-minute assertion for every request", Source: srcEntraCodes + "; " + srcEntraClock},
	{Codes: []int{50012}, Category: CatCredentials, Cause: "the client assertion is invalid (signature or certificate chain)",
		Fix: "sign with the key whose certificate is registered on the app, with iss = sub = the client ID", Source: srcEntraCodes + "; " + srcEntraCert},
	{Codes: []int{50048}, Category: CatCredentials, Cause: "the assertion's subject does not match its issuer",
		Fix: "set iss and sub of the assertion to the client ID", Source: srcEntraCodes},
	// tenant
	{Codes: []int{7000112, 70001}, Category: CatTenant, Cause: "the application is disabled in this tenant",
		Fix: "re-enable the app registration or its enterprise application", Source: srcEntraCodes},
	{Codes: []int{90002}, Category: CatTenant, Cause: "the tenant was not found",
		Fix: "correct the tenant ID or domain in the URL, and check it is the right cloud (national clouds have other hosts)", Source: srcEntraCodes},
	{Codes: []int{700016}, Category: CatTenant, Cause: "the application was not found in this tenant",
		Fix: "check the client ID and the tenant; a multi-tenant app must be consented in the target tenant", Source: srcEntraCodes},
	{Codes: []int{500011}, Category: CatTenant, Cause: "the resource (API) named by the scope was not found in this tenant",
		Fix: "correct the Application ID URI in the scope, or install the API in this tenant", Source: srcEntraCodes},
	// endpoint
	{Codes: []int{50194}, Category: CatEndpoint, Cause: "a single-tenant application was called through /common",
		Fix: "use https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token", Source: srcEntraCodes},
	{Codes: []int{9001023}, Category: CatEndpoint, Cause: "this grant is not supported on /common or /consumers",
		Fix: "use the tenant ID in the URL (the client-credentials grant requires it)", Source: srcEntraCodes},
	{Codes: []int{90056, 900561}, Category: CatEndpoint, Cause: "wrong endpoint or HTTP method",
		Fix: "POST to https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token", Source: srcEntraCodes},
	{Codes: []int{900144}, Category: CatConfig, Cause: "a required request parameter is missing",
		Fix: "fill in the profile field the IdP names (client ID, scope or redirect URI)", Source: srcEntraCodes},
	{Codes: []int{901002}, Category: CatScope, Cause: "the v2.0 endpoint does not accept the resource parameter",
		Fix: "clear the profile's resource and put <Application ID URI>/.default in the scope", Source: srcEntraCodes},
	// scope
	{Codes: []int{1002012}, Category: CatScope, Cause: "client credentials need a scope ending in /.default", DefaultScope: true,
		Fix: "use api://<app>/.default (or https://graph.microsoft.com/.default)", Source: srcEntraCodes + "; " + srcEntraScope},
	{Codes: []int{70011}, Category: CatScope, Cause: "the scope is invalid", DefaultScope: true,
		Fix: "fix the scope string; for client credentials it must be <Application ID URI>/.default", Source: srcEntraCodes + "; " + srcEntraScope},
	{Codes: []int{700022}, Category: CatScope, Cause: "the scope names more than one resource",
		Fix: "request scopes of one API per profile", Source: srcEntraCodes},
	{Codes: []int{28002, 28003}, Category: CatScope, Cause: "the scope is invalid or empty at token redemption",
		Fix: "send the same valid scope on the token request as on the login", Source: srcEntraCodes},
	// consent
	{Codes: []int{650057}, Category: CatConsent, Cause: "the resource is not among the app's requested API permissions",
		Fix: "add the API permission to the app registration and grant admin consent", Source: srcEntraCodes},
	{Codes: []int{65001}, Category: CatConsent, Cause: "consent for the permissions is missing",
		Fix: "grant admin consent for the app's API permissions", Source: srcEntraCodes},
	{Codes: []int{65004}, Category: CatConsent, Cause: "the user declined consent",
		Fix: "log in again and accept, or have an admin grant consent for the tenant", Source: srcEntraCodes},
	{Codes: []int{90094}, Category: CatConsent, Cause: "admin consent is required",
		Fix: "a tenant administrator must grant consent for the app", Source: srcEntraCodes},
	{Codes: []int{650056}, Category: CatConsent, Cause: "the app is misconfigured: a permission is not listed or not consented",
		Fix: "add the permission to the app registration and grant admin consent", Source: srcEntraCodes},
	{Codes: []int{50105}, Category: CatConsent, Cause: "the user or client app is not assigned to a role of the application (assignment required)",
		Fix: "assign the user, group or app role, or turn off Assignment required on the enterprise application", Source: srcEntraCodes + "; " + srcEntraAssign},
	// redirect
	{Codes: []int{50011}, Category: CatRedirect, Cause: "the redirect URI does not match a registered one",
		Fix: "register http://localhost under Mobile and desktop applications (the port is ignored; 127.0.0.1 is not localhost)", Source: srcEntraCodes + "; " + srcEntraReply},
	{Codes: []int{500113}, Category: CatRedirect, Cause: "no redirect URI is registered for the application",
		Fix: "add a Mobile and desktop applications platform with http://localhost", Source: srcEntraCodes + "; " + srcEntraReplyNo},
	{Codes: []int{9002327}, Category: CatRedirect, Cause: "the redirect URI is registered as a single-page application, so only a browser may redeem the code",
		Fix: "move the redirect URI from the Single-page application platform to Mobile and desktop applications", Source: srcEntraCodes + "; " + srcEntraSPA},
	{Codes: []int{501481}, Category: CatRedirect, Cause: "the PKCE code_verifier does not match the code_challenge",
		Fix: "start the login again", Source: srcEntraCodes},
	// login (sign in again)
	{Codes: []int{54005, 70008, 700082}, Category: CatLogin, Cause: "the authorization code was already redeemed, or the refresh token expired or is inactive",
		Fix: "log in again", Source: srcEntraCodes},
	{Codes: []int{50126, 50053, 50057}, Category: CatLogin, Cause: "wrong password, locked account or disabled user",
		Fix: "the user or the help desk must correct the account", Source: srcEntraCodes},
	// MFA / conditional access
	{Codes: []int{50076}, Category: CatMFA, Cause: "multi-factor authentication is required (Conditional Access, per-user MFA or a new location)",
		Fix: "log in interactively and complete MFA", Source: srcEntraCodes},
	{Codes: []int{50079}, Category: CatMFA, Cause: "the user must register for multi-factor authentication",
		Fix: "the user must register security info (https://aka.ms/mysecurityinfo), then log in again", Source: srcEntraCodes},
	{Codes: []int{50074, 50158}, Category: CatMFA, Cause: "strong authentication or an external challenge was not satisfied",
		Fix: "complete MFA; check the external MFA provider", Source: srcEntraCodes},
	{Codes: []int{53003}, Category: CatMFA, Cause: "access was blocked by a Conditional Access policy",
		Fix: "look up the sign-in log by the correlation ID below to find the policy, then exclude the app or adjust the policy", Source: srcEntraCodes},
	{Codes: []int{53000, 53001}, Category: CatMFA, Cause: "the device is not compliant or not domain-joined, as Conditional Access requires",
		Fix: "use a managed device or change the Conditional Access policy", Source: srcEntraCodes},
}
