package oauthflow

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

func TestVerifyMFA(t *testing.T) {
	okta := credentials.MFAPolicy{Required: true, ACRValues: "urn:okta:loa:2fa:any"}
	entra := credentials.MFAPolicy{Required: true, AuthContext: "c2"}
	plain := credentials.MFAPolicy{Required: true}
	for _, c := range []struct {
		name         string
		m            credentials.MFAPolicy
		id, at       map[string]any
		verified     bool
		unprovable   bool
		text, reason string
	}{
		{name: "amr with otp", m: plain, id: map[string]any{"amr": []any{"pwd", "otp"}}, verified: true, text: "MFA verified: pwd, otp"},
		{name: "amr mfa (Okta, Entra v1)", m: okta, id: map[string]any{"amr": []any{"pwd", "mfa"}, "acr": "urn:okta:loa:1fa:pwd"}, verified: true},
		{name: "acr among the requested", m: okta, id: map[string]any{"acr": "urn:okta:loa:2fa:any"}, verified: true, text: "MFA verified: acr urn:okta:loa:2fa:any"},
		{name: "known MFA acr without configured values", m: plain, id: map[string]any{"acr": "phrh"}, verified: true},
		{name: "password only", m: okta, id: map[string]any{"amr": []any{"pwd"}, "acr": "urn:okta:loa:1fa:pwd"}, reason: "none of them a second factor"},
		{name: "acr not the requested", m: okta, id: map[string]any{"acr": "urn:okta:loa:1fa:pwd"}, reason: "not one of the required"},
		{name: "Entra v2.0 ID token: no amr", m: plain, id: map[string]any{"sub": "x"}, unprovable: true, text: "MFA not verifiable"},
		{name: "unknown acr, nothing configured", m: plain, id: map[string]any{"acr": "1"}, unprovable: true, text: "MFA not verifiable"},
		{name: "no ID token at all", m: plain, unprovable: true},
		{name: "Entra authentication context", m: entra, at: map[string]any{"acrs": []any{"c1", "c2"}}, verified: true, text: "MFA verified: authentication context c2"},
		{name: "Entra authentication context missing", m: entra, id: map[string]any{"amr": []any{"pwd", "mfa"}}, at: map[string]any{"acrs": []any{"c1"}}, reason: "does not contain the authentication context c2"},
		{name: "Entra context, opaque access token: amr decides", m: entra, id: map[string]any{"amr": []any{"mfa"}}, verified: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := verifyMFA(c.m, c.id, c.at)
			if v.verified != c.verified || v.unprovable != c.unprovable {
				t.Fatalf("verdict %+v", v)
			}
			if !strings.HasPrefix(v.text, c.text) || !strings.Contains(v.why, c.reason) {
				t.Fatalf("verdict %+v, want text %q, reason %q", v, c.text, c.reason)
			}
			if v.unprovable && strings.Contains(v.text, "verified:") {
				t.Fatalf("an unprovable login reads as verified: %q", v.text)
			}
		})
	}
}

func TestMFARequestParameters(t *testing.T) {
	p := credentials.Profile{MFA: credentials.MFAPolicy{Required: true, ACRValues: "phr phrh", FreshSignIn: true, ClaimsParam: true, AuthContext: "c3"}}
	cfg := oauth2.Config{ClientID: "c", Endpoint: oauth2.Endpoint{AuthURL: "https://idp.example/auth"}}
	u, err := url.Parse(cfg.AuthCodeURL("state", mfaOptions(p)...))
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query()
	if v.Get("acr_values") != "phr phrh" || v.Get("prompt") != "login" || v.Get("max_age") != "0" {
		t.Fatalf("parameters %v", v)
	}
	var claims map[string]map[string]map[string]any
	if err := json.Unmarshal([]byte(v.Get("claims")), &claims); err != nil {
		t.Fatalf("claims %q: %v", v.Get("claims"), err)
	}
	if acr := claims["id_token"]["acr"]; acr["essential"] != true || len(acr["values"].([]any)) != 2 {
		t.Errorf("id_token acr request %v", acr)
	}
	if acrs := claims["access_token"]["acrs"]; acrs["essential"] != true || acrs["value"] != "c3" {
		t.Errorf("access_token acrs request %v", acrs)
	}
	p.MFA.Required = false
	if len(mfaOptions(p)) != 0 {
		t.Error("MFA parameters are sent although MFA is not required")
	}
}

// TestLoginMFA logs in against the test IdP as a user who did MFA (entered
// the one-time code) and as one who did not, and at an IdP that says
// nothing about it.
func TestLoginMFA(t *testing.T) {
	requireKeyring(t)
	const otp = "314159"
	idp := testidp.Start(t,
		testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}),
		testidp.WithUser(testidp.User{Username: "dave", Password: "opaque", Roles: []string{"viewer"}, HideAuthContext: true}))
	policy := credentials.MFAPolicy{Required: true, ACRValues: "urn:okta:loa:2fa:any", FreshSignIn: true}

	login := func(t *testing.T, m credentials.MFAPolicy, user, pw string, opts ...testidp.BrowserOption) (Result, credentials.Profile, *credentials.Repository, []*url.URL) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.MFA = m })
		var mu sync.Mutex
		var seen []*url.URL
		opts = append(opts, testidp.WithAuthURL(func(u *url.URL) { mu.Lock(); seen = append(seen, u); mu.Unlock() }))
		b := newFakeBrowser(func(ctx context.Context, u string) error {
			return testidp.BrowserLogin(ctx, u, user, pw, opts...)
		})
		s := NewService(repo, b, nil)
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := s.Login(ctx, p.Name, LoginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_ = b.browserResult(t)
		stored, _ := repo.Get(p.ID)
		mu.Lock()
		defer mu.Unlock()
		return res, stored, repo, seen
	}

	t.Run("did MFA", func(t *testing.T) {
		m := policy
		m.ClaimsParam = true
		res, stored, _, seen := login(t, m, "carol", "secure", testidp.WithOTP(otp))
		if !res.Active() {
			t.Fatalf("status %s: %v", res.Status, res.Failure)
		}
		if res.Token.MFA != "MFA verified: pwd, otp" || stored.LoginMFA != res.Token.MFA {
			t.Fatalf("session MFA %q, recorded %q", res.Token.MFA, stored.LoginMFA)
		}
		q := seen[0].Query()
		if q.Get("acr_values") != m.ACRValues || q.Get("prompt") != "login" || q.Get("max_age") != "0" || !strings.Contains(q.Get("claims"), `"essential":true`) {
			t.Errorf("the authorization request lacks the MFA parameters: %v", q)
		}
	})
	t.Run("did not do MFA", func(t *testing.T) {
		res, stored, repo, _ := login(t, policy, "carol", "secure")
		if res.Active() || res.Failure == nil || res.Failure.Category != CatMFA || !strings.Contains(res.Failure.Message, "pwd") {
			t.Fatalf("status %s: %+v", res.Status, res.Failure)
		}
		if res.Failure.Category.Label() != "MFA / conditional access" || res.Failure.Advice() == "" {
			t.Errorf("category %q", res.Failure.Category.Label())
		}
		if _, err := repo.Secrets.Get(stored.ID, credentials.RefreshToken); !errors.Is(err, credentials.ErrSecretNotFound) {
			t.Fatalf("the refresh token of a login without MFA was kept: %v", err)
		}
		if stored.LastStatus != credentials.StatusFailed || stored.LoginMFA != "" {
			t.Errorf("recorded %s, MFA %q", stored.LastStatus, stored.LoginMFA)
		}
	})
	t.Run("IdP does not say", func(t *testing.T) {
		res, stored, _, _ := login(t, credentials.MFAPolicy{Required: true}, "dave", "opaque")
		if !res.Active() || !strings.HasPrefix(res.Token.MFA, "MFA not verifiable") || stored.LoginMFA != res.Token.MFA {
			t.Fatalf("status %s, MFA %q (recorded %q), failure %v", res.Status, res.Token.MFA, stored.LoginMFA, res.Failure)
		}
		if !strings.Contains(strings.Join(res.Warnings, " "), "MFA not verifiable") {
			t.Errorf("warnings %q", res.Warnings)
		}
	})
	t.Run("not required: nothing asked, nothing recorded", func(t *testing.T) {
		res, stored, _, seen := login(t, credentials.MFAPolicy{}, "carol", "secure")
		if !res.Active() || res.Token.MFA != "" || stored.LoginMFA != "" {
			t.Fatalf("status %s, MFA %q", res.Status, res.Token.MFA)
		}
		if q := seen[0].Query(); q.Has("acr_values") || q.Has("claims") || q.Has("max_age") {
			t.Errorf("MFA parameters without a requirement: %v", q)
		}
	})
	t.Run("device login with MFA", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.MFA = policy })
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		u := newDeviceUser(func(ctx context.Context, c DeviceCode) error {
			return testidp.DeviceApprove(ctx, c.VerificationURI, c.UserCode, "carol", "secure", testidp.WithOTP(otp))
		})
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		if err := <-u.done; err != nil {
			t.Fatal(err)
		}
		if !res.Active() || res.Token.MFA != "MFA verified: pwd, otp" {
			t.Fatalf("status %s, failure %v", res.Status, res.Failure)
		}
	})
}
