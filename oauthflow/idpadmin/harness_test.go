package idpadmin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// Second client_credentials client, so listings page.
const (
	otherID     = "reports"
	otherSecret = "reports-secret-1"
)

func startHarness(t *testing.T, kind idpadmin.Kind, opts ...testmgmt.Option) (*testidp.IdP, *testmgmt.Server, idpadmin.Client) {
	t.Helper()
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{}), testidp.WithClient(testidp.Client{
		ID: otherID, Secrets: []string{otherSecret}, GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
	}))
	opts = append([]testmgmt.Option{
		testmgmt.WithApp(testmgmt.App{Kind: kind, ClientID: testidp.AppClientID, Name: "Billing API"}),
		testmgmt.WithApp(testmgmt.App{Kind: kind, ClientID: otherID, Name: "Reports"}),
		testmgmt.WithPageSize(1),
	}, opts...)
	srv := testmgmt.Start(t, idp, opts...)
	c, err := idpadmin.New(srv.Conn(kind))
	if err != nil {
		t.Fatal(err)
	}
	return idp, srv, c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rotate is the lifecycle every API must carry: find the app, identify
// the secret in use, mint a new one (the token endpoint accepts it), revoke
// the old one (the token endpoint refuses it, the new one still works).
func rotate(t *testing.T, idp *testidp.IdP, c idpadmin.Client) (idpadmin.App, idpadmin.Minted) {
	t.Helper()
	ctx := ctxT(t)
	a, err := c.FindApp(ctx, testidp.AppClientID)
	if err != nil || a.ClientID != testidp.AppClientID || a.Name != "Billing API" || a.ID == "" {
		t.Fatalf("FindApp = %+v, %v", a, err)
	}
	apps, err := c.Apps(ctx)
	if err != nil || len(apps) != 2 {
		t.Fatalf("Apps (paged) = %+v, %v", apps, err)
	}
	oldKey, err := c.Identify(ctx, a, testidp.AppClientSecret)
	if err != nil || oldKey == "" {
		t.Fatalf("Identify(old) = %q, %v", oldKey, err)
	}
	m, err := c.Mint(ctx, a, idpadmin.MintOptions{DisplayName: "credworkbench rotation", Expires: time.Now().AddDate(0, 6, 0)})
	if err != nil || m.Value == "" || m.KeyID == "" {
		t.Fatalf("Mint = %v, %v", m, err)
	}
	if strings.Contains(m.String(), m.Value) || strings.Contains(strings.ReplaceAll(m.GoString(), " ", ""), m.Value) {
		t.Fatal("Minted.String shows the value")
	}
	if !testmgmt.Accepts(t, idp, testidp.AppClientID, m.Value) {
		t.Fatal("the token endpoint refuses the minted secret")
	}
	if got, err := c.Identify(ctx, a, m.Value); err != nil || got != m.KeyID {
		t.Fatalf("Identify(new) = %q, %v; want %q", got, err, m.KeyID)
	}
	if c.Limits().MintReplacesOld {
		if testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) {
			t.Fatal("MintReplacesOld, but the old secret still works")
		}
		return a, m
	}
	if !testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) {
		t.Fatal("the old secret stopped working before it was revoked")
	}
	if m.PreviousKeyID != "" {
		oldKey = m.PreviousKeyID
	}
	if again, err := c.Identify(ctx, a, testidp.AppClientSecret); err != nil || again != oldKey {
		t.Fatalf("Identify(old) after the mint = %q, %v; want %q", again, err, oldKey)
	}
	if err := c.Revoke(ctx, a, oldKey); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) {
		t.Fatal("the revoked secret still works")
	}
	if !testmgmt.Accepts(t, idp, testidp.AppClientID, m.Value) {
		t.Fatal("the new secret stopped working")
	}
	if err := c.Revoke(ctx, a, oldKey); err != nil {
		t.Fatalf("Revoke of a secret already gone = %v, want nil", err)
	}
	return a, m
}

func TestEntraRotation(t *testing.T) {
	cert := testmgmt.Certificate{KeyID: "5c3e7d0a-0000-4000-8000-000000000001", DisplayName: "CN=billing", Expires: time.Now().AddDate(0, 0, 20).UTC().Truncate(time.Second)}
	idp, _, c := startHarness(t, idpadmin.Entra)
	_, _, cc := startHarness(t, idpadmin.Entra, testmgmt.WithApp(testmgmt.App{Kind: idpadmin.Entra, ClientID: testidp.AuditorClientID, Certificates: []testmgmt.Certificate{cert}}))
	a, m := rotate(t, idp, c)
	creds, err := c.Credentials(ctxT(t), a)
	if err != nil || len(creds) != 1 || creds[0].KeyID != m.KeyID || creds[0].Hint != m.Value[:3] ||
		creds[0].DisplayName != "credworkbench rotation" || creds[0].Expires.IsZero() || creds[0].Status != idpadmin.StatusActive {
		t.Fatalf("Credentials after the rotation = %+v, %v", creds, err)
	}
	// Certificates (keyCredentials) are listed beside the secrets.
	ca, err := cc.FindApp(ctxT(t), testidp.AuditorClientID)
	if err != nil {
		t.Fatal(err)
	}
	creds, err = cc.Credentials(ctxT(t), ca)
	if err != nil || len(creds) != 2 || creds[1].Kind != idpadmin.KindCertificate || !creds[1].Expires.Equal(cert.Expires) {
		t.Fatalf("Credentials with a certificate = %+v, %v", creds, err)
	}
}

func TestOktaRotation(t *testing.T) {
	idp, _, c := startHarness(t, idpadmin.Okta)
	if c.Limits().MaxSecrets != 2 {
		t.Fatalf("Okta limits = %+v", c.Limits())
	}
	a, m := rotate(t, idp, c)
	ctx := ctxT(t)
	creds, err := c.Credentials(ctx, a)
	if err != nil || len(creds) != 1 || creds[0].KeyID != m.KeyID || !creds[0].Expires.IsZero() || creds[0].Created.IsZero() {
		t.Fatalf("Credentials = %+v, %v", creds, err)
	}
	// A third secret is refused with Okta's validation error, named as the limit.
	if _, err := c.Mint(ctx, a, idpadmin.MintOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Mint(ctx, a, idpadmin.MintOptions{})
	var e *idpadmin.Error
	if !errors.As(err, &e) || e.Code != idpadmin.CodeLimit || e.Status != 400 || !strings.Contains(e.Advice, "two secrets") {
		t.Fatalf("third Mint = %v", err)
	}
}

func TestOktaSSWS(t *testing.T) {
	_, srv, _ := startHarness(t, idpadmin.Okta)
	conn := srv.Conn(idpadmin.Okta)
	conn.Token = func(context.Context) (string, string, error) { return "SSWS", srv.OktaAPIToken, nil }
	c, _ := idpadmin.New(conn)
	if _, err := c.FindApp(ctxT(t), testidp.AppClientID); err != nil {
		t.Fatal(err)
	}
	conn.Token = func(context.Context) (string, string, error) { return "SSWS", "00wrong-token", nil }
	c, _ = idpadmin.New(conn)
	_, err := c.FindApp(ctxT(t), testidp.AppClientID)
	var e *idpadmin.Error
	if !errors.As(err, &e) || e.Status != 401 || e.Code != "E0000011" || strings.Contains(err.Error(), "00wrong-token") {
		t.Fatalf("wrong SSWS token: %v", err)
	}
}

func TestKeycloakRotationPolicy(t *testing.T) {
	idp, _, c := startHarness(t, idpadmin.Keycloak, testmgmt.WithKeycloakRotation(30*24*time.Hour, time.Hour))
	a, m := rotate(t, idp, c)
	if m.PreviousKeyID != idpadmin.KeycloakRotated || m.Expires.IsZero() {
		t.Fatalf("Minted = %+v (previous %q)", m.Credential, m.PreviousKeyID)
	}
	creds, err := c.Credentials(ctxT(t), a)
	if err != nil || len(creds) != 1 || creds[0].KeyID != idpadmin.KeycloakCurrent || creds[0].Expires.Before(time.Now().AddDate(0, 0, 29)) {
		t.Fatalf("Credentials = %+v, %v", creds, err)
	}
}

func TestKeycloakWithoutPolicyReplacesAtOnce(t *testing.T) {
	idp, _, c := startHarness(t, idpadmin.Keycloak)
	a, m := rotate(t, idp, c)
	if !c.Limits().MintReplacesOld || m.PreviousKeyID != "" {
		t.Fatalf("limits %+v, previous %q", c.Limits(), m.PreviousKeyID)
	}
	if err := c.Revoke(ctxT(t), a, idpadmin.KeycloakCurrent); !isCode(err, idpadmin.CodeUnsupported) {
		t.Fatalf("Revoke(current) = %v", err)
	}
}

func isCode(err error, code string) bool {
	var e *idpadmin.Error
	return errors.As(err, &e) && e.Code == code
}
