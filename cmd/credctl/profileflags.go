package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// profileFlags are the profile settings shared by add and edit. Only flags
// given on the command line are applied, so edit changes just those.
type profileFlags struct {
	fs *pflag.FlagSet

	name, typ, grant                             string
	issuer, tokenURL, authURL, revocationURL     string
	clientID, authMethod, scope, audience, resrc string
	refresh                                      time.Duration
	proxy, proxyUser, caFile                     string
	insecure                                     bool
	usernameClaim, rolesClaim, tenantClaim       string
	tenant, tenantHeader                         string
	redirectPort                                 int
	secretStdin, proxyPassStdin                  bool
	clearSecret, clearProxyPass                  bool
	rename                                       string
	certFile                                     string
	certPassStdin                                bool
	assertionAlg, assertionHeaders, assertionAud string
	secretExpires                                string
	mfa                                          mfaFlags        // profileflags_mfa.go
	mgmt                                         managementFlags // profileflags_management.go (#26)
	gitHosts                                     []string
	gitUsername                                  string

	derived derivedFlags // profileflags_derived.go
	login   loginFlags   // profileflags_login.go
	mtls    mtlsFlags    // profileflags_mtls.go
}

// registerProfileFlags defines the profile flags of add (edit: of edit) on cmd,
// with their completions.
func registerProfileFlags(a *app, cmd *cobra.Command, edit bool) *profileFlags {
	fs := cmd.Flags()
	f := &profileFlags{fs: fs}
	if edit {
		fs.StringVar(&f.rename, "rename", "", "new `name` of the profile")
		fs.BoolVar(&f.clearSecret, "clear-client-secret", false, "remove the stored client secret (public User clients)")
		fs.BoolVar(&f.clearProxyPass, "clear-proxy-password", false, "remove the stored proxy password")
	} else {
		fs.StringVar(&f.name, "name", "", "profile `name` (letters, digits, space, _ - & .)")
	}
	fs.StringVar(&f.typ, "type", "", "profile `type`: application (client credentials) or user (interactive login)")
	fs.StringVar(&f.grant, "grant", "", "`grant`: client_credentials, authorization_code, token-exchange or jwt-bearer (default: from --type)")
	fs.StringVar(&f.issuer, "issuer", "", "issuer `URL` (OIDC discovery finds the endpoints)")
	fs.StringVar(&f.tokenURL, "token-url", "", "token endpoint `URL`")
	fs.StringVar(&f.authURL, "auth-url", "", "authorization endpoint `URL` (User profiles)")
	fs.StringVar(&f.revocationURL, "revocation-url", "", "token revocation endpoint `URL`")
	fs.StringVar(&f.clientID, "client-id", "", "client `ID`")
	fs.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from standard input (first line), or prompt on a terminal")
	fs.StringVar(&f.authMethod, "auth-method", "", "client authentication `method`: client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth or self_signed_tls_client_auth")
	fs.StringVar(&f.certFile, "certificate", "", "private_key_jwt or mutual TLS: PEM `file` with certificate and private key, or a .pfx/.p12 file; the key goes to the OS keyring only")
	fs.BoolVar(&f.certPassStdin, "certificate-password-stdin", false, "read the password of the --certificate PKCS#12 file from standard input (after any other secret)")
	fs.StringVar(&f.assertionAlg, "assertion-alg", "", "private_key_jwt `algorithm`: RS256, PS256 or ES256 (default: by key type; PS256 for Entra ID)")
	fs.StringVar(&f.assertionHeaders, "assertion-headers", "", "private_key_jwt thumbprint `header`: x5t, x5t#S256 or both (default both)")
	fs.StringVar(&f.assertionAud, "assertion-audience", "", "private_key_jwt `audience`: token-endpoint (default) or issuer")
	fs.StringVar(&f.secretExpires, "secret-expires", "", "`date` (YYYY-MM-DD) the client secret expires, for warnings and credctl expiring; none clears it")
	fs.StringVar(&f.scope, "scope", "", "space-separated `scopes`")
	fs.StringVar(&f.audience, "audience", "", "`audience` parameter of token requests")
	fs.StringVar(&f.resrc, "resource", "", "`resource` parameter of token requests (RFC 8707)")
	fs.DurationVar(&f.refresh, "refresh-interval", 0, "how often the token is renewed, e.g. `5m` (at least 30s)")
	fs.StringVar(&f.proxy, "proxy", "", "how to reach the IdP: a proxy `URL`, system (HTTPS_PROXY, NO_PROXY) or none")
	fs.StringVar(&f.proxyUser, "proxy-user", "", "proxy `user` name")
	fs.BoolVar(&f.proxyPassStdin, "proxy-password-stdin", false, "read the proxy password from standard input (the line after the client secret, if that is read too)")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM `file` of CA certificates to trust for the IdP")
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, "do not verify the IdP's TLS certificate (testing only; prints a warning)")
	fs.StringVar(&f.usernameClaim, "username-claim", "", "JWT `claim` path of the user name, e.g. preferred_username")
	fs.StringVar(&f.rolesClaim, "roles-claim", "", "JWT `claim` path of the roles, e.g. realm_access.roles")
	fs.StringVar(&f.tenantClaim, "tenant-claim", "", "JWT `claim` path of the tenant, e.g. $.TenantID")
	fs.StringVar(&f.tenant, "tenant", "", "`tenant` id sent in the tenant header on requests")
	fs.StringVar(&f.tenantHeader, "tenant-header", "", "`header` that carries the tenant (default X-TENANT-ID)")
	fs.IntVar(&f.redirectPort, "redirect-port", 0, "User profiles: loopback redirect `port`, 0 = any free port")
	f.mfa.register(fs)
	registerDPoP(fs) // profileflags_dpop.go
	f.derived.register(a, cmd, fs)
	f.mgmt.register(fs) // #26
	f.login.register(fs)
	f.mtls.register(fs)
	fs.StringArrayVar(&f.gitHosts, "git-host", nil, "git `remote` served by credctl git-credential: host[:port], optionally with a path prefix ending in /* (repeatable; replaces the list; \"\" clears it)")
	fs.StringVar(&f.gitUsername, "git-username", "", "`username` credctl git-credential answers (default: the one git asks for, else oauth2)")
	for _, name := range []string{"certificate", "ca-file"} {
		_ = cmd.MarkFlagFilename(name)
	}
	a.completeWords(cmd, "type", "application", "user")
	a.completeWords(cmd, "grant", string(credentials.GrantClientCredentials), string(credentials.GrantAuthorizationCode), "token-exchange", "jwt-bearer")
	a.completeWords(cmd, "auth-method", string(credentials.AuthBasic), string(credentials.AuthPost), string(credentials.AuthPrivateKeyJWT),
		string(credentials.AuthTLSClient), string(credentials.AuthSelfSignedTLS))
	a.completeWords(cmd, "proxy", "system", "none")
	return f
}

// given reports whether a flag was on the command line.
func (f *profileFlags) given(name string) bool { return f.fs.Changed(name) }

// anyGivenBut reports whether any flag other than those named was given.
func (f *profileFlags) anyGivenBut(names ...string) bool {
	n := 0
	f.fs.Visit(func(fl *pflag.Flag) {
		if !slices.Contains(names, fl.Name) {
			n++
		}
	})
	return n > 0
}

// apply copies the given flags onto p. cmd names the command for errors.
func (f *profileFlags) apply(cmd string, p *credentials.Profile) error {
	set := func(name string, dst *string, v string) {
		if f.given(name) {
			*dst = v
		}
	}
	if f.given("type") {
		t, err := parseType(f.typ)
		if err != nil {
			return &usageError{cmd: cmd, msg: err.Error()}
		}
		if t != p.Type {
			p.Type = t
			p.GrantType = t.DefaultGrant()
		}
	}
	if f.given("grant") {
		switch g := parseGrant(f.grant); g {
		case credentials.GrantClientCredentials, credentials.GrantAuthorizationCode, credentials.GrantTokenExchange, credentials.GrantJWTBearer:
			p.GrantType = g
		default:
			return &usageError{cmd: cmd, msg: fmt.Sprintf("--grant must be client_credentials, authorization_code, token-exchange or jwt-bearer, not %q", f.grant)}
		}
	}
	if f.given("auth-method") {
		switch m := credentials.AuthMethod(strings.ToLower(strings.TrimSpace(f.authMethod))); m {
		case credentials.AuthBasic, credentials.AuthPost, credentials.AuthPrivateKeyJWT, credentials.AuthTLSClient, credentials.AuthSelfSignedTLS:
			p.AuthMethod = m
		default:
			return &usageError{cmd: cmd, msg: fmt.Sprintf("--auth-method must be client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth or self_signed_tls_client_auth, not %q", f.authMethod)}
		}
	}
	if f.given("assertion-headers") {
		switch h := strings.TrimSpace(f.assertionHeaders); strings.ToLower(h) {
		case "both", "":
			p.AssertionHeaders = credentials.HeadersBoth
		case "x5t":
			p.AssertionHeaders = credentials.HeadersX5t
		case "x5t#s256":
			p.AssertionHeaders = credentials.HeadersX5tS256
		default:
			return &usageError{cmd: cmd, msg: fmt.Sprintf("--assertion-headers must be x5t, x5t#S256 or both, not %q", h)}
		}
	}
	if f.given("assertion-audience") {
		switch v := strings.ToLower(strings.TrimSpace(f.assertionAud)); v {
		case "token-endpoint", "":
			p.AssertionAudience = credentials.AudienceTokenURL
		case "issuer":
			p.AssertionAudience = credentials.AudienceIssuer
		default:
			return &usageError{cmd: cmd, msg: fmt.Sprintf("--assertion-audience must be token-endpoint or issuer, not %q", f.assertionAud)}
		}
	}
	set("assertion-alg", &p.AssertionAlg, f.assertionAlg)
	if f.given("secret-expires") {
		t, err := secretExpiresFlag(cmd, f.secretExpires)
		if err != nil {
			return err
		}
		p.SecretExpiresAt = t
	}
	if f.certPassStdin && !f.given("certificate") {
		return &usageError{cmd: cmd, msg: "--certificate-password-stdin needs --certificate FILE"}
	}
	f.mtls.apply(f.given, p)
	if f.given("certificate") && !f.given("auth-method") && p.GrantType != credentials.GrantJWTBearer && !p.AuthMethod.UsesKey() && !p.BindTokensToCertificate {
		p.AuthMethod = credentials.AuthPrivateKeyJWT // a certificate without mutual TLS (or a JWT bearer grant) is for private_key_jwt
	}
	set("name", &p.Name, f.name)
	set("rename", &p.Name, f.rename)
	set("issuer", &p.IssuerURL, f.issuer)
	set("token-url", &p.TokenURL, f.tokenURL)
	set("auth-url", &p.AuthURL, f.authURL)
	set("revocation-url", &p.RevocationURL, f.revocationURL)
	set("client-id", &p.ClientID, f.clientID)
	set("scope", &p.Scope, f.scope)
	set("audience", &p.Audience, f.audience)
	set("resource", &p.Resource, f.resrc)
	set("username-claim", &p.UsernameClaim, f.usernameClaim)
	set("roles-claim", &p.RolesClaim, f.rolesClaim)
	set("tenant-claim", &p.TenantClaim, f.tenantClaim)
	set("tenant", &p.Tenant, f.tenant)
	set("tenant-header", &p.TenantHeader, f.tenantHeader)
	set("proxy-user", &p.Proxy.Username, f.proxyUser)
	set("git-username", &p.GitUsername, f.gitUsername)
	set("git-host", &p.GitHosts, strings.Join(f.gitHosts, " "))
	if f.given("refresh-interval") {
		p.RefreshInterval = credentials.Duration(f.refresh)
	}
	if f.given("redirect-port") {
		p.RedirectPort = f.redirectPort
	}
	if f.given("insecure-skip-verify") {
		p.TLS.InsecureSkipVerify = f.insecure
	}
	if f.given("ca-file") {
		p.TLS.CAFile = strings.TrimSpace(f.caFile)
		if p.TLS.CAFile != "" {
			// The GUI and later runs may start elsewhere: store an absolute path.
			if abs, err := filepath.Abs(p.TLS.CAFile); err == nil {
				p.TLS.CAFile = abs
			}
		}
	}
	if f.given("proxy") {
		switch v := strings.TrimSpace(f.proxy); strings.ToLower(v) {
		case "", "none":
			p.Proxy.Mode, p.Proxy.URL = credentials.ProxyNone, ""
		case "system":
			p.Proxy.Mode, p.Proxy.URL = credentials.ProxySystem, ""
		default:
			p.Proxy.Mode, p.Proxy.URL = credentials.ProxyURL, v
		}
	}
	applyDPoP(f.fs, p) // profileflags_dpop.go
	if err := f.derived.apply(cmd, f, p); err != nil {
		return err
	}
	if err := f.mgmt.apply(cmd, f.given, p); err != nil { // #26
		return err
	}
	f.login.apply(f.given, p)
	return f.mfa.apply(cmd, f.given, p)
}

func parseType(s string) (credentials.Type, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "application", "app":
		return credentials.TypeApplication, nil
	case "user":
		return credentials.TypeUser, nil
	}
	return "", fmt.Errorf("--type must be application or user, not %q", s)
}
