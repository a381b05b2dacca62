package credentials

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"unicode"
)

// Field names used in validation errors, so forms can put each message next
// to its field.
const (
	FieldName            = "name"
	FieldType            = "type"
	FieldGrantType       = "grantType"
	FieldIssuerURL       = "issuerUrl"
	FieldTokenURL        = "tokenUrl"
	FieldAuthURL         = "authUrl"
	FieldRevocationURL   = "revocationUrl"
	FieldClientID        = "clientId"
	FieldClientSecret    = "clientSecret"
	FieldAuthMethod      = "authMethod"
	FieldScope           = "scope"
	FieldAudience        = "audience"
	FieldResource        = "resource"
	FieldRefreshInterval = "refreshInterval"
	FieldProxy           = "proxy"
	FieldCAFile          = "caFile"
	FieldUsernameClaim   = "usernameClaim"
	FieldRolesClaim      = "rolesClaim"
	FieldTenantClaim     = "tenantClaim"
	FieldTenantHeader    = "tenantHeader"
	FieldRedirectPort    = "redirectPort"
	FieldCertificate     = "certificate"
	FieldPrivateKey      = "privateKey"
	FieldAssertion       = "assertion" // algorithm, headers, audience
	FieldGitHosts        = "gitHosts"
)

// MaxNameLength keeps names readable in a table.
const MaxNameLength = 64

// FieldError is one problem with one field.
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// ValidationError lists every problem found, one per field.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Message
	}
	return "invalid profile: " + strings.Join(msgs, "; ")
}

// For returns the message for a field, or "".
func (e *ValidationError) For(field string) string {
	if e == nil {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// IsValidation reports whether err is (or wraps) a ValidationError.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

// ValidateOptions carries what validation cannot see in the profile itself.
type ValidateOptions struct {
	// Others are the other stored profiles, for the unique-name rule.
	Others []Profile
	// HasSecret says a client secret is stored or about to be.
	HasSecret bool
	// HasPrivateKey says a private_key_jwt key is stored or about to be.
	HasPrivateKey bool
	// SecretOptional skips the "Application needs a secret" rule (import,
	// where secrets are added later).
	SecretOptional bool
	// CertificateLater accepts a private_key_jwt profile without its
	// certificate and key yet (see SecretChange.CertificateLater).
	CertificateLater bool
	// Names, when set, stands for Others as a map by NameKey (an
	// import checks thousands of entries against each other).
	Names map[string]Profile
}

// NameKey is a name as Names holds it: names that SameName finds equal
// have one key.
func NameKey(name string) string { return strings.ToLower(strings.ToUpper(strings.TrimSpace(name))) }

// LooksLikeID reports whether s has the shape of a profile ID.
func LooksLikeID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// CheckStored holds a profile read from disk to the rules that keep its
// secrets safe (endpoints over https, a proxy URL without a password, a
// valid tenant header and redirect port) before anything is sent with it:
// the file may have been edited by hand or by someone else.
func CheckStored(p Profile) error {
	err := Validate(p, ValidateOptions{HasSecret: true, SecretOptional: true})
	var v *ValidationError
	if !errors.As(err, &v) {
		return err
	}
	var keep []FieldError
	for _, f := range v.Fields {
		switch f.Field {
		case FieldIssuerURL, FieldTokenURL, FieldAuthURL, FieldRevocationURL, FieldProxy, FieldTenantHeader, FieldRedirectPort:
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &ValidationError{Fields: keep}
}

// Validate checks a normalized profile and returns nil or a *ValidationError
// with one message per field.
func Validate(p Profile, opt ValidateOptions) error {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		for _, e := range errs {
			if e.Field == field {
				return // one message per field: the first problem is the one to fix
			}
		}
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}

	// Name.
	if msg := nameProblem(p.Name); msg != "" {
		add(FieldName, "%s", msg)
	}
	if LooksLikeID(p.Name) {
		// Commands take a name or an ID: such a name could stand for another profile.
		add(FieldName, "Name must not look like a profile ID (16 hexadecimal digits): add a word or a dash.")
	}
	if opt.Names != nil {
		if o, taken := opt.Names[NameKey(p.Name)]; taken && o.ID != p.ID {
			add(FieldName, "A profile named %q already exists (names are compared ignoring case).", o.Name)
		}
	}
	for _, o := range opt.Others {
		if o.ID != p.ID && SameName(o.Name, p.Name) {
			add(FieldName, "A profile named %q already exists (names are compared ignoring case).", o.Name)
		}
	}

	// Type and grant.
	switch p.Type {
	case TypeApplication:
		if p.GrantType != GrantClientCredentials && !p.IsDerived() {
			add(FieldGrantType, "An Application profile uses the Client Credentials, Token Exchange or JWT Bearer grant.")
		}
		switch {
		case opt.SecretOptional, opt.CertificateLater && p.AuthMethod.UsesKey() && p.Certificate == "", p.AuthMethod.IsMTLS():
			// mutual TLS: validateMTLS asks for the certificate and key.
		case p.AuthMethod == AuthPrivateKeyJWT && p.Certificate == "":
			// validateAssertion asks for the certificate (with its key): one message.
		case p.AuthMethod == AuthPrivateKeyJWT && !opt.HasPrivateKey:
			add(FieldPrivateKey, "private_key_jwt needs a private key: import a certificate with its key, or generate one.")
		case p.AuthMethod != AuthPrivateKeyJWT && !opt.HasSecret && !derivedPublicOK(p):
			add(FieldClientSecret, "An Application profile needs a client secret.")
		}
		if p.TokenURL == "" && p.IssuerURL == "" {
			add(FieldTokenURL, "Token endpoint URL is required (or an issuer URL to discover it).")
		}
	case TypeUser:
		if p.GrantType != GrantAuthorizationCode {
			add(FieldGrantType, "A User profile uses the Authorization Code grant.")
		}
		if p.AuthURL == "" && p.IssuerURL == "" {
			add(FieldAuthURL, "Authorization endpoint URL is required (or an issuer URL to discover it).")
		}
		if p.TokenURL == "" && p.IssuerURL == "" {
			add(FieldTokenURL, "Token endpoint URL is required (or an issuer URL to discover it).")
		}
		if p.AuthMethod == AuthPrivateKeyJWT && !opt.HasPrivateKey && !opt.SecretOptional && p.Certificate != "" {
			// A confidential User client with a certificate (login_assertion.go).
			add(FieldPrivateKey, "private_key_jwt needs a private key: import a certificate with its key, or generate one.")
		}
	case "":
		add(FieldType, "Type is required: Application or User.")
	default:
		add(FieldType, "Type must be Application or User, not %q.", p.Type)
	}

	// Endpoints.
	for _, u := range []struct{ field, label, value string }{
		{FieldIssuerURL, "Issuer URL", p.IssuerURL},
		{FieldTokenURL, "Token endpoint URL", p.TokenURL},
		{FieldAuthURL, "Authorization endpoint URL", p.AuthURL},
		{FieldRevocationURL, "Revocation endpoint URL", p.RevocationURL},
	} {
		if u.value != "" {
			if msg := checkEndpoint(u.label, u.value); msg != "" {
				add(u.field, "%s", msg)
			}
		}
	}

	if p.ClientID == "" {
		add(FieldClientID, "Client ID is required.")
	} else if strings.ContainsFunc(p.ClientID, unicode.IsControl) {
		add(FieldClientID, "Client ID holds control characters.")
	}
	switch p.AuthMethod {
	case AuthBasic, AuthPost:
	case AuthPrivateKeyJWT:
		validateAssertion(p, opt.CertificateLater, add)
	case AuthTLSClient, AuthSelfSignedTLS:
	default:
		add(FieldAuthMethod, "Client authentication must be client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth or self_signed_tls_client_auth.")
	}
	validateMTLS(p, opt, add) // validate_mtls.go
	for _, s := range strings.Fields(p.Scope) {
		for _, r := range s {
			// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
			if r < 0x21 || r == 0x22 || r == 0x5C || r > 0x7E {
				add(FieldScope, "Scope %q holds %q, which a scope may not contain.", s, r)
				break
			}
		}
	}
	if strings.ContainsFunc(p.Audience, unicode.IsControl) {
		add(FieldAudience, "Audience holds control characters.")
	}
	if p.Resource != "" {
		if u, err := url.Parse(p.Resource); err != nil || !u.IsAbs() || u.Fragment != "" {
			add(FieldResource, "Resource must be an absolute URI without a fragment (RFC 8707).")
		}
	}
	if p.RefreshInterval.D() < MinRefreshInterval {
		add(FieldRefreshInterval, "Refresh interval must be at least 30s.")
	}

	// Proxy.
	switch p.Proxy.Mode {
	case ProxyNone, ProxySystem:
	case ProxyURL:
		if msg := checkProxyURL(p.Proxy.URL); msg != "" {
			add(FieldProxy, "%s", msg)
		}
	default:
		add(FieldProxy, "Proxy must be none, system or a URL.")
	}

	// TLS.
	if p.TLS.CAFile != "" {
		if st, err := os.Stat(p.TLS.CAFile); err != nil {
			add(FieldCAFile, "CA bundle file %s cannot be read: %v.", p.TLS.CAFile, errors.Unwrap(err))
		} else if st.IsDir() {
			add(FieldCAFile, "CA bundle %s is a directory; choose a PEM file.", p.TLS.CAFile)
		}
	}

	// Claims.
	for _, c := range []struct{ field, label, value string }{
		{FieldUsernameClaim, "Username claim", p.UsernameClaim},
		{FieldRolesClaim, "Roles claim", p.RolesClaim},
		{FieldTenantClaim, "Tenant claim", p.TenantClaim},
	} {
		if c.value != "" {
			if _, err := ParseClaimPath(c.value); err != nil {
				add(c.field, "%s: %v.", c.label, err)
			}
		}
	}
	if !isHeaderToken(p.TenantHeader) {
		add(FieldTenantHeader, "Tenant header %q is not a valid HTTP header name.", p.TenantHeader)
	}
	if p.RedirectPort != 0 && (p.RedirectPort < 1024 || p.RedirectPort > 65535) {
		add(FieldRedirectPort, "Redirect port must be 0 (any free port) or between 1024 and 65535.")
	}
	validateMFA(p.MFA, add)                // mfa.go
	validateManagement(p, opt.Others, add) // validate_management.go (#26)
	validateGit(p, add)                    // profile_git.go
	validateLogin(p, add)                  // validate_login.go
	validateDerived(p, opt, add)           // validate_derived.go

	if len(errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: errs}
}

// CheckEndpointURL returns "" for an acceptable endpoint URL (https, or
// plain http to this machine's loopback only), or what is wrong, starting
// with label. Discovered endpoints are held to the same rule as typed ones.
func CheckEndpointURL(label, raw string) string { return checkEndpoint(label, raw) }

// nameProblem says what is wrong with a profile or transport name, or "".
func nameProblem(name string) string {
	switch {
	case name == "":
		return "Name is required."
	case len([]rune(name)) > MaxNameLength:
		return fmt.Sprintf("Name is longer than %d characters.", MaxNameLength)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" _-&.", r) {
			return fmt.Sprintf("Name may hold letters, digits, spaces and _ - & . only, not %q.", r)
		}
	}
	return ""
}

// checkEndpoint returns "" for an acceptable endpoint URL, or what is wrong.
func checkEndpoint(label, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("%s is not a valid URL.", label)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Sprintf("%s must start with https://.", label)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Sprintf("%s has no host.", label)
	}
	if u.User != nil {
		return fmt.Sprintf("%s must not carry a user or password.", label)
	}
	if u.Fragment != "" {
		return fmt.Sprintf("%s must not have a #fragment.", label)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return fmt.Sprintf("%s must use https (plain http is allowed only for 127.0.0.1, ::1 and localhost).", label)
	}
	return ""
}

func checkProxyURL(raw string) string {
	if raw == "" {
		return "Proxy URL is required when the proxy is set to a URL."
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "Proxy URL is not a valid URL."
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return "Proxy URL must start with http://, https:// or socks5://."
	}
	if u.Hostname() == "" {
		return "Proxy URL has no host."
	}
	if _, hasPass := u.User.Password(); hasPass {
		// The file is not the place for a password.
		return "Put the proxy password in the proxy password field, not in the URL."
	}
	return ""
}

// IsLoopbackHost reports whether host names this machine's loopback interface.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isHeaderToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7E || r <= 0x20 || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return true
}

// validateAssertion checks the private_key_jwt settings.
func validateAssertion(p Profile, later bool, add func(field, format string, args ...any)) {
	if p.Certificate == "" && later {
		// It comes next (credctl certificate new); the other settings still count.
	} else if p.Certificate == "" {
		add(FieldCertificate, "private_key_jwt needs the client certificate: import one with its key, or generate one.")
	} else if c, err := ParseCertificatePEM(p.Certificate); err != nil {
		add(FieldCertificate, "The certificate cannot be read: %v.", err)
	} else if err := checkKeyType(c.PublicKey); err != nil {
		add(FieldCertificate, "%s.", err)
	} else if p.AssertionAlg != "" && (p.AssertionAlg == AlgES256) != (DefaultAlg(c.PublicKey) == AlgES256) {
		add(FieldAssertion, "The assertion algorithm %s does not fit the certificate's key (use %s).", p.AssertionAlg, DefaultAlg(c.PublicKey))
	}
	switch p.AssertionAlg {
	case "", AlgRS256, AlgPS256, AlgES256:
	default:
		add(FieldAssertion, "The assertion algorithm must be RS256, PS256 or ES256 (or empty to choose by key type), not %q.", p.AssertionAlg)
	}
	switch p.AssertionHeaders {
	case HeadersBoth, HeadersX5t, HeadersX5tS256:
	default:
		add(FieldAssertion, "The assertion thumbprint header must be x5t, x5t#S256 or empty for both, not %q.", p.AssertionHeaders)
	}
	switch p.AssertionAudience {
	case AudienceTokenURL, AudienceIssuer:
	default:
		add(FieldAssertion, "The assertion audience must be empty (the token endpoint) or issuer, not %q.", p.AssertionAudience)
	}
	if p.AssertionAudience == AudienceIssuer && p.IssuerURL == "" {
		add(FieldAssertion, "The assertion audience \"issuer\" needs the profile's issuer URL.")
	}
}
