package oauthflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// lcSetup runs the test IdP with management clients and the management API
// harness showing the app client in kind's API, and saves the management
// profile and the app profile (managed by it).
func lcSetup(t *testing.T, kind idpadmin.Kind, opts ...testmgmt.Option) (*Service, *testidp.IdP, *testmgmt.Server, credentials.Profile) {
	t.Helper()
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{}))
	mg := testmgmt.Start(t, idp, append([]testmgmt.Option{testmgmt.WithApp(testmgmt.App{Kind: kind, ClientID: testidp.AppClientID, Name: "Billing"})}, opts...)...)
	s := ccService(t, nil)
	m := ccSave(t, s, credentials.Profile{Name: "manager", Type: credentials.TypeApplication, TokenURL: idp.TokenURL,
		ClientID: testidp.ManagerClientID, Scope: testidp.ManagementScopes, RefreshInterval: credentials.Duration(5 * time.Minute)}, testidp.ManagerClientSecret)
	app := ccApp("billing", idp.TokenURL)
	app.ManagementProfile, app.ManagementAPI, app.ManagementURL = m.ID, string(kind), mg.BaseURL(kind)
	p := ccSave(t, s, app, testidp.AppClientSecret)
	t.Cleanup(func() {
		for _, k := range []credentials.SecretKind{credentials.NextClientSecret, credentials.ManagementToken, credentials.RegistrationToken} {
			_ = s.repo.Secrets.Delete(p.ID, k)
		}
	})
	newSecretDelay = 50 * time.Millisecond
	return s, idp, mg, p
}

// lcAccepted reports whether the test IdP's token endpoint takes secret.
func lcAccepted(t *testing.T, idp *testidp.IdP, secret string) bool {
	t.Helper()
	secrets, err := idp.ClientSecrets(testidp.AppClientID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s == secret {
			return true
		}
	}
	return false
}

func lcSecret(t *testing.T, s *Service, id string, kind credentials.SecretKind) string {
	t.Helper()
	v, _ := s.repo.Secrets.Get(id, kind)
	return v
}

func TestRotateAtIdPEntraOktaKeycloak(t *testing.T) {
	for _, kind := range []idpadmin.Kind{idpadmin.Entra, idpadmin.Okta, idpadmin.Keycloak} {
		t.Run(string(kind), func(t *testing.T) {
			// Keycloak with its client-secret-rotation policy: the old
			// secret stays valid as "rotated" until revoked.
			s, idp, _, p := lcSetup(t, kind, testmgmt.WithKeycloakRotation(90*24*time.Hour, time.Hour))
			ev := ccSubscribe(t, s)
			r, err := s.Secrets().RotateAtIdP(context.Background(), p.Name, AtIdPOptions{RevokeOld: RevokeAfter{Now: true}})
			if err != nil || !r.OK() {
				t.Fatalf("rotation: %v; %+v (left: %s)", err, r.Failure, r.Left)
			}
			for _, step := range []RotationStep{StepFind, StepMint, StepStore, StepTest, StepSwitch, StepRevoke} {
				if !r.Did(step) {
					t.Errorf("step %s not done: %v", step, r.Done)
				}
			}
			now := lcSecret(t, s, p.ID, credentials.ClientSecret)
			if now == testidp.AppClientSecret || now == "" {
				t.Fatalf("the profile still has the old secret")
			}
			if !lcAccepted(t, idp, now) || lcAccepted(t, idp, testidp.AppClientSecret) {
				t.Fatalf("after the rotation the IdP accepts %v", func() []string { v, _ := idp.ClientSecrets(testidp.AppClientID); return v }())
			}
			if lcSecret(t, s, p.ID, credentials.NextClientSecret) != "" {
				t.Error("the next secret is left in the keyring")
			}
			got, _ := s.Profile(p.ID)
			if got.SecretKeyID != r.NewKeyID || !got.PendingAtIdP.IsZero() || got.SecretRotatedAt.IsZero() {
				t.Errorf("bookkeeping %+v", got.Bookkeeping)
			}
			ccWantActive(t, ccTest(t, s, p.Name))
			ev.wait(t, p.ID, EventSecretRevoked, 5e9)
		})
	}
}

// Keycloak without the rotation policy replaces the secret at once: there
// is nothing to revoke, and the profile switches to the new one.
func TestRotateAtIdPKeycloakReplaces(t *testing.T) {
	s, idp, _, p := lcSetup(t, idpadmin.Keycloak)
	r, err := s.Secrets().RotateAtIdP(context.Background(), p.Name, AtIdPOptions{})
	if err != nil || !r.OK() || !r.Did(StepSwitch) || r.Did(StepRevoke) || !r.Pending.IsZero() {
		t.Fatalf("%v %v %v %+v", err, r.Failed, r.Failure, r.Done)
	}
	if lcAccepted(t, idp, testidp.AppClientSecret) || !lcAccepted(t, idp, lcSecret(t, s, p.ID, credentials.ClientSecret)) {
		t.Fatal("not replaced")
	}
	// A replacing mint whose test fails: the minted secret is the only one
	// that can work, so Cancel keeps it (and says so).
	lcForgetMinted(t, idp)
	r, _ = s.Secrets().RotateAtIdP(context.Background(), p.Name, AtIdPOptions{})
	if r.Failed != StepTest || !strings.Contains(r.Left, "no longer works") {
		t.Fatalf("%v %v %q", r.Failed, r.Failure, r.Left)
	}
	c, err := s.Secrets().Cancel(context.Background(), p.Name)
	if err != nil || c.OK() || lcSecret(t, s, p.ID, credentials.NextClientSecret) == "" || !strings.Contains(c.Failure.Error(), "replaced the old secret") {
		t.Fatalf("cancel: %v %+v", err, c.Failure)
	}
}

func TestRotateAtIdPFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("mint denied (Graph Authorization_RequestDenied)", func(t *testing.T) {
		s, idp, mg, p := lcSetup(t, idpadmin.Entra)
		mg.SetFault(idpadmin.Entra, testmgmt.OpMint, testmgmt.Fault{Deny: true})
		r, err := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{})
		if err != nil || r.Failed != StepMint || !strings.Contains(r.Failure.Error(), "Authorization_RequestDenied") || !strings.Contains(r.Left, "nothing was created") {
			t.Fatalf("%v; %+v %v %q", err, r.Failed, r.Failure, r.Left)
		}
		if lcSecret(t, s, p.ID, credentials.ClientSecret) != testidp.AppClientSecret || !lcAccepted(t, idp, testidp.AppClientSecret) {
			t.Fatal("the old secret was lost")
		}
		if got, _ := s.Profile(p.ID); !got.PendingAtIdP.IsZero() {
			t.Fatalf("a refused mint left %+v", got.PendingAtIdP)
		}
	})
	t.Run("killed while minting: the mint on record explains it", func(t *testing.T) {
		s, _, _, p := lcSetup(t, idpadmin.Entra)
		_ = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error {
			q.PendingAtIdP = credentials.PendingAtIdP{Step: "mint", API: "entra", NewName: "credworkbench billing 2026-12-07", Since: time.Now()}
			return nil
		})
		r, _ := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{})
		if r.Failed != StepFind || !strings.Contains(r.Failure.Error(), "credworkbench billing 2026-12-07") || !strings.Contains(r.Left, "idp cancel") {
			t.Fatalf("%v %v %q", r.Failed, r.Failure, r.Left)
		}
		if rs, _ := s.Secrets().RunDue(ctx); len(rs) != 0 {
			t.Fatalf("RunDue acted on it: %+v", rs)
		}
		if c, err := s.Secrets().Cancel(ctx, p.Name); err != nil || !c.OK() {
			t.Fatalf("cancel: %v %v", err, c.Failure)
		}
		if r, _ := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{}); !r.OK() {
			t.Fatalf("after cancel: %v", r.Failure)
		}
	})
	t.Run("mint denied (Okta E0000006)", func(t *testing.T) {
		s, _, mg, p := lcSetup(t, idpadmin.Okta)
		mg.SetFault(idpadmin.Okta, testmgmt.OpMint, testmgmt.Fault{Deny: true})
		r, _ := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{})
		if r.Failed != StepMint || !strings.Contains(r.Failure.Error(), "E0000006") {
			t.Fatalf("%+v %v", r.Failed, r.Failure)
		}
	})
	t.Run("Okta's two secrets: said before minting", func(t *testing.T) {
		s, idp, _, p := lcSetup(t, idpadmin.Okta)
		if _, err := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{RevokeOld: RevokeAfter{Never: true}}); err != nil {
			t.Fatal(err)
		}
		before, _ := idp.ClientSecrets(testidp.AppClientID)
		r, _ := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{})
		after, _ := idp.ClientSecrets(testidp.AppClientID)
		if r.Failed != StepMint || !strings.Contains(r.Failure.Error(), "allows 2 secrets") || len(after) != len(before) {
			t.Fatalf("%v %v; secrets %d -> %d", r.Failed, r.Failure, len(before), len(after))
		}
	})
	t.Run("the new secret fails its test", func(t *testing.T) {
		s, idp, _, p := lcSetup(t, idpadmin.Entra)
		// The token endpoint refuses what the management API mints.
		lcForgetMinted(t, idp)
		r, err := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{})
		if err != nil || r.Failed != StepTest || !strings.Contains(r.Left, "failed its test") || !strings.Contains(r.Left, r.NewKeyID) {
			t.Fatalf("%v; %v %v %q", err, r.Failed, r.Failure, r.Left)
		}
		if lcSecret(t, s, p.ID, credentials.ClientSecret) != testidp.AppClientSecret {
			t.Fatal("the profile switched to a secret that failed")
		}
		ccWantActive(t, ccTest(t, s, p.Name))
		got, _ := s.Profile(p.ID)
		if got.PendingAtIdP.Step != "switch" || got.PendingAtIdP.LastError == "" || lcSecret(t, s, p.ID, credentials.NextClientSecret) == "" {
			t.Fatalf("pending %+v", got.PendingAtIdP)
		}
		// RunDue leaves a failed test to the admin; Cancel removes it.
		if rs, _ := s.Secrets().RunDue(ctx); len(rs) != 0 {
			t.Fatalf("RunDue retried a failed test: %+v", rs)
		}
		c, err := s.Secrets().Cancel(ctx, p.Name)
		if err != nil || !c.OK() {
			t.Fatalf("cancel: %v %+v", err, c.Failure)
		}
		got, _ = s.Profile(p.ID)
		if !got.PendingAtIdP.IsZero() || lcSecret(t, s, p.ID, credentials.NextClientSecret) != "" {
			t.Fatalf("after cancel: %+v", got.PendingAtIdP)
		}
	})
	t.Run("revoke fails, stays pending, RunDue finishes it", func(t *testing.T) {
		s, idp, mg, p := lcSetup(t, idpadmin.Entra)
		mg.SetFault(idpadmin.Entra, testmgmt.OpRevoke, testmgmt.Fault{Status: 503, Count: 1})
		r, _ := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{})
		if r.Failed != StepRevoke || !r.Did(StepSwitch) || r.Pending.Step != "revoke" || !strings.Contains(r.Left, "still at Entra") {
			t.Fatalf("%v %v %q %+v", r.Failed, r.Failure, r.Left, r.Pending)
		}
		if !lcAccepted(t, idp, testidp.AppClientSecret) {
			t.Fatal("the old secret was revoked despite the failure")
		}
		// Retries are spaced a minute apart: make it due.
		_ = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error { q.PendingAtIdP.LastTry = time.Now().Add(-time.Hour); return nil })
		rs, err := s.Secrets().RunDue(ctx)
		if err != nil || len(rs) != 1 || !rs[0].Did(StepRevoke) {
			t.Fatalf("RunDue: %v %+v", err, rs)
		}
		if lcAccepted(t, idp, testidp.AppClientSecret) {
			t.Fatal("the old secret still works after RunDue")
		}
	})
	t.Run("killed after the store: RunDue tests and switches", func(t *testing.T) {
		s, idp, _, p := lcSetup(t, idpadmin.Okta)
		// What a process killed right after keeping the minted secret leaves.
		conn, err := s.Secrets().connect(p)
		if err != nil {
			t.Fatal(err)
		}
		app, _ := conn.client.FindApp(ctx, p.ClientID)
		creds, _ := conn.client.Credentials(ctx, app)
		m, err := conn.client.Mint(ctx, app, idpadmin.MintOptions{})
		if err != nil {
			t.Fatal(err)
		}
		err = s.repo.StoreNextSecret(p.ID, m.Value, credentials.PendingAtIdP{Step: "switch", API: "okta", AppID: app.ID, AppName: app.Name,
			NewKeyID: m.KeyID, OldKeyID: creds[0].KeyID, Since: time.Now().Add(-time.Minute), RevokeOld: "now"})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := s.Secrets().RunDue(ctx)
		if err != nil || len(rs) != 1 || !rs[0].Did(StepSwitch) || !rs[0].Did(StepRevoke) {
			t.Fatalf("RunDue: %v %+v", err, rs)
		}
		if lcSecret(t, s, p.ID, credentials.ClientSecret) != m.Value || lcAccepted(t, idp, testidp.AppClientSecret) {
			t.Fatal("not switched and revoked")
		}
	})
	t.Run("grace period: pending revocation, Complete by hand", func(t *testing.T) {
		s, idp, _, p := lcSetup(t, idpadmin.Keycloak, testmgmt.WithKeycloakRotation(90*24*time.Hour, time.Hour))
		r, _ := s.Secrets().RotateAtIdP(ctx, p.Name, AtIdPOptions{RevokeOld: RevokeAfter{After: 7 * 24 * time.Hour}})
		if !r.OK() || r.Pending.Step != "revoke" || r.Did(StepRevoke) {
			t.Fatalf("%v %v %+v", r.Failed, r.Failure, r.Pending)
		}
		if !lcAccepted(t, idp, testidp.AppClientSecret) {
			t.Fatal("the old secret was revoked before its grace period")
		}
		if rs, _ := s.Secrets().RunDue(ctx); len(rs) != 0 {
			t.Fatalf("RunDue revoked early: %+v", rs)
		}
		c, err := s.Secrets().Complete(ctx, p.Name)
		if err != nil || !c.Did(StepRevoke) || lcAccepted(t, idp, testidp.AppClientSecret) {
			t.Fatalf("complete: %v %v %v", err, c.Failed, c.Failure)
		}
	})
}

// forgetful is a management client whose minted secrets the token
// endpoint does not know (failure injection: the new secret fails its test).
type forgetful struct {
	idpadmin.Client
	idp *testidp.IdP
}

func (f forgetful) Mint(ctx context.Context, a idpadmin.App, o idpadmin.MintOptions) (idpadmin.Minted, error) {
	m, err := f.Client.Mint(ctx, a, o)
	if err == nil {
		err = f.idp.SetClientSecrets(testidp.AppClientID, nil, []string{m.Value})
	}
	return m, err
}

func lcForgetMinted(t *testing.T, idp *testidp.IdP) {
	t.Helper()
	orig := newAdminClient
	newAdminClient = func(c idpadmin.Conn) (idpadmin.Client, error) {
		cl, err := orig(c)
		return forgetful{cl, idp}, err
	}
	t.Cleanup(func() { newAdminClient = orig })
}
