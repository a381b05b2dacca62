package oauthflow

import (
	"context"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

func TestApplyPreset(t *testing.T) {
	for _, c := range []struct {
		in                  PresetInput
		issuer, token, auth string
		note                string
	}{
		{PresetInput{IdP: PresetEntra, Base: "contoso.onmicrosoft.com"}, "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
			"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
			"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize", "/.default"},
		{PresetInput{IdP: PresetOkta, Base: "https://example.okta.com/", Sub: "default"}, "https://example.okta.com/oauth2/default",
			"https://example.okta.com/oauth2/default/v1/token", "https://example.okta.com/oauth2/default/v1/authorize", "API Access Management"},
		{PresetInput{IdP: PresetOkta, Base: "https://example.okta.com"}, "https://example.okta.com",
			"https://example.okta.com/oauth2/v1/token", "https://example.okta.com/oauth2/v1/authorize", "only with private_key_jwt"},
		{PresetInput{IdP: PresetKeycloak, Base: "https://sso.example.com", Sub: "main"}, "https://sso.example.com/realms/main",
			"https://sso.example.com/realms/main/protocol/openid-connect/token", "https://sso.example.com/realms/main/protocol/openid-connect/auth", "Service account"},
		{PresetInput{IdP: PresetKeycloak, Base: "https://sso.example.com/", Sub: "main", LegacyAuthPrefix: true}, "https://sso.example.com/auth/realms/main",
			"https://sso.example.com/auth/realms/main/protocol/openid-connect/token", "https://sso.example.com/auth/realms/main/protocol/openid-connect/auth", ""},
	} {
		r, err := ApplyPreset(c.in)
		if err != nil || r.IssuerURL != c.issuer || r.TokenURL != c.token || r.AuthURL != c.auth ||
			(c.note != "" && !strings.Contains(strings.Join(r.Notes, " ")+r.ScopeHint, c.note)) {
			t.Errorf("%+v: %+v, %v", c.in, r, err)
		}
	}
	if r, _ := ApplyPreset(PresetInput{IdP: PresetEntra, Base: "tenant-guid"}); r.AssertionAlg != credentials.AlgPS256 {
		t.Error("Entra preset without PS256")
	}
	for _, bad := range []PresetInput{
		{IdP: PresetEntra, Base: "https://evil.example.com/contoso.onmicrosoft.com"},
		{IdP: PresetOkta, Base: "http://example.okta.com"},
		{IdP: PresetKeycloak, Base: "https://sso.example.com"},
		{IdP: PresetGeneric, Base: "ftp://x"},
		{IdP: "Ping"},
	} {
		if _, err := ApplyPreset(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// The generic preset against the real IdP: with or without the trailing
// slash, discovery finds the endpoints.
func TestGenericPresetDiscovers(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, nil)
	for _, iss := range []string{idp.Issuer, idp.Issuer + "/"} {
		r, err := ApplyPreset(PresetInput{IdP: PresetGeneric, Base: iss})
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Discover(context.Background(), credentials.Profile{Name: "x", IssuerURL: r.IssuerURL})
		if err != nil || e.TokenURL != idp.TokenURL {
			t.Errorf("%s: %+v, %v", iss, e, err)
		}
	}
}

// What the IdPs' consoles show is accepted as the preset's input (#24.15).
func TestPresetFromConsole(t *testing.T) {
	for _, c := range []struct {
		in   PresetInput
		want string
	}{
		{PresetInput{IdP: PresetOkta, Base: "dev-123456.okta.com", Sub: "default"}, "https://dev-123456.okta.com/oauth2/default"},
		{PresetInput{IdP: PresetOkta, Base: " https://dev-123456-admin.okta.com/admin/dashboard "}, "https://dev-123456.okta.com"},
		{PresetInput{IdP: PresetOkta, Base: "https://dev-1.okta.com/oauth2/aus1abc", Sub: "default"}, "https://dev-1.okta.com/oauth2/aus1abc"},
		{PresetInput{IdP: PresetKeycloak, Base: "sso.example.com/realms/main/"}, "https://sso.example.com/realms/main"},
		{PresetInput{IdP: PresetKeycloak, Base: "https://sso.example.com/admin/master/console/#/shop/clients"}, "https://sso.example.com/realms/shop"},
		{PresetInput{IdP: PresetKeycloak, Base: "https://old.example.com/auth/realms/main"}, "https://old.example.com/auth/realms/main"},
		{PresetInput{IdP: PresetEntra, Base: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"}, "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"},
		{PresetInput{IdP: PresetGeneric, Base: "idp.example.com"}, "https://idp.example.com"},
	} {
		r, err := ApplyPreset(c.in)
		if err != nil || r.IssuerURL != c.want {
			t.Errorf("%+v: %v %q, want %q", c.in, err, r.IssuerURL, c.want)
		}
	}
	if _, err := ApplyPreset(PresetInput{IdP: PresetOkta, Base: "not a host"}); err == nil {
		t.Error("a value with spaces was accepted as an Okta org")
	}
}
