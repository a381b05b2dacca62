package oauthflow

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// IdP presets: what the Add form fills in from the few values an admin
// knows (tenant, org URL and authorization server, base URL and realm).
// Discovery checks the result; the presets only spare the typing and carry
// each IdP's known pitfalls as notes.

// PresetIdP names a preset.
type PresetIdP string

const (
	PresetEntra    PresetIdP = "Entra ID"
	PresetOkta     PresetIdP = "Okta"
	PresetKeycloak PresetIdP = "Keycloak"
	PresetGeneric  PresetIdP = "Generic OIDC"
)

// PresetInput is what the admin enters for a preset.
type PresetInput struct {
	IdP PresetIdP
	// Entra: tenant ID or domain. Okta: org URL. Keycloak: base URL.
	// Generic: the issuer URL.
	Base string
	// Okta: authorization server ID ("default" pre-filled; "" = the org
	// server). Keycloak: the realm.
	Sub string
	// Keycloak before 17 (WildFly) serves everything under /auth.
	LegacyAuthPrefix bool
}

// PresetResult is what a preset fills in.
type PresetResult struct {
	IssuerURL, TokenURL, AuthURL string
	ScopeHint                    string // placeholder for the scope field
	AssertionAlg                 string // private_key_jwt preset ("" = by key type)
	Notes                        []string
}

// ApplyPreset builds the endpoints of a preset. It takes what the IdP's
// console shows (see FromConsole): a host without https://, Okta's admin
// host, an issuer or realm URL.
func ApplyPreset(in PresetInput) (PresetResult, error) {
	in = FromConsole(in)
	r, err := presetEndpoints(in)
	if err == nil {
		r.ScopeHint = PresetScopeHint(in.IdP, in.Sub)
	}
	return r, err
}

func presetEndpoints(in PresetInput) (PresetResult, error) {
	base, sub := in.Base, in.Sub
	switch in.IdP {
	case PresetEntra:
		if base == "" || !idp.EntraTenantRE().MatchString(base) {
			return PresetResult{}, errors.New("enter the tenant ID (a GUID) or a verified domain such as contoso.onmicrosoft.com")
		}
		root := "https://" + idp.EntraHost + "/" + base
		return PresetResult{
			IssuerURL: root + "/v2.0", TokenURL: root + "/oauth2/v2.0/token", AuthURL: root + "/oauth2/v2.0/authorize",
			AssertionAlg: credentials.AlgPS256,
			Notes: []string{
				"Client credentials need a scope ending in /.default.",
				"Certificates: upload the .crt under Certificates & secrets; the assertion is signed PS256 with x5t and x5t#S256.",
			},
		}, nil
	case PresetOkta:
		org, err := httpsRoot(base, "the Okta org URL, e.g. https://example.okta.com")
		if err != nil {
			return PresetResult{}, err
		}
		if sub == "" {
			return PresetResult{
				IssuerURL: org, TokenURL: org + "/oauth2/v1/token", AuthURL: org + "/oauth2/v1/authorize",
				Notes: []string{"The org authorization server does client credentials only with private_key_jwt and only for okta.* scopes; " +
					"use a custom authorization server (e.g. default) for your own APIs."},
			}, nil
		}
		root := org + "/oauth2/" + url.PathEscape(sub)
		return PresetResult{
			IssuerURL: root, TokenURL: root + "/v1/token", AuthURL: root + "/v1/authorize",
			Notes: []string{"Custom authorization servers need API Access Management in production orgs."},
		}, nil
	case PresetKeycloak:
		root, err := httpsRoot(base, "the Keycloak base URL, e.g. https://sso.example.com")
		if err != nil {
			return PresetResult{}, err
		}
		if sub == "" {
			return PresetResult{}, errors.New("enter the realm")
		}
		if in.LegacyAuthPrefix {
			root += "/auth"
		}
		iss := root + "/realms/" + url.PathEscape(sub)
		return PresetResult{
			IssuerURL: iss, TokenURL: iss + "/protocol/openid-connect/token", AuthURL: iss + "/protocol/openid-connect/auth",
			Notes: []string{"Client credentials need Client authentication ON and Service account roles in the client's settings."},
		}, nil
	case PresetGeneric:
		if _, err := httpsRoot(base, "the issuer URL"); err != nil {
			return PresetResult{}, err
		}
		return PresetResult{IssuerURL: base, Notes: []string{"Press Discover to read the endpoints from the issuer."}}, nil
	}
	return PresetResult{}, fmt.Errorf("unknown IdP preset %q", in.IdP)
}

// httpsRoot checks an https URL (http for loopback) and returns it without
// a trailing slash.
func httpsRoot(raw, what string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && credentials.IsLoopbackHost(u.Hostname()))) {
		return "", fmt.Errorf("enter %s (https)", what)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}
