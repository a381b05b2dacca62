package oauthflow

import (
	"net/url"
	"strings"

	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// FromConsole turns what an admin copies from the IdP's console into the
// preset's fields: "dev-123456.okta.com" is https://dev-123456.okta.com,
// Okta's admin host (dev-123456-admin.okta.com) is the org, an issuer URL
// brings its authorization server or realm along, and Entra's login URLs
// their tenant. Anything it does not recognise is left for ApplyPreset to
// judge, so a refusal still names the field.
func FromConsole(in PresetInput) PresetInput {
	in.Base, in.Sub = strings.TrimSpace(in.Base), strings.TrimSpace(in.Sub)
	if in.IdP == PresetEntra {
		in.Base = entraTenantOf(in.Base)
		return in
	}
	if in.Base == "" {
		return in
	}
	if !strings.Contains(in.Base, "://") && !strings.ContainsAny(in.Base, " \t") {
		in.Base = "https://" + in.Base
	}
	u, err := url.Parse(in.Base)
	if err != nil || u.Host == "" {
		return in
	}
	switch in.IdP {
	case PresetOkta:
		host := u.Host
		if first, rest, ok := strings.Cut(host, "."); ok && strings.HasSuffix(first, "-admin") {
			host = strings.TrimSuffix(first, "-admin") + "." + rest
		}
		// An issuer such as https://org/oauth2/default names the server.
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) >= 2 && parts[0] == "oauth2" && parts[1] != "v1" {
			if in.Sub == "" || in.Sub == "default" {
				in.Sub = parts[1]
			}
		}
		in.Base = u.Scheme + "://" + host
	case PresetKeycloak:
		path := u.Path
		realm := ""
		if before, after, ok := strings.Cut(path, "/realms/"); ok {
			path, realm = before, strings.SplitN(after, "/", 2)[0]
		} else if before, _, ok := strings.Cut(path, "/admin/"); ok {
			// The admin console: https://sso/admin/master/console/#/REALM/…
			path = before
			if r, ok := strings.CutPrefix(u.Fragment, "/"); ok {
				realm = strings.SplitN(r, "/", 2)[0]
			}
		}
		if realm != "" && in.Sub == "" {
			in.Sub = realm
		}
		if strings.TrimSuffix(path, "/") == "/auth" {
			in.LegacyAuthPrefix, path = true, ""
		}
		in.Base = u.Scheme + "://" + u.Host + strings.TrimSuffix(path, "/")
	}
	return in
}

// entraTenantOf takes the tenant out of a login.microsoftonline.com URL
// (an issuer, token or authorize URL); a bare tenant stays as it is.
func entraTenantOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host != idp.EntraHost {
		return s
	}
	if t := strings.SplitN(strings.Trim(u.Path, "/"), "/", 2)[0]; t != "" {
		return t
	}
	return s
}

// PresetLabels are the names of a preset's two input fields as the IdP's
// console calls them ("" = the field is not used).
func PresetLabels(idp PresetIdP) (base, sub string) {
	switch idp {
	case PresetEntra:
		return "Tenant", ""
	case PresetOkta:
		return "Org URL", "Authorization server ID"
	case PresetKeycloak:
		return "Base URL", "Realm"
	}
	return "Issuer URL", ""
}

// PresetGuidance says where an admin finds the preset's values and what
// the IdP needs, shown in the preset dialog before anything is filled in.
func PresetGuidance(idp PresetIdP) string {
	switch idp {
	case PresetEntra:
		return "Tenant: the Directory (tenant) ID on the app registration's Overview page, or a verified domain " +
			"such as contoso.onmicrosoft.com. Client credentials need a scope ending in /.default (api://<app-id>/.default)."
	case PresetOkta:
		return "Org URL: your Okta domain as the admin console shows it (dev-123456.okta.com; the -admin host works too). " +
			"Authorization server ID: Security › API › Authorization Servers (default); empty = the org server, which " +
			"serves only okta.* scopes and client credentials only with private_key_jwt."
	case PresetKeycloak:
		return "Base URL: the Keycloak server (https://sso.example.com); a realm URL such as https://sso.example.com/realms/main " +
			"fills the realm too. Client credentials need Client authentication ON and Service account roles."
	}
	return "Issuer URL: the IdP's issuer; Discover then reads the endpoints from its /.well-known/openid-configuration."
}

// PresetScopeHint is the scope field's placeholder for a preset.
func PresetScopeHint(idp PresetIdP, sub string) string {
	switch idp {
	case PresetEntra:
		return "client credentials: api://<app-id>/.default"
	case PresetOkta:
		if sub == "" {
			return "okta.* scopes only"
		}
		return "a scope defined on the authorization server"
	case PresetKeycloak:
		return "client scopes of the realm, e.g. openid profile"
	}
	return DefaultScopeHint
}

// DefaultScopeHint is the scope field's placeholder without a preset.
const DefaultScopeHint = "space-separated, e.g. api:read api:write"
