package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// savingOps is the real service; it only remembers what the form asked it
// to save, so the test can compare that with what was loaded.
type savingOps struct {
	*oauthflow.Service
	mu    sync.Mutex
	saved []credentials.Profile
}

func (o *savingOps) Save(p credentials.Profile, ch credentials.SecretChange) (credentials.Profile, error) {
	o.mu.Lock()
	o.saved = append(o.saved, p)
	o.mu.Unlock()
	return o.Service.Save(p, ch)
}

func (o *savingOps) last() (credentials.Profile, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.saved) == 0 {
		return credentials.Profile{}, 0
	}
	return o.saved[len(o.saved)-1], len(o.saved)
}

// roundTripProfiles is one profile of every kind the form handles, each with
// every field it can hold set to a value that is not a default, including
// the fields the form hides for the kind (an Application profile's login
// endpoints, a stale proxy URL under the system proxy).
func roundTripProfiles(caFile string) []credentials.Profile {
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 890123456, time.UTC)
	book := credentials.Bookkeeping{
		CreatedAt: t0, UpdatedAt: t0.Add(time.Hour), HasSecret: true, SecretSetAt: t0.Add(2 * time.Hour),
		SecretRotatedAt: t0.Add(3 * time.Hour), HasProxyPass: true,
		LastStatus: credentials.StatusFailed, LastError: "invalid_client: client authentication failed",
		LastCategory: "credentials", LastChecked: t0.Add(4 * time.Hour), TokenExpiry: t0.Add(5 * time.Hour),
		LoggedInAs: "alice", LoginAt: t0.Add(6 * time.Hour), Subject: "248289761001", LoginMFA: "MFA verified: pwd, otp",
	}
	userFull := credentials.Profile{
		Name: "Ärger & Co. _-1", Type: credentials.TypeUser,
		IssuerURL: "https://idp.example.com/realms/main", TokenURL: "https://idp.example.com/realms/main/token",
		AuthURL: "https://idp.example.com/realms/main/auth", RevocationURL: "https://idp.example.com/realms/main/revoke",
		ClientID: "workbench-ui", AuthMethod: credentials.AuthPost, Scope: "openid profile api://backend/.default",
		Audience: "https://api.example.com", Resource: "https://api.example.com/v1",
		RefreshInterval: credentials.Duration(90 * time.Second),
		Proxy:           credentials.Proxy{Mode: credentials.ProxyURL, URL: "http://proxy.example.com:3128", Username: "bob"},
		TLS:             credentials.TLS{CAFile: caFile, InsecureSkipVerify: true},
		UsernameClaim:   "preferred_username", RolesClaim: "realm_access.roles", TenantClaim: "$.TenantID",
		Tenant: "testTenant", TenantHeader: "X-Tenant", RedirectPort: 8400,
		GitHosts: "dev.azure.com git.example.com/team/*", GitUsername: "build-bot",
		SecretExpiresAt: time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC),
		MFA: credentials.MFAPolicy{Required: true, ACRValues: "urn:okta:loa:2fa:any phr", FreshSignIn: true,
			ClaimsParam: true, AuthContext: "c7"},
		Bookkeeping: book,
	}
	userPublic := credentials.Profile{
		Name: "Public login", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com/realms/pub",
		ClientID: "spa", Scope: "openid", Resource: "https://api.example.com/", Audience: "backend",
		Proxy: credentials.Proxy{Mode: credentials.ProxySystem},
	}
	appFull := userFull
	appFull.Name, appFull.Type = "M2M api", credentials.TypeApplication
	appFull.AuthMethod = credentials.AuthBasic
	appFull.Proxy = credentials.Proxy{Mode: credentials.ProxySystem, URL: "http://old-proxy.example.com:8080", Username: "carol"}
	appFull.LastStatus, appFull.LastError, appFull.LastCategory = credentials.StatusActive, "", ""
	appFull.HasProxyPass = false // only an explicit proxy URL keeps a password (the repository drops it otherwise)
	appPlain := credentials.Profile{
		Name: "Plain app", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token",
		ClientID: "reports", Bookkeeping: credentials.Bookkeeping{HasSecret: true},
	}
	km, err := credentials.GenerateKeyMaterial("wb-pkjwt", 30, t0)
	if err != nil {
		panic(err)
	}
	appCert := credentials.Profile{
		Name: "Cert app", Type: credentials.TypeApplication, IssuerURL: "https://login.example.com/tenant/v2.0",
		TokenURL: "https://login.example.com/tenant/oauth2/v2.0/token", ClientID: "cert-client",
		AuthMethod: credentials.AuthPrivateKeyJWT, Certificate: credentials.CertificatePEM(km.Cert),
		AssertionAlg: credentials.AlgPS256, AssertionHeaders: credentials.HeadersX5tS256, AssertionAudience: credentials.AudienceIssuer,
		Bookkeeping: credentials.Bookkeeping{HasPrivateKey: true},
	}
	userCert := appCert // a confidential User client with a certificate
	userCert.Name, userCert.Type, userCert.GrantType = "Cert user", credentials.TypeUser, credentials.GrantAuthorizationCode
	userCert.AuthURL = "https://login.example.com/tenant/oauth2/v2.0/authorize"
	userCert.PAR, userCert.RequestObject = true, true // the login pushed and signed (RFC 9126, RFC 9101)
	appMTLS := appCert                                // mutual TLS (RFC 8705) with certificate-bound tokens
	appMTLS.Name, appMTLS.AuthMethod, appMTLS.BindTokensToCertificate = "mTLS app", credentials.AuthSelfSignedTLS, true
	// IdP secret lifecycle (#26): managed through appPlain (seedNoSecrets's
	// ID for it); nothing due, so the workbench's RunDue leaves it alone.
	managed := appPlain
	managed.Name, managed.ManagementProfile, managed.ManagementAPI = "Managed app", "seed-plain-app-d", "okta"
	managed.ManagementURL, managed.RegistrationClientURI = "https://okta.example.com", "https://idp.example.com/reg/reports"
	managed.MaxSecretAge = credentials.Duration(90 * 24 * time.Hour)
	managed.Bookkeeping = credentials.Bookkeeping{HasSecret: true, SecretKeyID: "ocs1", SecretExpirySource: credentials.SecretExpiryFromIdP,
		SecretExpiryCheckedAt: time.Now().UTC(), SecretCreatedAt: t0.Add(-time.Hour), PendingAtIdP: credentials.PendingAtIdP{Step: "revoke", API: "okta",
			AppID: "0oa1", AppName: "Reports", NewKeyID: "ocs1", OldKeyID: "ocs0", Since: t0, Due: time.Now().UTC().Add(48 * time.Hour),
			NewExpires: t0.Add(90 * 24 * time.Hour), NewCreated: t0, NewName: "credworkbench Reports", RevokeOld: "2d", Management: "Plain app", LastError: "HTTP 503",
			Tries: 1, LastTry: t0}}
	// Modern OAuth (#28): DPoP, and the derived grants (subject and actor
	// by their seed IDs: userPublic is b, appFull c).
	appDPoP := appPlain
	appDPoP.Name, appDPoP.DPoP = "DPoP app", true
	exchange := appPlain
	exchange.Name, exchange.GrantType = "Exchanged", credentials.GrantTokenExchange
	exchange.SubjectProfile, exchange.ActorProfile = "seed-public-login-b", "seed-m2m-api-c"
	exchange.RequestedTokenType = "urn:ietf:params:oauth:token-type:jwt"
	jwtBearer := appCert
	jwtBearer.Name, jwtBearer.GrantType, jwtBearer.AssertionSubject = "JWT bearer", credentials.GrantJWTBearer, "svc-build@example.com"
	return []credentials.Profile{userFull, userPublic, appFull, appPlain, appCert, userCert, appMTLS, managed, appDPoP, exchange, jwtBearer}
}

// assertEveryFieldCovered fails for each field of Profile (recursively) that
// no fixture sets, so a field added later must be added here too.
func assertEveryFieldCovered(t *testing.T, ps []credentials.Profile) {
	t.Helper()
	var check func(vs []reflect.Value, path string)
	check = func(vs []reflect.Value, path string) {
		typ := vs[0].Type()
		if typ == reflect.TypeFor[time.Time]() || typ.Kind() != reflect.Struct {
			for _, v := range vs {
				if !v.IsZero() {
					return
				}
			}
			t.Errorf("no round-trip fixture sets %s: set it in roundTripProfiles", path)
			return
		}
		for i := range typ.NumField() {
			sub := make([]reflect.Value, len(vs))
			for j, v := range vs {
				sub[j] = v.Field(i)
			}
			check(sub, path+"."+typ.Field(i).Name)
		}
	}
	vs := make([]reflect.Value, len(ps))
	for i, p := range ps {
		vs[i] = reflect.ValueOf(p)
	}
	check(vs, "Profile")
}

// Edit → Save with no change must hand the service exactly the profile it
// loaded, for every kind of profile, and leave the stored settings as they were.
func TestEditSaveWithoutChangesKeepsEveryField(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, []byte("not read by the form"), 0o600); err != nil {
		t.Fatal(err)
	}
	seedNoSecrets(t, repo, roundTripProfiles(caFile)...)
	before, err := repo.List()
	if err != nil {
		t.Fatal(err)
	}
	assertEveryFieldCovered(t, before)
	svc := oauthflow.NewService(repo, nil, nil)
	t.Cleanup(svc.Close)
	ops := &savingOps{Service: svc}
	h := newHarnessOps(t, repo, ops)

	for i, p := range before {
		t.Run(p.Name, func(t *testing.T) {
			h.selectProfile(p.Name)
			h.wb.screens.editSelected()
			f := h.wb.screens.form
			if f == nil {
				t.Fatal("Edit did not open the form")
			}
			if f.save.Disabled() {
				t.Fatalf("Save is disabled on an unchanged valid profile: %q", f.problems.Text)
			}
			h.tap(f.save)
			h.waitFor("the save", func() bool { _, n := ops.last(); return n == i+1 })
			got, _ := ops.last()
			if !reflect.DeepEqual(got, p) {
				gb, _ := json.MarshalIndent(got, "", " ")
				wb, _ := json.MarshalIndent(p, "", " ")
				t.Fatalf("Edit → Save without changes altered the profile:\nsaved  %s\nloaded %s", gb, wb)
			}
			h.waitFor("the form to close", func() bool { return h.wb.screens.form == nil })
			stored, err := repo.Get(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Config() != p.Config() {
				t.Errorf("stored settings changed:\n%+v\n%+v", stored.Config(), p.Config())
			}
			if stored.HasSecret != p.HasSecret || stored.HasProxyPass != p.HasProxyPass || stored.SecretSetAt != p.SecretSetAt ||
				stored.HasPrivateKey != p.HasPrivateKey {
				t.Errorf("stored secret bookkeeping changed: %+v", stored.Bookkeeping)
			}
		})
	}
}
