package credentials

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fullProfile sets every field, bookkeeping included, to a value that is not
// a default, so a field the store forgets or renames shows up as a difference.
func fullProfile() Profile {
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 890123456, time.UTC)
	return Profile{
		ID:            "0123456789abcdef",
		Name:          "Ärger & Co. _-1",
		Type:          TypeUser,
		GrantType:     GrantAuthorizationCode,
		IssuerURL:     "https://idp.example.com/realms/main",
		TokenURL:      "https://idp.example.com/realms/main/token",
		AuthURL:       "https://idp.example.com/realms/main/auth",
		RevocationURL: "https://idp.example.com/realms/main/revoke",
		ClientID:      "workbench-ui",
		AuthMethod:    AuthPost,
		Scope:         "openid profile api://backend/.default",
		Audience:      "https://api.example.com",
		Resource:      "https://api.example.com/v1",
		// Kept for a later switch to private_key_jwt; any PEM text round-trips.
		Certificate:       "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		AssertionAlg:      AlgPS256,
		AssertionHeaders:  HeadersX5tS256,
		AssertionAudience: AudienceIssuer,
		SecretExpiresAt:   time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC),
		RefreshInterval:   Duration(90 * time.Second),
		Proxy:             Proxy{Mode: ProxyURL, URL: "http://proxy.example.com:3128", Username: "bob"},
		TLS:               TLS{CAFile: "/etc/ssl/certs/corp.pem", InsecureSkipVerify: true},
		UsernameClaim:     "preferred_username",
		RolesClaim:        "realm_access.roles",
		TenantClaim:       "$.TenantID",
		Tenant:            "testTenant",
		TenantHeader:      "X-Tenant",
		RedirectPort:      8400,
		GitHosts:          "dev.azure.com git.example.com/team/*",
		GitUsername:       "build-bot",
		MFA:               MFAPolicy{Required: true, ACRValues: "urn:okta:loa:2fa:any phr", FreshSignIn: true, ClaimsParam: true, AuthContext: "c1"},

		ManagementProfile:     "fedcba9876543210",
		ManagementAPI:         "keycloak",
		ManagementURL:         "https://idp.example.com/admin/realms/main",
		RegistrationClientURI: "https://idp.example.com/reg/workbench-ui",
		MaxSecretAge:          Duration(90 * 24 * time.Hour),

		DPoP:                    true,
		BindTokensToCertificate: true,
		PAR:                     true,
		RequestObject:           true,
		SubjectProfile:          "0011223344556677",
		ActorProfile:            "8899aabbccddeeff",
		RequestedTokenType:      "urn:ietf:params:oauth:token-type:access_token",
		AssertionSubject:        "svc-build@example.com",
		Bookkeeping: Bookkeeping{
			Revision:        7,
			CreatedAt:       t0,
			UpdatedAt:       t0.Add(time.Hour),
			HasSecret:       true,
			SecretSetAt:     t0.Add(2 * time.Hour),
			SecretRotatedAt: t0.Add(3 * time.Hour),
			HasProxyPass:    true,
			HasPrivateKey:   true,
			LastStatus:      StatusFailed,
			LastError:       "invalid_client: client authentication failed",
			LastCategory:    "credentials",
			LastChecked:     t0.Add(4 * time.Hour),
			TokenExpiry:     t0.Add(5 * time.Hour),
			LoggedInAs:      "alice",
			Subject:         "u-alice",
			LoginAt:         t0.Add(6 * time.Hour),
			LoginMFA:        "MFA verified: otp, pwd",

			SecretKeyID:           "6c0c3c3e-1f0a-4c5b-9b1e-2a7d1c0e9f11",
			SecretExpirySource:    SecretExpiryFromIdP,
			SecretExpiryCheckedAt: t0.Add(7 * time.Hour),
			SecretCreatedAt:       t0.Add(-24 * time.Hour),
			PendingAtIdP: PendingAtIdP{Step: "revoke", API: "entra", AppID: "app-object-id", AppName: "Billing API",
				NewKeyID: "new-key", OldKeyID: "old-key", Since: t0.Add(8 * time.Hour), Due: t0.Add(32 * time.Hour),
				NewExpires: t0.Add(90 * 24 * time.Hour), NewCreated: t0.Add(8 * time.Hour), RevokeOld: "7d", Management: "graph admin", NewName: "credworkbench billing 2026-01-01",
				LastError: "revoking the secret at the IdP: HTTP 503", Tries: 2, LastTry: t0.Add(9 * time.Hour)},
		},
	}
}

// assertAllSet fails for every field of v (recursively) that holds its zero value.
func assertAllSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.Type() == reflect.TypeFor[time.Time]() || v.Kind() != reflect.Struct {
		if v.IsZero() {
			t.Errorf("fixture leaves %s at its zero value: set it so the round trip covers it", path)
		}
		return
	}
	for i := range v.NumField() {
		assertAllSet(t, v.Field(i), path+"."+v.Type().Field(i).Name)
	}
}

func TestStoreRoundTripsEveryField(t *testing.T) {
	p := fullProfile()
	assertAllSet(t, reflect.ValueOf(p), "Profile")

	q := fullProfile()
	q.ID, q.Name, q.Type, q.GrantType = "fedcba9876543210", "M2M api", TypeApplication, GrantClientCredentials
	q.AuthMethod, q.Proxy = AuthBasic, Proxy{Mode: ProxySystem}
	q.LastStatus, q.LastError, q.LastCategory = StatusActive, "", ""

	path := filepath.Join(t.TempDir(), "profiles.json")
	s := NewStore(path)
	if err := s.Update(func([]Profile) ([]Profile, error) { return []Profile{p, q}, nil }); err != nil {
		t.Fatal(err)
	}
	got, err := NewStore(path).List()
	if err != nil {
		t.Fatal(err)
	}
	want := []Profile{q, p} // sorted by lower-cased name: "m2m api" < "ärger …"
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.MarshalIndent(got, "", " ")
		wb, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("profiles changed on the way through the store:\ngot  %s\nwant %s", gb, wb)
	}

	// Get by ID and by name (any case) finds the same record.
	for _, key := range []string{p.ID, strings.ToUpper(p.Name), "  m2m API "} {
		g, err := s.Get(key)
		if err != nil {
			t.Fatalf("Get(%q): %v", key, err)
		}
		if g.ID != p.ID && g.ID != q.ID {
			t.Fatalf("Get(%q) returned %q", key, g.ID)
		}
	}
	if _, err := s.Get("nobody"); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Fatalf("Get of a missing profile: %v", err)
	}
}

func TestDurationJSON(t *testing.T) {
	b, err := json.Marshal(Duration(5 * time.Minute))
	if err != nil || string(b) != `"5m0s"` {
		t.Fatalf("Marshal(5m) = %s, %v; want \"5m0s\"", b, err)
	}
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{`"5m0s"`, 5 * time.Minute},
		{`"90s"`, 90 * time.Second},
		{`"1h"`, time.Hour},
		{`300`, 5 * time.Minute},
		{`45.5`, 45*time.Second + 500*time.Millisecond},
		{`""`, 0},
	} {
		var d Duration
		if err := json.Unmarshal([]byte(tc.in), &d); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if d.D() != tc.want {
			t.Errorf("Unmarshal(%s) = %v, want %v", tc.in, d.D(), tc.want)
		}
	}
	for _, bad := range []string{`"five minutes"`, `true`, `{}`} {
		var d Duration
		err := json.Unmarshal([]byte(bad), &d)
		if err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		} else if !strings.Contains(err.Error(), "30s") && !strings.Contains(err.Error(), "seconds") {
			t.Errorf("Unmarshal(%s) error does not say what is expected: %v", bad, err)
		}
	}
}

// A hand-edited file may give the refresh interval in seconds; the store reads it.
func TestStoreReadsDurationAsSeconds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "profiles.json")
	content := `{"schemaVersion": 1, "profiles": [
  {"id": "a1", "name": "secs", "type": "user", "clientId": "c", "issuerUrl": "https://idp.example.com", "refreshInterval": 120},
  {"id": "a2", "name": "text", "type": "user", "clientId": "c", "issuerUrl": "https://idp.example.com", "refreshInterval": "5m0s"}
]}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, err := NewStore(path).List()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].RefreshInterval.D() != 2*time.Minute || ps[1].RefreshInterval.D() != 5*time.Minute {
		t.Fatalf("got %+v", ps)
	}
	// Written back, it is the readable form.
	if err := NewStore(path).Update(func(ps []Profile) ([]Profile, error) { return ps, nil }); err != nil {
		t.Fatal(err)
	}
	if b := readFile(t, path); !strings.Contains(string(b), `"refreshInterval": "2m0s"`) {
		t.Fatalf("rewritten file does not hold \"2m0s\":\n%s", b)
	}
}

func TestNormalize(t *testing.T) {
	p := Profile{Name: "  spaced  ", Type: TypeApplication, Scope: "  a   b\tc ", Proxy: Proxy{URL: " http://p:1 "}}
	p.Normalize()
	want := Profile{Name: "spaced", Type: TypeApplication, GrantType: GrantClientCredentials, Scope: "a b c",
		AuthMethod: AuthBasic, RefreshInterval: Duration(DefaultRefreshInterval),
		Proxy: Proxy{Mode: ProxyURL, URL: "http://p:1"}, TenantHeader: DefaultTenantHeader,
		Bookkeeping: Bookkeeping{LastStatus: StatusUntested}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("Normalize:\ngot  %+v\nwant %+v", p, want)
	}
	u := Profile{Type: TypeUser}
	u.Normalize()
	if u.GrantType != GrantAuthorizationCode || u.Proxy.Mode != ProxyNone {
		t.Fatalf("User defaults: %+v", u)
	}
	if p.Config().Bookkeeping != (Bookkeeping{}) || p.Config().Name != "spaced" {
		t.Fatalf("Config() keeps bookkeeping or loses settings: %+v", p.Config())
	}
}

func TestStatusAt(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		status Status
		expiry time.Time
		want   Status
	}{
		{"", time.Time{}, StatusUntested},
		{StatusActive, now.Add(time.Minute), StatusActive},
		{StatusActive, now, StatusExpired},
		{StatusActive, time.Time{}, StatusActive},
		{StatusFailed, now.Add(-time.Hour), StatusFailed},
		{StatusLoggedOut, time.Time{}, StatusLoggedOut},
	} {
		p := Profile{Bookkeeping: Bookkeeping{LastStatus: c.status, TokenExpiry: c.expiry}}
		if got := p.StatusAt(now); got != c.want {
			t.Errorf("%q expiring %v: %q, want %q", c.status, c.expiry, got, c.want)
		}
	}
}

// An Okta secret has no expiry at the IdP: the admin's maximum age gives
// the date every expiry warning uses (credctl expiring, list, the window).
func TestCredentialExpiryFromMaxSecretAge(t *testing.T) {
	created := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	p := Profile{Type: TypeApplication, MaxSecretAge: Duration(90 * 24 * time.Hour),
		Bookkeeping: Bookkeeping{HasSecret: true, SecretCreatedAt: created}}
	if at, what := p.CredentialExpiry(); !at.Equal(created.Add(90*24*time.Hour)) || what != "client secret (maximum age)" {
		t.Fatalf("max age: %v %q", at, what)
	}
	p.SecretExpiresAt = created.Add(30 * 24 * time.Hour) // a real expiry wins
	if at, what := p.CredentialExpiry(); !at.Equal(p.SecretExpiresAt) || what != "client secret" {
		t.Fatalf("expiry date: %v %q", at, what)
	}
	p.SecretExpiresAt, p.SecretCreatedAt, p.SecretSetAt = time.Time{}, time.Time{}, created.Add(time.Hour)
	if at, _ := p.CredentialExpiry(); !at.Equal(created.Add(time.Hour + 90*24*time.Hour)) {
		t.Fatalf("from the secret's set date: %v", at)
	}
}
