package oauthflow

import (
	"context"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/resourcemeta"
)

// TestProfileFromAPI: an API's protected-resource metadata (RFC 9728) at
// its well-known URL or named in its 401 leads to its authorization
// server, whose discovery fills the profile; hostile documents are refused
// in our words.
func TestProfileFromAPI(t *testing.T) {
	idp := testidp.Shared(t)
	s := NewService(credtest.Repository(t, credtest.NewKeyring(), credtest.InDir(t.TempDir())), nil, nil)
	defer s.Close()
	cfg := testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}
	draft := credentials.Profile{Name: "orders", Type: credentials.TypeUser, ClientID: testidp.PublicClientID}

	t.Run("well-known", func(t *testing.T) {
		api := testapi.StartProtected(t, cfg, testapi.ProtectedResource{
			AuthorizationServers: []string{idp.Issuer, "https://other-idp.example.com"}, Scopes: []string{"api:read", "api:write"},
			DPoPRequired: true, TLSBound: true, Name: "Orders API"})
		out, err := s.ProfileFromAPI(context.Background(), api.URL, draft)
		if err != nil {
			t.Fatalf("ProfileFromAPI: %v", err)
		}
		p := out.Profile
		if p.IssuerURL != idp.Issuer || p.TokenURL != idp.TokenURL || p.AuthURL == "" || p.Scope != "api:read api:write" ||
			p.Resource != api.URL || !p.DPoP || !p.BindTokensToCertificate || p.ClientID != testidp.PublicClientID {
			t.Fatalf("profile %+v", p)
		}
		if len(out.Others) != 1 || !strings.Contains(strings.Join(out.Notes, " "), "other-idp.example.com") {
			t.Errorf("other servers %v, notes %q", out.Others, out.Notes)
		}
	})
	t.Run("resource_metadata in the 401", func(t *testing.T) {
		api := testapi.StartProtected(t, cfg, testapi.ProtectedResource{AuthorizationServers: []string{idp.Issuer}, OnlyInChallenge: true})
		out, err := s.ProfileFromAPI(context.Background(), api.URL+"/orders", draft)
		if err != nil {
			t.Fatalf("ProfileFromAPI: %v", err)
		}
		if out.Profile.IssuerURL != idp.Issuer || !strings.HasSuffix(out.Metadata.Source, "/metadata") {
			t.Fatalf("issuer %q from %q", out.Profile.IssuerURL, out.Metadata.Source)
		}
	})
	for _, tc := range []struct {
		name string
		pr   testapi.ProtectedResource
		want string
	}{
		{"another resource", testapi.ProtectedResource{AuthorizationServers: []string{idp.Issuer}, Resource: "https://bank.example.com"}, "is for the resource https://bank.example.com"},
		{"http authorization server", testapi.ProtectedResource{AuthorizationServers: []string{"http://idp.example.com"}}, "https"},
		{"huge document", testapi.ProtectedResource{AuthorizationServers: []string{idp.Issuer}, Huge: true}, "larger than 64 KiB"},
		{"no authorization server", testapi.ProtectedResource{}, "names no authorization_servers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := testapi.StartProtected(t, cfg, tc.pr)
			_, err := s.ProfileFromAPI(context.Background(), api.URL, draft)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ProfileFromAPI = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("no metadata", func(t *testing.T) {
		api := testapi.StartJSON(t, cfg)
		_, err := s.ProfileFromAPI(context.Background(), api.URL+"/orders", draft)
		if err == nil || !strings.Contains(err.Error(), "publishes no protected-resource metadata") {
			t.Fatalf("ProfileFromAPI = %v", err)
		}
	})
}

func TestWellKnownURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com":             "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/":            "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/v1/orders?x": "https://api.example.com/.well-known/oauth-protected-resource/v1/orders",
	} {
		if got, err := resourcemeta.WellKnownURL(in); err != nil || got != want {
			t.Errorf("WellKnownURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
