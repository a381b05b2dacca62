package failure

import (
	"errors"
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
)

// Category says which part of a profile a failure points at.
type Category string

const (
	CatCredentials Category = "credentials"
	CatScope       Category = "scope"
	CatEndpoint    Category = "endpoint"
	CatNetwork     Category = "network"
	CatProxy       Category = "proxy"
	CatTLS         Category = "tls"
	CatRedirect    Category = "redirect" // redirect URI or authorization-code flow refused
	CatLogin       Category = "login"    // the user or IdP refused the login (access_denied …)
	CatClaims      Category = "claims"   // JWT username/roles mapping
	CatConfig      Category = "configuration"
	CatKeyring     Category = "keyring"
	CatCancelled   Category = "cancelled"
	CatOther       Category = "other"
	CatMFA         Category = "mfa"     // MFA / conditional access demanded by the IdP
	CatConsent     Category = "consent" // permissions, consent, role assignment, access policy
	CatTenant      Category = "tenant"  // wrong or unknown tenant, app not in the tenant
)

// Label is the category as shown to people.
func (c Category) Label() string {
	switch c {
	case CatTLS:
		return "TLS"
	case CatMFA:
		return "MFA / conditional access"
	case "":
		return ""
	}
	return strings.ToUpper(string(c[:1])) + string(c[1:])
}

// Advice is the check that applies to a category (the seed's checklist).
func (c Category) Advice() string {
	switch c {
	case CatCredentials:
		return "Verify the client ID and client secret, and the client authentication method (basic or post) the IdP expects."
	case CatScope:
		return "Confirm the scope permissions: the client must be allowed every requested scope (Entra ID wants <app-id-uri>/.default for client credentials)."
	case CatEndpoint:
		return "Check the endpoint URL: it must be the IdP's token endpoint (use the issuer's discovery document to find it)."
	case CatNetwork:
		return "Validate network access: the host name, that the IdP is reachable from here, firewalls and the proxy setting."
	case CatProxy:
		return "Validate the proxy: its URL, that it is running, and its user name and password."
	case CatTLS:
		return "Check TLS: the IdP's certificate must match its host name and be signed by a trusted CA (set a CA bundle file for a private CA)."
	case CatRedirect:
		return "Confirm the redirect URI http://127.0.0.1/callback (any port) is registered and the authorization code flow is enabled for this client at the IdP."
	case CatLogin:
		return "The login was refused or abandoned: try again, and check that the user may use this client."
	case CatClaims:
		return "Check the JWT mapping fields: the username and roles claim paths must exist in the ID or access token."
	case CatConfig:
		return "Fix the profile's settings and save it again."
	case CatKeyring:
		return "Make the OS keyring available (install/unlock gnome-keyring or KWallet on Linux) and try again."
	case CatMFA:
		return "The IdP demands multi-factor authentication or blocks the sign-in by a conditional-access policy: log in interactively and complete MFA, or have an admin check the policy (the sign-in log finds it by the correlation ID)."
	case CatConsent:
		return "Check the app's API permissions and consent: an admin must grant consent, assign the user or app to the application, or allow the client in the authorization server's access policy."
	case CatTenant:
		return "Check the tenant: the tenant ID or domain in the URL, and that the application exists and is enabled in that tenant."
	case CatCancelled:
		return ""
	}
	return "See the error for details."
}

// Failure is why a profile is not Active: a category with its advice, our
// own summary and, when the IdP gave one, its error code and description
// (stripped of markup).
type Failure struct {
	Category       Category
	Message        string // what happened, for people
	IdPError       string // RFC 6749 error code, e.g. invalid_client
	IdPDescription string
	HTTPStatus     int
	Err            error // the underlying error, for errors.Is/As

	// Set when an IdP table (entra.go, okta.go, keycloak.go) knew the answer.
	IdPCode       string     // e.g. AADSTS7000215
	Fix           string     // the one-line fix for the admin
	Support       SupportIDs // trace/correlation IDs for a support ticket
	ProposedScope string     // a corrected scope, e.g. api://orders/.default

	defaultScope  bool // the diagnosis wants a /.default scope proposal
	secretProblem bool // the answer may mean an expired secret
	// advice, when set, replaces the category's check: the failure knows
	// better (a certificate profile, the profile's own MFA rule).
	advice string
}

func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Message)
	if f.IdPError != "" {
		fmt.Fprintf(&b, " (IdP said: %s", f.IdPError)
		if f.IdPDescription != "" {
			fmt.Fprintf(&b, ": %s", f.IdPDescription)
		}
		b.WriteString(")")
	}
	if ids := f.Support.String(); ids != "" {
		fmt.Fprintf(&b, " [%s]", ids)
	}
	return b.String()
}

func (f *Failure) Unwrap() error { return f.Err }

// Advice is the check that applies.
func (f *Failure) Advice() string {
	if f.advice != "" {
		return f.advice
	}
	return f.Category.Advice()
}

// Advice texts that depend on the profile rather than the category alone.
const (
	AdviceCertificate = "Check the certificate: its public key (or JWK, by thumbprint/kid) must be registered for this client at the IdP, " +
		"and the assertion's audience (token endpoint or issuer), algorithm and thumbprint header must be what the IdP expects. No client secret is used."
	AdviceOwnMFA = "This profile requires MFA (Require MFA in its settings): sign in again and complete the second factor, " +
		"have the IdP's administrator require MFA for this application, or turn Require MFA off."
)

// AdviceFor is the check that applies to a stored failure of p (only its
// category and message are kept): a private_key_jwt profile is told about
// its certificate, not a client secret; a refusal by the profile's own MFA
// rule says so.
func AdviceFor(p credentials.Profile, cat Category, message string) string {
	switch {
	case cat == CatCredentials && p.AuthMethod == credentials.AuthPrivateKeyJWT:
		return AdviceCertificate
	case cat == CatCredentials && p.AuthMethod.IsMTLS():
		return AdviceMTLS
	case cat == CatMFA && p.MFA.Required && strings.Contains(message, OwnMFAMarker):
		return AdviceOwnMFA
	}
	return cat.Advice()
}

// OwnMFAMarker names the profile's own rule in a refusal's message, so a
// stored failure still gets the right advice.
const OwnMFAMarker = "the profile's MFA requirement"

// WithAdvice sets the check that applies instead of the category's: the
// failure knows better (a certificate profile, the profile's own MFA rule).
func (f *Failure) WithAdvice(advice string) *Failure {
	f.advice = advice
	return f
}

// ForProfile sets the advice a profile's settings call for.
func (f *Failure) ForProfile(p credentials.Profile) *Failure {
	if f != nil && f.advice == "" {
		if a := AdviceFor(p, f.Category, f.Message); a != f.Category.Advice() {
			f.advice = a
		}
	}
	return f
}

// As returns err's Failure, if it has one.
func As(err error) (*Failure, bool) {
	var f *Failure
	ok := errors.As(err, &f)
	return f, ok
}
