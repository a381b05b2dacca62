package oauthflow

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

func ccJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": "k1"})
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + ".c2ln"
}

func TestInspectClaimPaths(t *testing.T) {
	tok := ccJWT(t, map[string]any{
		"sub": "u-1", "preferred_username": "alice", "iss": "https://idp", "aud": "api", "exp": 1700000000,
		"realm_access":               map[string]any{"roles": []any{"admin", "viewer"}},
		"TenantID":                   "t-1",
		"https://example.com/groups": "a,b c",
		"resource_access":            map[string]any{"my-app": map[string]any{"roles": []any{"editor"}}},
		"scp":                        []any{"read", "write"},
	})
	cases := []struct {
		name  string
		p     credentials.Profile
		user  string
		roles []string
		ten   string
	}{
		{"defaults", credentials.Profile{}, "alice", []string{"admin", "viewer"}, ""},
		{"configured", credentials.Profile{UsernameClaim: "sub", RolesClaim: `resource_access['my-app'].roles`, TenantClaim: "$.TenantID"}, "u-1", []string{"editor"}, "t-1"},
		{"string roles", credentials.Profile{RolesClaim: `["https://example.com/groups"]`}, "alice", []string{"a", "b", "c"}, ""},
		{"missing", credentials.Profile{UsernameClaim: "email", RolesClaim: "groups"}, "", nil, ""},
	}
	for _, c := range cases {
		info := Inspect(tok, c.p)
		if info.Opaque || info.Username != c.user || !reflect.DeepEqual(info.Roles, c.roles) || info.Tenant != c.ten {
			t.Errorf("%s: user %q roles %v tenant %q", c.name, info.Username, info.Roles, info.Tenant)
		}
		if info.Issuer != "https://idp" || !reflect.DeepEqual(info.Audience, []string{"api"}) ||
			!reflect.DeepEqual(info.Scopes, []string{"read", "write"}) || !info.Expiry.Equal(time.Unix(1700000000, 0)) || info.TokenType != "at+jwt" {
			t.Errorf("%s: %+v", c.name, info)
		}
	}
	if w := ClaimWarnings(Inspect(tok, cases[3].p), cases[3].p); len(w) != 2 {
		t.Errorf("warnings %v, want 2", w)
	}
	// Without a preferred_username, sub is the username.
	if info := Inspect(ccJWT(t, map[string]any{"sub": "only-sub"}), credentials.Profile{}); info.Username != "only-sub" {
		t.Errorf("username %q", info.Username)
	}
	for _, opaque := range []string{"", "abc", "a.b.c", "2YotnFZFEjr1zCsicMWpAA", "e30.e30", "e30.bnVsbA.x"} {
		if info := Inspect(opaque, credentials.Profile{}); !info.Opaque || info.Claims != nil {
			t.Errorf("%q: %+v, want opaque", opaque, info)
		}
	}
}

// Claim paths against real tokens of the IdP.
func TestInspectRealToken(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	p := ccApp("claims", idp.TokenURL)
	p.UsernameClaim, p.RolesClaim, p.TenantClaim = "preferred_username", "realm_access.roles", "$.TenantID"
	p = ccSave(t, s, p, testidp.AppClientSecret)
	res := ccTest(t, s, p.Name)
	ccWantActive(t, res)
	ti := res.Token
	if ti.Username != testidp.AppUsername || !reflect.DeepEqual(ti.Roles, testidp.AppRoles) || ti.Tenant != testidp.TenantID || len(res.Warnings) != 0 {
		t.Errorf("token info %+v, warnings %v", ti, res.Warnings)
	}
	if ti.Header["alg"] == nil || ti.Issuer != idp.Issuer || ti.Expiry.IsZero() {
		t.Errorf("header %v issuer %q expiry %v", ti.Header, ti.Issuer, ti.Expiry)
	}
	// A mapping that does not fit the token is a warning, not a failure.
	p, _ = s.repo.Get(p.ID)
	p.RolesClaim = "resource_access.app.roles"
	p, err := s.Save(p, credentials.SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	res = ccTest(t, s, p.Name)
	ccWantActive(t, res)
	if len(res.Warnings) != 1 || res.Token.Roles != nil {
		t.Errorf("warnings %v roles %v", res.Warnings, res.Token.Roles)
	}
}
